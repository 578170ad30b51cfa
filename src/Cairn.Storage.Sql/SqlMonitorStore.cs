using System.Data.Common;
using System.Text;
using System.Text.Json;
using Cairn.Monitoring;
using static Cairn.Storage.Sql.SqlCommands;

namespace Cairn.Storage.Sql;

/// <summary>
/// Monitors, their runs, alert states and events, and feedback labels in the metadata database.
/// The lease is the run table's unique key (monitor, run key): an insert that conflicts does
/// nothing, so exactly one server runs each window.
/// </summary>
public sealed class SqlMonitorStore(SqlDatabase database, TimeProvider? time = null) : IMonitorStore
{
    private const string MonitorColumns = "name, spec, enabled, creation_time, active_since";
    private const string RunColumns = "run_id, monitor_name, run_key, window_start, window_end, status, owner, tracking_run_id, run_values, error, creation_time, end_time";
    private const string StateColumns = "monitor_name, alert_name, state, severity, value, message, since, last_notified, updated_time";
    private const string EventColumns = "event_id, monitor_name, alert_name, state, severity, value, message, monitor_run_id, event_time";
    /// <summary>Rows per multi-row statement: 4 parameters each stays far below either database's limit.</summary>
    private const int Batch = 500;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static CairnException NoMonitor(string name) =>
        CairnException.NotFound($"There is no monitor named '{name}' (see `cairn monitor list`).");

    public async Task<MonitorRecord> CreateMonitorAsync(MonitorSpec spec, CancellationToken ct = default)
    {
        var s = MonitorSpecRules.Validate(spec);
        var now = Now;
        var inserted = await database.WriteAsync((c, t) => Exec(c, t,
            $"INSERT INTO monitors ({MonitorColumns}) VALUES (@n, @s, 1, @now, @now) ON CONFLICT (name) DO NOTHING",
            ("@n", s.Name), ("@s", SpecJson(s)), ("@now", now)), ct).ConfigureAwait(false);
        if (inserted == 0) throw CairnException.AlreadyExists($"A monitor named '{s.Name}' already exists; update it, remove it first or pick another name.");
        return await GetMonitorAsync(s.Name, ct).ConfigureAwait(false);
    }

    public async Task<MonitorRecord> UpdateMonitorAsync(MonitorSpec spec, CancellationToken ct = default)
    {
        var s = MonitorSpecRules.Validate(spec);
        var changed = await database.WriteAsync((c, t) => Exec(c, t, "UPDATE monitors SET spec = @s WHERE name = @n",
            ("@s", SpecJson(s)), ("@n", s.Name)), ct).ConfigureAwait(false);
        if (changed == 0) throw NoMonitor(s.Name);
        return await GetMonitorAsync(s.Name, ct).ConfigureAwait(false);
    }

    public Task<MonitorRecord> GetMonitorAsync(string name, CancellationToken ct = default)
    {
        MonitorSpecRules.Name(name);
        using var c = database.Open();
        return Task.FromResult(ReadMonitors(c, "WHERE name = @n", ("@n", name)).SingleOrDefault() ?? throw NoMonitor(name));
    }

    public Task<IReadOnlyList<MonitorRecord>> ListMonitorsAsync(CancellationToken ct = default)
    {
        using var c = database.Open();
        return Task.FromResult<IReadOnlyList<MonitorRecord>>(ReadMonitors(c, "ORDER BY name"));
    }

    public async Task<MonitorRecord> SetMonitorEnabledAsync(string name, bool enabled, CancellationToken ct = default)
    {
        MonitorSpecRules.Name(name);
        var now = Now;
        // Only a change to enabled moves active_since: windows missed while disabled never run.
        var changed = await database.WriteAsync((c, t) => Exec(c, t,
            "UPDATE monitors SET active_since = CASE WHEN enabled = 0 AND @e = 1 THEN @now ELSE active_since END, enabled = @e WHERE name = @n",
            ("@e", enabled ? 1 : 0), ("@now", now), ("@n", name)), ct).ConfigureAwait(false);
        if (changed == 0) throw NoMonitor(name);
        return await GetMonitorAsync(name, ct).ConfigureAwait(false);
    }

