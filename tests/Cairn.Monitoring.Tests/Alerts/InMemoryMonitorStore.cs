using Cairn.Monitoring;

namespace Cairn.Monitoring.Tests.Alerts;

/// <summary>Just enough of a monitor store for the alert tests: monitors, runs, alert states and events in lists.</summary>
internal sealed class InMemoryMonitorStore : IMonitorStore
{
    private readonly object _lock = new();
    public List<MonitorRecord> Monitors { get; } = [];
    public List<MonitorRun> Runs { get; } = [];
    public List<AlertState> States { get; } = [];
    public List<AlertEvent> Events { get; } = [];

    public void Add(MonitorSpec spec) { lock (_lock) Monitors.Add(new MonitorRecord(spec, true, 0, 0)); }

    public MonitorRun AddRun(string monitor, string status, IReadOnlyDictionary<string, double> values, long endTime)
    {
        var run = new MonitorRun(Guid.NewGuid().ToString("N"), monitor, endTime.ToString(), endTime - 3_600_000, endTime, status, null, null,
            values, null, endTime - 1000, endTime);
        lock (_lock) Runs.Insert(0, run);
        return run;
    }

    public Task<IReadOnlyList<MonitorRecord>> ListMonitorsAsync(CancellationToken ct = default) { lock (_lock) return Task.FromResult<IReadOnlyList<MonitorRecord>>([.. Monitors]); }

    public Task<IReadOnlyList<MonitorRun>> ListMonitorRunsAsync(string? monitorName = null, int maxResults = 100, CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<MonitorRun>>([.. Runs.Where(r => monitorName is null || r.MonitorName == monitorName).Take(maxResults)]);
    }

    public Task<IReadOnlyList<AlertState>> ListAlertStatesAsync(string? monitorName = null, CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<AlertState>>([.. States.Where(s => monitorName is null || s.MonitorName == monitorName)]);
    }

    public Task SaveAlertStateAsync(AlertState state, CancellationToken ct = default)
    {
        lock (_lock)
        {
            States.RemoveAll(s => s.MonitorName == state.MonitorName && s.AlertName == state.AlertName);
            States.Add(state);
        }
        return Task.CompletedTask;
    }

    public Task AppendAlertEventAsync(AlertEvent alertEvent, CancellationToken ct = default)
    {
        lock (_lock) Events.Insert(0, alertEvent);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AlertEvent>> ListAlertEventsAsync(string? monitorName = null, int maxResults = 100, CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<AlertEvent>>([.. Events.Where(e => monitorName is null || e.MonitorName == monitorName).Take(maxResults)]);
    }

    public Task<MonitorRecord> CreateMonitorAsync(MonitorSpec spec, CancellationToken ct = default) => throw new NotSupportedException();
    public Task<MonitorRecord> UpdateMonitorAsync(MonitorSpec spec, CancellationToken ct = default) => throw new NotSupportedException();
    public Task<MonitorRecord> GetMonitorAsync(string name, CancellationToken ct = default) => throw new NotSupportedException();
    public Task<MonitorRecord> SetMonitorEnabledAsync(string name, bool enabled, CancellationToken ct = default) => throw new NotSupportedException();
    public Task DeleteMonitorAsync(string name, CancellationToken ct = default) => throw new NotSupportedException();
    public Task<MonitorRun?> TryClaimMonitorRunAsync(NewMonitorRun run, CancellationToken ct = default) => throw new NotSupportedException();
    public Task<MonitorRun> FinishMonitorRunAsync(string runId, string status, string? trackingRunId, IReadOnlyDictionary<string, double> values, string? error, CancellationToken ct = default) => throw new NotSupportedException();
    public Task<MonitorRun> GetMonitorRunAsync(string runId, CancellationToken ct = default) => throw new NotSupportedException();
    public Task<int> AddFeedbackAsync(IReadOnlyList<FeedbackLabel> labels, CancellationToken ct = default) => throw new NotSupportedException();
    public Task<IReadOnlyList<FeedbackLabel>> GetFeedbackAsync(IReadOnlyCollection<string> requestIds, CancellationToken ct = default) => throw new NotSupportedException();
}
