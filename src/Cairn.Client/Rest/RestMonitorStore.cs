using System.Globalization;
using Cairn.Monitoring;
using Cairn.Protocol;

namespace Cairn.Rest;

/// <summary>Monitors, their runs and alerts, and feedback labels of a remote Cairn server (/api/2.0/cairn/monitors/... and /api/2.0/cairn/feedback).</summary>
public sealed class RestMonitorStore(RestTransport transport) : IMonitorStore
{
    private const string Monitors = "api/2.0/cairn/monitors/";
    private const string Feedback = "api/2.0/cairn/feedback";
    /// <summary>The server's limit on request ids per lookup.</summary>
    private const int RequestIdsPerCall = 10_000;

    private static string Max(int maxResults) => maxResults.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public async Task<MonitorRecord> CreateMonitorAsync(MonitorSpec spec, CancellationToken ct = default) =>
        (await transport.PostAsync<MonitorResponse>(Monitors + "create", spec, ct).ConfigureAwait(false)).Monitor;

    /// <inheritdoc />
    public async Task<MonitorRecord> UpdateMonitorAsync(MonitorSpec spec, CancellationToken ct = default) =>
        (await transport.PostAsync<MonitorResponse>(Monitors + "update", spec, ct).ConfigureAwait(false)).Monitor;

    /// <inheritdoc />
    public async Task<MonitorRecord> GetMonitorAsync(string name, CancellationToken ct = default) =>
        (await transport.GetAsync<MonitorResponse>(Monitors + "get", [("name", name)], ct).ConfigureAwait(false)).Monitor;

    /// <inheritdoc />
    public async Task<IReadOnlyList<MonitorRecord>> ListMonitorsAsync(CancellationToken ct = default) =>
        (await transport.GetAsync<MonitorsResponse>(Monitors + "list", [], ct).ConfigureAwait(false)).Monitors ?? [];

    /// <inheritdoc />
    public async Task<MonitorRecord> SetMonitorEnabledAsync(string name, bool enabled, CancellationToken ct = default) =>
        (await transport.PostAsync<MonitorResponse>(Monitors + (enabled ? "enable" : "disable"), new MonitorNameRequest(name), ct).ConfigureAwait(false)).Monitor;

    /// <inheritdoc />
    public Task DeleteMonitorAsync(string name, CancellationToken ct = default) =>
        transport.SendJsonAsync<object>(HttpMethod.Delete, Monitors + "delete", new MonitorNameRequest(name), ct);

    /// <inheritdoc />
    public async Task<MonitorRun?> TryClaimMonitorRunAsync(NewMonitorRun run, CancellationToken ct = default) =>
        (await transport.PostAsync<MonitorRunResponse>(Monitors + "runs/claim",
            new ClaimMonitorRunRequest(run.MonitorName, run.RunKey, run.WindowStart, run.WindowEnd, run.Owner), ct).ConfigureAwait(false)).Run;

    /// <inheritdoc />
    public async Task<MonitorRun> FinishMonitorRunAsync(string runId, string status, string? trackingRunId, IReadOnlyDictionary<string, double> values,
        string? error, CancellationToken ct = default) =>
        (await transport.PostAsync<MonitorRunResponse>(Monitors + "runs/finish",
            new FinishMonitorRunRequest(runId, status, trackingRunId, values, error), ct).ConfigureAwait(false)).Run!;

    /// <inheritdoc />
    public async Task<MonitorRun> GetMonitorRunAsync(string runId, CancellationToken ct = default) =>
        (await transport.GetAsync<MonitorRunResponse>(Monitors + "runs/get", [("run_id", runId)], ct).ConfigureAwait(false)).Run!;

    /// <inheritdoc />
    public async Task<IReadOnlyList<MonitorRun>> ListMonitorRunsAsync(string? monitorName = null, int maxResults = 100, CancellationToken ct = default) =>
        (await transport.GetAsync<MonitorRunsResponse>(Monitors + "runs/list", [("monitor_name", monitorName), ("max_results", Max(maxResults))], ct).ConfigureAwait(false)).Runs ?? [];

    /// <inheritdoc />
    public async Task<IReadOnlyList<AlertState>> ListAlertStatesAsync(string? monitorName = null, CancellationToken ct = default) =>
        (await transport.GetAsync<AlertStatesResponse>(Monitors + "alerts/list", [("monitor_name", monitorName)], ct).ConfigureAwait(false)).AlertStates ?? [];

    /// <inheritdoc />
    public Task SaveAlertStateAsync(AlertState state, CancellationToken ct = default) =>
        transport.PostAsync<object>(Monitors + "alerts/save-state", state, ct);

    /// <inheritdoc />
    public Task AppendAlertEventAsync(AlertEvent alertEvent, CancellationToken ct = default) =>
        transport.PostAsync<object>(Monitors + "alerts/append-event", alertEvent, ct);

    /// <inheritdoc />
    public async Task<IReadOnlyList<AlertEvent>> ListAlertEventsAsync(string? monitorName = null, int maxResults = 100, CancellationToken ct = default) =>
        (await transport.GetAsync<AlertEventsResponse>(Monitors + "alerts/events", [("monitor_name", monitorName), ("max_results", Max(maxResults))], ct).ConfigureAwait(false)).Events ?? [];

    /// <inheritdoc />
    public async Task<int> AddFeedbackAsync(IReadOnlyList<FeedbackLabel> labels, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var body = new AddFeedbackRequest(labels.Select(l => (FeedbackLabelBody?)new FeedbackLabelBody(l.RequestId, l.Row, l.Label, l.Timestamp)).ToList());
        return (await transport.PostAsync<AddFeedbackResponse>(Feedback, body, ct).ConfigureAwait(false)).Stored;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<FeedbackLabel>> GetFeedbackAsync(IReadOnlyCollection<string> requestIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(requestIds);
        var labels = new List<FeedbackLabel>();
        foreach (var chunk in requestIds.Distinct(StringComparer.Ordinal).Chunk(RequestIdsPerCall))
            labels.AddRange((await transport.PostAsync<FeedbackResponse>(Feedback + "/get", new GetFeedbackRequest(chunk), ct).ConfigureAwait(false)).Labels ?? []);
        return labels;
    }
}
