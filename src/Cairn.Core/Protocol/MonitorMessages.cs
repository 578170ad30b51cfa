using Cairn.Monitoring;

namespace Cairn.Protocol;

// Request and response bodies of /api/2.0/cairn/monitors/* and /api/2.0/cairn/feedback: MLflow's
// conventions (snake_case, one wrapper key); fields are nullable so a missing one gets a clear 400.
// A monitor is created and updated with its spec itself as the body (see MonitorSpecRules.Json).

public sealed record MonitorResponse(MonitorRecord Monitor);
public sealed record MonitorsResponse(IReadOnlyList<MonitorRecord> Monitors);
public sealed record MonitorNameRequest(string? Name);

public sealed record ClaimMonitorRunRequest(string? MonitorName, string? RunKey, long? WindowStart, long? WindowEnd, string? Owner);
public sealed record FinishMonitorRunRequest(string? RunId, string? Status, string? TrackingRunId, IReadOnlyDictionary<string, double>? Values, string? Error);
/// <summary>No <c>run</c> key when the claim went to someone else.</summary>
public sealed record MonitorRunResponse(MonitorRun? Run);
public sealed record MonitorRunsResponse(IReadOnlyList<MonitorRun> Runs);

public sealed record AlertStatesResponse(IReadOnlyList<AlertState> AlertStates);
public sealed record AlertEventsResponse(IReadOnlyList<AlertEvent> Events);

/// <summary>One label as sent: <c>row</c> defaults to 0 and <c>timestamp</c> to the time the server receives it.</summary>
public sealed record FeedbackLabelBody(string? RequestId, int? Row, double? Label, long? Timestamp);
public sealed record AddFeedbackRequest(IReadOnlyList<FeedbackLabelBody?>? Labels);
public sealed record AddFeedbackResponse(int Stored);
public sealed record GetFeedbackRequest(IReadOnlyList<string>? RequestIds);
public sealed record FeedbackResponse(IReadOnlyList<FeedbackLabel> Labels);
