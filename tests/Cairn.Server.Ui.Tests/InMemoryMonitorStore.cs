using Cairn.Monitoring;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// A monitor store in memory for the page tests: it keeps what it is given and lists it as the
/// interface says (runs and events newest first). It checks nothing, so a test can store what
/// the SQL stores would refuse (a name with markup) and see how the pages show it.
/// </summary>
public sealed class InMemoryMonitorStore : IMonitorStore
{
    private readonly Dictionary<string, MonitorRecord> _monitors = new(StringComparer.Ordinal);
    private readonly List<MonitorRun> _runs = [];
    private readonly Dictionary<(string, string), AlertState> _states = [];
    private readonly List<AlertEvent> _events = [];
    private readonly List<FeedbackLabel> _feedback = [];
    private readonly Lock _lock = new();

    public Task<MonitorRecord> CreateMonitorAsync(MonitorSpec spec, CancellationToken ct = default)
    {
        lock (_lock)
        {
            if (_monitors.ContainsKey(spec.Name)) throw CairnException.AlreadyExists($"Monitor '{spec.Name}' already exists.");
            return Task.FromResult(_monitors[spec.Name] = new MonitorRecord(spec, true, 1_760_000_000_000L, 1_760_000_000_000L));
        }
    }

    public Task<MonitorRecord> UpdateMonitorAsync(MonitorSpec spec, CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult(_monitors[spec.Name] = Get(spec.Name) with { Spec = spec });
    }

    public Task<MonitorRecord> GetMonitorAsync(string name, CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult(Get(name));
    }

    private MonitorRecord Get(string name) =>
        _monitors.TryGetValue(name, out var monitor) ? monitor : throw CairnException.NotFound($"No monitor named '{name}'.");

    public Task<IReadOnlyList<MonitorRecord>> ListMonitorsAsync(CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<MonitorRecord>>(_monitors.Values.ToList());
    }

    public Task<MonitorRecord> SetMonitorEnabledAsync(string name, bool enabled, CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult(_monitors[name] = Get(name) with { Enabled = enabled });
    }

    public Task DeleteMonitorAsync(string name, CancellationToken ct = default)
    {
        lock (_lock) _monitors.Remove(name);
        return Task.CompletedTask;
    }

    /// <summary>Adds a finished run as a monitor run would end (the tests write runs directly).</summary>
    public MonitorRun AddRun(string monitor, long windowStart, long windowEnd, string status, IReadOnlyDictionary<string, double> values,
        string? trackingRunId = null, string? error = null)
    {
        var run = new MonitorRun(Guid.NewGuid().ToString("N"), monitor, windowEnd.ToString(System.Globalization.CultureInfo.InvariantCulture),
            windowStart, windowEnd, status, "test", trackingRunId, values, error, windowEnd, status == MonitorRunStatuses.Running ? null : windowEnd + 5_000);
        lock (_lock) _runs.Add(run);
        return run;
    }

    public Task<MonitorRun?> TryClaimMonitorRunAsync(NewMonitorRun run, CancellationToken ct = default)
    {
        lock (_lock)
        {
            if (_runs.Any(r => r.MonitorName == run.MonitorName && r.RunKey == run.RunKey)) return Task.FromResult<MonitorRun?>(null);
            var claimed = new MonitorRun(Guid.NewGuid().ToString("N"), run.MonitorName, run.RunKey, run.WindowStart, run.WindowEnd,
                MonitorRunStatuses.Running, run.Owner, null, new Dictionary<string, double>(), null, run.WindowEnd, null);
            _runs.Add(claimed);
            return Task.FromResult<MonitorRun?>(claimed);
        }
    }

    public Task<MonitorRun> FinishMonitorRunAsync(string runId, string status, string? trackingRunId, IReadOnlyDictionary<string, double> values, string? error, CancellationToken ct = default)
    {
        lock (_lock)
        {
            var i = _runs.FindIndex(r => r.RunId == runId);
            if (i < 0) throw CairnException.NotFound($"No monitor run '{runId}'.");
            return Task.FromResult(_runs[i] = _runs[i] with { Status = status, TrackingRunId = trackingRunId, Values = values, Error = error, EndTime = _runs[i].WindowEnd + 5_000 });
        }
    }

    public Task<MonitorRun> GetMonitorRunAsync(string runId, CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult(_runs.FirstOrDefault(r => r.RunId == runId) ?? throw CairnException.NotFound($"No monitor run '{runId}'."));
    }

    public Task<IReadOnlyList<MonitorRun>> ListMonitorRunsAsync(string? monitorName = null, int maxResults = 100, CancellationToken ct = default)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<MonitorRun>>(_runs.Where(r => monitorName is null || r.MonitorName == monitorName)
                .OrderByDescending(r => r.CreationTime).Take(maxResults).ToList());
    }

    public Task<IReadOnlyList<AlertState>> ListAlertStatesAsync(string? monitorName = null, CancellationToken ct = default)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<AlertState>>(_states.Values.Where(s => monitorName is null || s.MonitorName == monitorName)
                .OrderBy(s => s.MonitorName, StringComparer.Ordinal).ThenBy(s => s.AlertName, StringComparer.Ordinal).ToList());
    }

    public Task SaveAlertStateAsync(AlertState state, CancellationToken ct = default)
    {
        lock (_lock) _states[(state.MonitorName, state.AlertName)] = state;
        return Task.CompletedTask;
    }

    public Task AppendAlertEventAsync(AlertEvent alertEvent, CancellationToken ct = default)
    {
        lock (_lock) _events.Add(alertEvent);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AlertEvent>> ListAlertEventsAsync(string? monitorName = null, int maxResults = 100, CancellationToken ct = default)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<AlertEvent>>(_events.Where(e => monitorName is null || e.MonitorName == monitorName)
                .OrderByDescending(e => e.Timestamp).Take(maxResults).ToList());
    }

    public Task<int> AddFeedbackAsync(IReadOnlyList<FeedbackLabel> labels, CancellationToken ct = default)
    {
        lock (_lock) _feedback.AddRange(labels);
        return Task.FromResult(labels.Count);
    }

    public Task<IReadOnlyList<FeedbackLabel>> GetFeedbackAsync(IReadOnlyCollection<string> requestIds, CancellationToken ct = default)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<FeedbackLabel>>(_feedback.Where(f => requestIds.Contains(f.RequestId)).ToList());
    }
}
