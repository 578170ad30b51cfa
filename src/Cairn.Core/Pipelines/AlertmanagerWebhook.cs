using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Cairn.Pipelines;

/// <summary>The body Alertmanager's webhook receiver posts (its fields are camelCase; unknown ones are ignored).</summary>
public sealed record AlertmanagerWebhook(
    [property: JsonPropertyName("version")] string? Version,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("alerts")] IReadOnlyList<AlertmanagerAlert?>? Alerts);

public sealed record AlertmanagerAlert(
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string>? Labels,
    [property: JsonPropertyName("annotations")] IReadOnlyDictionary<string, string>? Annotations,
    [property: JsonPropertyName("startsAt")] DateTimeOffset? StartsAt,
    [property: JsonPropertyName("fingerprint")] string? Fingerprint);

/// <summary>Turns a webhook body into the fires of the alert triggers it matches.</summary>
public static class AlertFires
{
    public const int MaxAlerts = 1000;

    /// <summary>
    /// One pending fire per firing alert and enabled trigger on its <c>alertname</c>. The key is the
    /// alert's identity (its labels and when it started), so Alertmanager's repeats and a second
    /// Alertmanager of an HA pair fire the pipeline once; an alert without <c>startsAt</c> fires each time.
    /// </summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE when the body is not an Alertmanager webhook.</exception>
    public static IReadOnlyList<NewPipelineFire> Plan(AlertmanagerWebhook webhook, IReadOnlyList<PipelineTrigger> triggers, DateTimeOffset now)
    {
        var alerts = Validate(webhook);
        var fires = new List<NewPipelineFire>();
        foreach (var alert in alerts.Where(a => a.Status == "firing"))
        {
            var name = alert.Labels!["alertname"];
            foreach (var trigger in triggers.Where(t => t.Enabled && t.Event == TriggerEvents.Alert && t.Source == name))
            {
                var parameters = new Dictionary<string, string>(trigger.Parameters, StringComparer.Ordinal);
                foreach (var (label, value) in alert.Labels!)
                    if (IsPassable(label, value)) parameters[label] = value;
                fires.Add(new NewPipelineFire(FireSources.Trigger, trigger.Name, Key(alert), trigger.PipelineFile,
                    now.ToUnixTimeMilliseconds(), parameters, Owner: null));
            }
        }
        return fires;
    }

    private static List<AlertmanagerAlert> Validate(AlertmanagerWebhook webhook)
    {
        if (webhook.Alerts is null)
            throw CairnException.InvalidParameter("Not an Alertmanager webhook: the body has no 'alerts' array.");
        if (webhook.Alerts.Count > MaxAlerts)
            throw CairnException.InvalidParameter($"{webhook.Alerts.Count} alerts in one webhook; the limit is {MaxAlerts}.");
        var alerts = new List<AlertmanagerAlert>();
        for (var i = 0; i < webhook.Alerts.Count; i++)
        {
            var alert = webhook.Alerts[i] ?? throw CairnException.InvalidParameter($"alerts[{i}] is null: each alert is an object.");
            if (alert.Status is not ("firing" or "resolved"))
                throw CairnException.InvalidParameter($"alerts[{i}].status is '{alert.Status}': expected 'firing' or 'resolved'.");
            if (alert.Labels is null || !alert.Labels.TryGetValue("alertname", out var name) || string.IsNullOrEmpty(name))
                throw CairnException.InvalidParameter($"alerts[{i}] has no 'alertname' label.");
            if (alert.Labels.Values.Any(v => v is null))
                throw CairnException.InvalidParameter($"alerts[{i}].labels: every label value is a string.");
            alerts.Add(alert);
        }
        return alerts;
    }

    private static bool IsPassable(string label, string value)
    {
        try
        {
            ScheduleRules.ParameterName(label);
        }
        catch (CairnException)
        {
            return false;
        }
        return value.Length <= ScheduleRules.MaxValueLength && !value.Contains('\0');
    }

    private static string Key(AlertmanagerAlert alert)
    {
        if (alert.StartsAt is not { } started) return "once-" + Guid.NewGuid().ToString("N");
        var identity = string.Join("\n", alert.Labels!.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..24];
        return $"{hash}@{started.ToUnixTimeMilliseconds()}";
    }
}
