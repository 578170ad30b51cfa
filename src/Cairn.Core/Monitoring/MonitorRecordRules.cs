namespace Cairn.Monitoring;

/// <summary>What monitor runs, alert states and events, and feedback labels must look like before they are stored.</summary>
public static class MonitorRecordRules
{
    public const int MaxFeedbackPerCall = 10_000;
    public const int MaxRequestIdLength = 200;
    public const int MaxValues = 10_000;
    public const int MaxMessageLength = 8000;

    public static NewMonitorRun Run(NewMonitorRun? run)
    {
        if (run is null) throw CairnException.InvalidParameter("A monitor run is required.");
        MonitorSpecRules.Name(run.MonitorName);
        Printable(run.RunKey, 256, "run key");
        Printable(run.Owner, 256, "run owner");
        if (run.WindowStart < 0 || run.WindowEnd < run.WindowStart)
            throw CairnException.InvalidParameter($"Invalid window {run.WindowStart}..{run.WindowEnd}: times in ms since the epoch, the start not after the end.");
        return run;
    }

    public static void RunId(string? runId)
    {
        if (!Ids.IsValid(runId)) throw CairnException.InvalidParameter($"Invalid monitor run id '{runId}': expected 32 hex characters.");
    }

    public static string FinishStatus(string? status) => status is MonitorRunStatuses.Succeeded or MonitorRunStatuses.Failed
        ? status
        : throw CairnException.InvalidParameter($"Invalid status '{status}': a monitor run finishes '{MonitorRunStatuses.Succeeded}' or '{MonitorRunStatuses.Failed}'.");

    public static IReadOnlyDictionary<string, double> Values(IReadOnlyDictionary<string, double>? values)
    {
        if (values is null) return new Dictionary<string, double>();
        if (values.Count > MaxValues) throw CairnException.InvalidParameter($"{values.Count} values; the limit is {MaxValues}.");
        foreach (var key in values.Keys) Printable(key, 300, "value name");
        return values;
    }

    public static AlertState State(AlertState? state)
    {
        if (state is null) throw CairnException.InvalidParameter("An alert state is required.");
        MonitorSpecRules.Name(state.MonitorName);
        MonitorSpecRules.Name(state.AlertName, "alert");
        AlertStateName(state.State);
        Severity(state.Severity);
        Message(state.Message);
        return state;
    }

    public static AlertEvent Event(AlertEvent? e)
    {
        if (e is null) throw CairnException.InvalidParameter("An alert event is required.");
        Printable(e.EventId, 64, "event id");
        MonitorSpecRules.Name(e.MonitorName);
        MonitorSpecRules.Name(e.AlertName, "alert");
        AlertStateName(e.State);
        Severity(e.Severity);
        Message(e.Message);
        if (e.MonitorRunId is not null) RunId(e.MonitorRunId);
        return e;
    }

    private static void AlertStateName(string? state)
    {
        if (state is not (AlertStates.Firing or AlertStates.Resolved))
            throw CairnException.InvalidParameter($"Invalid alert state '{state}': expected '{AlertStates.Firing}' or '{AlertStates.Resolved}'.");
    }

    private static void Severity(string? severity)
    {
        if (severity is null || !MonitorSpecRules.Severities.Contains(severity))
            throw CairnException.InvalidParameter($"Invalid severity '{severity}': expected {string.Join(", ", MonitorSpecRules.Severities)}.");
    }

    private static void Message(string? message)
    {
        if (message is null || message.Length > MaxMessageLength)
            throw CairnException.InvalidParameter($"An alert message is required, of at most {MaxMessageLength} characters.");
    }

    public static IReadOnlyList<FeedbackLabel> Feedback(IReadOnlyList<FeedbackLabel>? labels)
    {
        if (labels is null) throw CairnException.InvalidParameter("Feedback needs a list of labels.");
        if (labels.Count > MaxFeedbackPerCall)
            throw CairnException.InvalidParameter($"{labels.Count} labels in one call; the limit is {MaxFeedbackPerCall}: send them in batches.");
        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i] ?? throw CairnException.InvalidParameter($"Label {i} is empty.");
            RequestId(label.RequestId, $"label {i}");
            if (label.Row < 0)
                throw CairnException.InvalidParameter($"Label {i} (request '{label.RequestId}'): row {label.Row} is negative; rows count from 0 within a request.");
            if (!double.IsFinite(label.Label))
                throw CairnException.InvalidParameter($"Label {i} (request '{label.RequestId}'): the label must be a finite number, such as 0, 1 or 12.5.");
            if (label.Timestamp < 0)
                throw CairnException.InvalidParameter($"Label {i} (request '{label.RequestId}'): the timestamp must be ms since the epoch.");
        }
        return labels;
    }

    public static string RequestId(string? requestId, string what = "request id")
    {
        if (string.IsNullOrWhiteSpace(requestId) || requestId.Length > MaxRequestIdLength || requestId.Any(char.IsControl))
            throw CairnException.InvalidParameter(
                $"Invalid request id '{requestId}' ({what}): the id the server answered with (X-Request-Id), 1 to {MaxRequestIdLength} printable characters.");
        return requestId;
    }

    private static void Printable(string? text, int max, string what)
    {
        if (string.IsNullOrEmpty(text) || text.Length > max || text.Any(char.IsControl))
            throw CairnException.InvalidParameter($"Invalid {what} '{text}': 1 to {max} printable characters.");
    }
}
