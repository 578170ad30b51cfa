using System.Globalization;

namespace Cairn.Monitoring;

/// <summary>
/// Decides, from a monitor's rules, the alert states before a run and the run's values, what the
/// states become and which notifications go out. Pure: no I/O, the time is passed in.
/// </summary>
/// <remarks>
/// A newly firing alert notifies. A still-firing one is de-duplicated unless its cool-down has passed
/// since it was last notified. A firing one whose rule no longer holds resolves and notifies. A rule
/// whose value the run lacks or is NaN leaves its state as it was (a failed statistic is not a resolve).
/// </remarks>
public static class AlertEvaluator
{
    /// <summary>Evaluates the monitor's own rules; notifications carry its model URI.</summary>
    public static AlertEvaluation Evaluate(MonitorSpec monitor, IReadOnlyList<AlertState> previous,
        IReadOnlyDictionary<string, double> values, DateTimeOffset now) =>
        Evaluate(monitor.Name, monitor.Alerts ?? [], previous, values, now, monitor.Model);

    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a malformed rule, an unknown severity or a bad cool-down.</exception>
    public static AlertEvaluation Evaluate(string monitorName, IReadOnlyList<AlertRuleSpec> rules, IReadOnlyList<AlertState> previous,
        IReadOnlyDictionary<string, double> values, DateTimeOffset now, string model = "")
    {
        var parsed = rules.Select(ParsedAlert.From).ToList();
        var nowMs = now.ToUnixTimeMilliseconds();
        var states = new List<AlertState>();
        var notifications = new List<AlertNotification>();
        foreach (var alert in parsed)
        {
            var before = previous.FirstOrDefault(s => s.MonitorName == monitorName && s.AlertName == alert.Spec.Name);
            // NaN (an AUC over one class, say) is no value, like a missing one.
            if (!values.TryGetValue(alert.Rule.ValueKey, out var value) || double.IsNaN(value)) continue;
            var holds = alert.Rule.Holds(value);
            var wasFiring = before?.State == AlertStates.Firing;
            AlertState? next = null;
            bool notify = false, repeat = false;
            if (holds)
            {
                var message = FiringMessage(alert.Rule, value);
                if (!wasFiring)
                {
                    next = new AlertState(monitorName, alert.Spec.Name, AlertStates.Firing, alert.Spec.Severity, value, message, nowMs, nowMs, nowMs);
                    notify = true;
                }
                else
                {
                    repeat = before!.LastNotified is not { } last || nowMs - last >= (long)alert.Cooldown.TotalMilliseconds;
                    notify = repeat;
                    next = before with
                    {
                        Severity = alert.Spec.Severity, Value = value, Message = message, UpdatedTime = nowMs,
                        LastNotified = repeat ? nowMs : before.LastNotified,
                    };
                }
            }
            else if (wasFiring)
            {
                next = before! with
                {
                    State = AlertStates.Resolved, Severity = alert.Spec.Severity, Value = value,
                    Message = $"{alert.Rule.ValueKey} = {Format(value)}: no longer {alert.Rule}", Since = nowMs, UpdatedTime = nowMs,
                };
                notify = true;
            }
            // A rule that holds neither now nor before has no state to keep.
            if (next is null) continue;
            states.Add(next);
            if (notify)
                notifications.Add(new AlertNotification(monitorName, alert.Spec.Name, next.State, alert.Spec.Severity, alert.Rule.ToString(),
                    value, alert.Rule.Threshold, next.Message, model, next.State == AlertStates.Firing ? next.Since : before!.Since,
                    nowMs, repeat, alert.Cooldown));
        }
        return new AlertEvaluation(states, notifications);
    }

    private static string FiringMessage(AlertRule rule, double value) => $"{rule.ValueKey} = {Format(value)} ({rule})";

    internal static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}

/// <summary>An alert rule spec with its rule and cool-down parsed and its severity checked.</summary>
internal sealed record ParsedAlert(AlertRuleSpec Spec, AlertRule Rule, TimeSpan Cooldown)
{
    public static ParsedAlert From(AlertRuleSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.Name))
            throw CairnException.InvalidParameter($"Alert with rule '{spec.Rule}' has no name: give each alert a name, such as 'drift_high'.");
        AlertRule rule;
        try
        {
            rule = AlertRule.Parse(spec.Rule);
        }
        catch (CairnException e)
        {
            throw CairnException.InvalidParameter($"Alert '{spec.Name}': {e.Message}");
        }
        if (!AlertSeverities.All.Contains(spec.Severity))
            throw CairnException.InvalidParameter(
                $"Alert '{spec.Name}' has severity '{spec.Severity}': use {string.Join(", ", AlertSeverities.All)}.");
        var cooldown = MonitorDuration.Parse(spec.Cooldown, $"cool-down of alert '{spec.Name}'");
        return new ParsedAlert(spec, rule, cooldown);
    }
}