    public async Task DeleteMonitorAsync(string name, CancellationToken ct = default)
    {
        MonitorSpecRules.Name(name);
        var deleted = await database.WriteAsync((c, t) =>
        {
            // The current alert states go with the monitor (a new one of the same name starts clean); runs and events stay as history.
            Exec(c, t, "DELETE FROM alert_states WHERE monitor_name = @n", ("@n", name));
            return Exec(c, t, "DELETE FROM monitors WHERE name = @n", ("@n", name));
        }, ct).ConfigureAwait(false);
        if (deleted == 0) throw NoMonitor(name);
    }

    public async Task<MonitorRun?> TryClaimMonitorRunAsync(NewMonitorRun run, CancellationToken ct = default)
    {
        var r = MonitorRecordRules.Run(run);
        var id = Ids.NewId();
        var inserted = await database.WriteAsync((c, t) => Exec(c, t,
            $"INSERT INTO monitor_runs ({RunColumns}) VALUES (@id, @m, @k, @ws, @we, @st, @o, NULL, '{{}}', NULL, @now, NULL) ON CONFLICT (monitor_name, run_key) DO NOTHING",
            ("@id", id), ("@m", r.MonitorName), ("@k", r.RunKey), ("@ws", r.WindowStart), ("@we", r.WindowEnd),
            ("@st", MonitorRunStatuses.Running), ("@o", r.Owner), ("@now", Now)), ct).ConfigureAwait(false);
        return inserted == 1 ? GetRun(id) : null;
    }

    public async Task<MonitorRun> FinishMonitorRunAsync(string runId, string status, string? trackingRunId, IReadOnlyDictionary<string, double> values,
        string? error, CancellationToken ct = default)
    {
        MonitorRecordRules.RunId(runId);
        MonitorRecordRules.FinishStatus(status);
        if (trackingRunId is not null && !Ids.IsValid(trackingRunId))
            throw CairnException.InvalidParameter($"Invalid tracking run id '{trackingRunId}': expected 32 hex characters.");
        var json = JsonSerializer.Serialize(MonitorRecordRules.Values(values), CairnJson.Options);
        if (error is { Length: > MonitorRecordRules.MaxMessageLength }) error = error[..MonitorRecordRules.MaxMessageLength];
        var changed = await database.WriteAsync((c, t) => Exec(c, t,
            "UPDATE monitor_runs SET status = @s, tracking_run_id = @tr, run_values = @v, error = @e, end_time = @now WHERE run_id = @id AND status = @running",
            ("@s", status), ("@tr", trackingRunId), ("@v", json), ("@e", error), ("@now", Now), ("@id", runId), ("@running", MonitorRunStatuses.Running)), ct).ConfigureAwait(false);
        var finished = GetRun(runId) ?? throw CairnException.NotFound($"There is no monitor run '{runId}'.");
        return changed == 1 ? finished : throw CairnException.InvalidState($"The monitor run {runId} is {finished.Status}, not running: it cannot finish again.");
    }

    public Task<MonitorRun> GetMonitorRunAsync(string runId, CancellationToken ct = default)
    {
        MonitorRecordRules.RunId(runId);
        return Task.FromResult(GetRun(runId) ?? throw CairnException.NotFound($"There is no monitor run '{runId}' (see `cairn monitor runs NAME`)."));
    }

    public Task<IReadOnlyList<MonitorRun>> ListMonitorRunsAsync(string? monitorName = null, int maxResults = 100, CancellationToken ct = default)
    {
        MaxResults(maxResults);
        using var c = database.Open();
        // Newest window first; a window's reruns (other keys) by creation.
        const string order = "ORDER BY window_end DESC, creation_time DESC, run_id DESC";
        var runs = monitorName is null
            ? ReadRuns(c, $"{order} LIMIT {maxResults}")
            : ReadRuns(c, $"WHERE monitor_name = @n {order} LIMIT {maxResults}", ("@n", MonitorSpecRules.Name(monitorName)));
        return Task.FromResult<IReadOnlyList<MonitorRun>>(runs);
    }

