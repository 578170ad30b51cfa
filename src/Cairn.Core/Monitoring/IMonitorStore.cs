namespace Cairn.Monitoring;

/// <summary>
/// Monitors, their runs, alert states and history, and ground-truth feedback. Implemented by the
/// SQL stores (SQLite, PostgreSQL) and the REST client; one contract suite runs over each.
/// </summary>
public interface IMonitorStore
{
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a bad name, model URI, window, cron, rule or destination; RESOURCE_ALREADY_EXISTS for a taken name.</exception>
    Task<MonitorRecord> CreateMonitorAsync(MonitorSpec spec, CancellationToken ct = default);

    /// <summary>Replaces the spec of an existing monitor (same validation as create).</summary>
    Task<MonitorRecord> UpdateMonitorAsync(MonitorSpec spec, CancellationToken ct = default);

    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST.</exception>
    Task<MonitorRecord> GetMonitorAsync(string name, CancellationToken ct = default);

    /// <summary>Every monitor, by name.</summary>
    Task<IReadOnlyList<MonitorRecord>> ListMonitorsAsync(CancellationToken ct = default);

    /// <summary>Enables or disables a monitor; enabling a disabled one moves its active-since time to now, so windows missed while disabled never run.</summary>
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST.</exception>
    Task<MonitorRecord> SetMonitorEnabledAsync(string name, bool enabled, CancellationToken ct = default);

    /// <summary>Removes the monitor; its runs and alert history stay.</summary>
    Task DeleteMonitorAsync(string name, CancellationToken ct = default);

    /// <summary>The lease: records a running monitor run unless one with the same monitor and key exists; exactly one caller gets it back, the others null.</summary>
    Task<MonitorRun?> TryClaimMonitorRunAsync(NewMonitorRun run, CancellationToken ct = default);

    /// <summary>Records how a running monitor run ended: its status, tracking run, computed values and error.</summary>
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST; INVALID_STATE when the run is not running (it finished already).</exception>
    Task<MonitorRun> FinishMonitorRunAsync(string runId, string status, string? trackingRunId, IReadOnlyDictionary<string, double> values, string? error, CancellationToken ct = default);

    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST.</exception>
    Task<MonitorRun> GetMonitorRunAsync(string runId, CancellationToken ct = default);

    /// <summary>Runs, newest first; of one monitor when given.</summary>
    Task<IReadOnlyList<MonitorRun>> ListMonitorRunsAsync(string? monitorName = null, int maxResults = 100, CancellationToken ct = default);

    /// <summary>The current state of each alert, of one monitor when given.</summary>
    Task<IReadOnlyList<AlertState>> ListAlertStatesAsync(string? monitorName = null, CancellationToken ct = default);

    /// <summary>Stores an alert's current state, replacing the one saved for the same monitor and alert.</summary>
    Task SaveAlertStateAsync(AlertState state, CancellationToken ct = default);

    /// <summary>Appends to the alert history; appending the same event id again changes nothing.</summary>
    Task AppendAlertEventAsync(AlertEvent alertEvent, CancellationToken ct = default);

    /// <summary>Alert events, newest first; of one monitor when given.</summary>
    Task<IReadOnlyList<AlertEvent>> ListAlertEventsAsync(string? monitorName = null, int maxResults = 100, CancellationToken ct = default);

    /// <summary>Stores labels (a label sent again for the same request and row replaces the earlier one); returns how many were stored. Durable when it returns.</summary>
    Task<int> AddFeedbackAsync(IReadOnlyList<FeedbackLabel> labels, CancellationToken ct = default);

    /// <summary>The labels of these request ids (any rows).</summary>
    Task<IReadOnlyList<FeedbackLabel>> GetFeedbackAsync(IReadOnlyCollection<string> requestIds, CancellationToken ct = default);
}
