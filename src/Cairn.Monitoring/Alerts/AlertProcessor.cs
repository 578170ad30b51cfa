namespace Cairn.Monitoring;

/// <summary>
/// What the monitor runner calls after a run succeeds: evaluates the monitor's alerts on the run's
/// values, saves the changed states, sends the notifications and appends one history event per
/// notification (its message names the destinations that failed).
/// </summary>
public sealed class AlertProcessor(IMonitorStore store, AlertDispatcher dispatcher, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<AlertOutcome> ProcessAsync(MonitorSpec monitor, MonitorRun run, WatchedModelVersion? modelVersion, CancellationToken ct = default)
    {
        var now = _time.GetUtcNow();
        var previous = await store.ListAlertStatesAsync(monitor.Name, ct);
        var evaluation = AlertEvaluator.Evaluate(monitor, previous, run.Values, now);
        foreach (var state in evaluation.States)
            await store.SaveAlertStateAsync(state, ct);
        var deliveries = await dispatcher.DispatchAsync(monitor, evaluation.Notifications, modelVersion, ct);
        foreach (var n in evaluation.Notifications)
        {
            var failed = deliveries.Where(d => ReferenceEquals(d.Notification, n) && !d.Delivered).Select(d => $"{d.Destination}: {d.Error}").ToList();
            var message = failed.Count == 0 ? n.Message : $"{n.Message} [not delivered to {string.Join("; ", failed)}]";
            await store.AppendAlertEventAsync(new AlertEvent(Guid.NewGuid().ToString("N"), n.MonitorName, n.AlertName, n.State, n.Severity,
                double.IsFinite(n.Value) ? n.Value : null, message, run.RunId, now.ToUnixTimeMilliseconds()), ct);
        }
        return new AlertOutcome(evaluation, deliveries);
    }
}

public sealed record AlertOutcome(AlertEvaluation Evaluation, IReadOnlyList<AlertDelivery> Deliveries);