    public Task<IReadOnlyList<AlertState>> ListAlertStatesAsync(string? monitorName = null, CancellationToken ct = default)
    {
        using var c = database.Open();
        var states = monitorName is null
            ? ReadStates(c, "ORDER BY monitor_name, alert_name")
            : ReadStates(c, "WHERE monitor_name = @n ORDER BY alert_name", ("@n", MonitorSpecRules.Name(monitorName)));
        return Task.FromResult<IReadOnlyList<AlertState>>(states);
    }

    public Task SaveAlertStateAsync(AlertState state, CancellationToken ct = default)
    {
        var s = MonitorRecordRules.State(state);
        return database.WriteAsync((c, t) => Exec(c, t,
            $"""
            INSERT INTO alert_states ({StateColumns}) VALUES (@m, @a, @st, @sev, @v, @msg, @since, @ln, @u)
            ON CONFLICT (monitor_name, alert_name) DO UPDATE SET state = excluded.state, severity = excluded.severity, value = excluded.value,
                message = excluded.message, since = excluded.since, last_notified = excluded.last_notified, updated_time = excluded.updated_time
            """,
            ("@m", s.MonitorName), ("@a", s.AlertName), ("@st", s.State), ("@sev", s.Severity), ("@v", Real(s.Value)), ("@msg", s.Message),
            ("@since", s.Since), ("@ln", s.LastNotified), ("@u", s.UpdatedTime)), ct);
    }

    public Task AppendAlertEventAsync(AlertEvent alertEvent, CancellationToken ct = default)
    {
        var e = MonitorRecordRules.Event(alertEvent);
        // The event id makes a retried append harmless.
        return database.WriteAsync((c, t) => Exec(c, t,
            $"INSERT INTO alert_events ({EventColumns}) VALUES (@id, @m, @a, @st, @sev, @v, @msg, @r, @ts) ON CONFLICT (event_id) DO NOTHING",
            ("@id", e.EventId), ("@m", e.MonitorName), ("@a", e.AlertName), ("@st", e.State), ("@sev", e.Severity), ("@v", Real(e.Value)),
            ("@msg", e.Message), ("@r", e.MonitorRunId), ("@ts", e.Timestamp)), ct);
    }

    public Task<IReadOnlyList<AlertEvent>> ListAlertEventsAsync(string? monitorName = null, int maxResults = 100, CancellationToken ct = default)
    {
        MaxResults(maxResults);
        using var c = database.Open();
        const string order = "ORDER BY event_time DESC, event_id DESC";
        var events = monitorName is null
            ? ReadEvents(c, $"{order} LIMIT {maxResults}")
            : ReadEvents(c, $"WHERE monitor_name = @n {order} LIMIT {maxResults}", ("@n", MonitorSpecRules.Name(monitorName)));
        return Task.FromResult<IReadOnlyList<AlertEvent>>(events);
    }

    public async Task<int> AddFeedbackAsync(IReadOnlyList<FeedbackLabel> labels, CancellationToken ct = default)
    {
        MonitorRecordRules.Feedback(labels);
        if (labels.Count == 0) return 0;
        // The last label for a request and row wins, within the call as across calls.
        var latest = new Dictionary<(string, int), FeedbackLabel>();
        foreach (var label in labels) latest[(label.RequestId, label.Row)] = label;
        var rows = latest.Values.ToList();
        await database.WriteAsync((c, t) =>
        {
            foreach (var chunk in rows.Chunk(Batch))
            {
                using var command = c.CreateCommand();
                command.Transaction = t;
                var sql = new StringBuilder("INSERT INTO monitor_feedback (request_id, row_index, label, label_time) VALUES ");
                for (var i = 0; i < chunk.Length; i++)
                {
                    sql.Append(i == 0 ? "" : ", ").Append($"(@r{i}, @i{i}, @l{i}, @t{i})");
                    Param(command, $"@r{i}", chunk[i].RequestId);
                    Param(command, $"@i{i}", (long)chunk[i].Row);
                    Param(command, $"@l{i}", chunk[i].Label);
                    Param(command, $"@t{i}", chunk[i].Timestamp);
                }
                sql.Append(" ON CONFLICT (request_id, row_index) DO UPDATE SET label = excluded.label, label_time = excluded.label_time");
                command.CommandText = sql.ToString();
                command.ExecuteNonQuery();
            }
        }, ct).ConfigureAwait(false);
        return labels.Count;
    }

