namespace Cairn.Monitoring;

/// <summary>A stored monitor.</summary>
/// <param name="ActiveSince">When it was created or last enabled: scheduled occurrences before it never run (ms since epoch).</param>
public sealed record MonitorRecord(MonitorSpec Spec, bool Enabled, long CreationTime, long ActiveSince)
{
    public string Name => Spec.Name;
}

public static class MonitorRunStatuses
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>One run of a monitor over one window; the run key (the window's end) is unique per monitor, so each scheduled window runs once across servers.</summary>
/// <param name="TrackingRunId">The tracking run that holds its values as metrics and its report as an artifact (experiment <c>monitors/&lt;name&gt;</c>).</param>
/// <param name="Values">The run's values by name (<c>drift_share</c>, <c>psi(Distance)</c>, <c>auc</c>...), what alert rules read.</param>
public sealed record MonitorRun(
    string RunId, string MonitorName, string RunKey, long WindowStart, long WindowEnd, string Status, string? Owner,
    string? TrackingRunId, IReadOnlyDictionary<string, double> Values, string? Error, long CreationTime, long? EndTime);

public sealed record NewMonitorRun(string MonitorName, string RunKey, long WindowStart, long WindowEnd, string Owner);

/// <summary>Ground truth for one logged prediction: the request id the server answered with, the row within the request, the label.</summary>
public sealed record FeedbackLabel(string RequestId, int Row, double Label, long Timestamp);

public static class AlertStates
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";
}

/// <summary>The current state of one alert rule of one monitor: what de-duplication, cool-down and resolve notifications need.</summary>
/// <param name="LastNotified">When a firing notification last went out (ms), for the cool-down.</param>
public sealed record AlertState(
    string MonitorName, string AlertName, string State, string Severity, double? Value, string Message,
    long Since, long? LastNotified, long UpdatedTime);

/// <summary>One change or notification of an alert, kept as history (newest first in listings).</summary>
public sealed record AlertEvent(
    string EventId, string MonitorName, string AlertName, string State, string Severity, double? Value, string Message,
    string? MonitorRunId, long Timestamp);