    public Task<IReadOnlyList<FeedbackLabel>> GetFeedbackAsync(IReadOnlyCollection<string> requestIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(requestIds);
        var ids = requestIds.Distinct(StringComparer.Ordinal).ToList();
        foreach (var id in ids) MonitorRecordRules.RequestId(id);
        var labels = new List<FeedbackLabel>();
        using var c = database.Open();
        foreach (var chunk in ids.Chunk(Batch))
        {
            var names = chunk.Select((_, i) => $"@r{i}").ToList();
            using var command = Command(c, null,
                $"SELECT request_id, row_index, label, label_time FROM monitor_feedback WHERE request_id IN ({string.Join(", ", names)}) ORDER BY request_id, row_index",
                chunk.Select((id, i) => (names[i], (object?)id)));
            using var r = command.ExecuteReader();
            while (r.Read()) labels.Add(new FeedbackLabel(r.GetString(0), (int)r.GetInt64(1), r.GetDouble(2), r.GetInt64(3)));
        }
        return Task.FromResult<IReadOnlyList<FeedbackLabel>>(labels);
    }

    private static void MaxResults(int maxResults)
    {
        if (maxResults is < 1 or > 10_000) throw CairnException.InvalidParameter($"Invalid value {maxResults} for max_results: it must be between 1 and 10000.");
    }

    /// <summary>SQLite stores NaN as NULL anyway; say so for both databases.</summary>
    private static object? Real(double? value) => value is { } v && !double.IsNaN(v) ? v : null;

    private static string SpecJson(MonitorSpec spec) => JsonSerializer.Serialize(spec, CairnJson.Options);

    private MonitorRun? GetRun(string id)
    {
        using var c = database.Open();
        return ReadRuns(c, "WHERE run_id = @id", ("@id", id)).SingleOrDefault();
    }

    private static List<MonitorRecord> ReadMonitors(DbConnection c, string where, params (string, object?)[] parameters)
    {
        using var command = Command(c, null, $"SELECT {MonitorColumns} FROM monitors {where}", parameters);
        using var r = command.ExecuteReader();
        var list = new List<MonitorRecord>();
        while (r.Read())
            list.Add(new MonitorRecord(JsonSerializer.Deserialize<MonitorSpec>(r.GetString(1), CairnJson.Options)!,
                Convert.ToInt64(r.GetValue(2)) != 0, r.GetInt64(3), r.GetInt64(4)));
        return list;
    }

    private static List<MonitorRun> ReadRuns(DbConnection c, string where, params (string, object?)[] parameters)
    {
        using var command = Command(c, null, $"SELECT {RunColumns} FROM monitor_runs {where}", parameters);
        using var r = command.ExecuteReader();
        var list = new List<MonitorRun>();
        while (r.Read())
        {
            string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            var values = JsonSerializer.Deserialize<Dictionary<string, double>>(r.GetString(8), CairnJson.Options) ?? [];
            list.Add(new MonitorRun(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4), r.GetString(5), Text(6), Text(7),
                values, Text(9), r.GetInt64(10), r.IsDBNull(11) ? null : r.GetInt64(11)));
        }
        return list;
    }

    private static List<AlertState> ReadStates(DbConnection c, string where, params (string, object?)[] parameters)
    {
        using var command = Command(c, null, $"SELECT {StateColumns} FROM alert_states {where}", parameters);
        using var r = command.ExecuteReader();
        var list = new List<AlertState>();
        while (r.Read())
            list.Add(new AlertState(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetDouble(4),
                r.GetString(5), r.GetInt64(6), r.IsDBNull(7) ? null : r.GetInt64(7), r.GetInt64(8)));
        return list;
    }

    private static List<AlertEvent> ReadEvents(DbConnection c, string where, params (string, object?)[] parameters)
    {
        using var command = Command(c, null, $"SELECT {EventColumns} FROM alert_events {where}", parameters);
        using var r = command.ExecuteReader();
        var list = new List<AlertEvent>();
        while (r.Read())
            list.Add(new AlertEvent(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetDouble(5),
                r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.GetInt64(8)));
        return list;
    }
}
