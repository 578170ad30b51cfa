using System.Data.Common;
using System.Text.Json;
using Cairn.Pipelines;
using static Cairn.Storage.Sql.SqlCommands;

namespace Cairn.Storage.Sql;

/// <summary>
/// Schedules, triggers and the fire log in the metadata database. The lease is the fire log's
/// unique key (source, key): an insert that conflicts does nothing, so exactly one server gets a fire.
/// </summary>
public sealed class SqlPipelineScheduleStore(SqlDatabase database, TimeProvider? time = null) : IPipelineScheduleStore
{
    private const string ScheduleColumns = "name, pipeline_file, cron, time_zone, parameters, enabled, creation_time, active_since";
    private const string TriggerColumns = "name, pipeline_file, event, source, parameter_name, parameters, enabled, creation_time, baseline_version";
    private const string FireColumns = "fire_id, source_kind, source_name, fire_key, pipeline_file, fire_time, parameters, status, owner, pipeline_run_id, error, creation_time, end_time";
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task<PipelineSchedule> CreateScheduleAsync(NewPipelineSchedule schedule, CancellationToken ct = default)
    {
        var s = ScheduleRules.Schedule(schedule);
        var now = Now;
        var inserted = await database.WriteAsync((c, t) => Exec(c, t,
            $"INSERT INTO pipeline_schedules ({ScheduleColumns}) VALUES (@n, @f, @c, @z, @p, @e, @now, @now) ON CONFLICT (name) DO NOTHING",
            ("@n", s.Name), ("@f", s.PipelineFile), ("@c", s.Cron), ("@z", s.TimeZone), ("@p", Json(s.Parameters)), ("@e", s.Enabled ? 1 : 0), ("@now", now)), ct).ConfigureAwait(false);
        if (inserted == 0) throw CairnException.AlreadyExists($"A schedule named '{s.Name}' already exists; remove it first or pick another name.");
        return await GetScheduleAsync(s.Name, ct).ConfigureAwait(false);
    }

    public Task<PipelineSchedule> GetScheduleAsync(string name, CancellationToken ct = default)
    {
        ScheduleRules.Name(name, "schedule");
        using var c = database.Open();
        return Task.FromResult(ReadSchedules(c, "WHERE name = @n", ("@n", name)).SingleOrDefault()
            ?? throw CairnException.NotFound($"There is no schedule named '{name}' (see `cairn pipeline schedule list`)."));
    }

    public Task<IReadOnlyList<PipelineSchedule>> ListSchedulesAsync(CancellationToken ct = default)
    {
        using var c = database.Open();
        return Task.FromResult<IReadOnlyList<PipelineSchedule>>(ReadSchedules(c, "ORDER BY name"));
    }

    public async Task<PipelineSchedule> SetScheduleEnabledAsync(string name, bool enabled, CancellationToken ct = default)
    {
        ScheduleRules.Name(name, "schedule");
        var now = Now;
        // Only a change to enabled moves active_since: enabling twice keeps the first time.
        var changed = await database.WriteAsync((c, t) => Exec(c, t,
            "UPDATE pipeline_schedules SET active_since = CASE WHEN enabled = 0 AND @e = 1 THEN @now ELSE active_since END, enabled = @e WHERE name = @n",
            ("@e", enabled ? 1 : 0), ("@now", now), ("@n", name)), ct).ConfigureAwait(false);
        if (changed == 0) throw CairnException.NotFound($"There is no schedule named '{name}' (see `cairn pipeline schedule list`).");
        return await GetScheduleAsync(name, ct).ConfigureAwait(false);
    }

    public async Task DeleteScheduleAsync(string name, CancellationToken ct = default)
    {
        ScheduleRules.Name(name, "schedule");
        var deleted = await database.WriteAsync((c, t) => Exec(c, t, "DELETE FROM pipeline_schedules WHERE name = @n", ("@n", name)), ct).ConfigureAwait(false);
        if (deleted == 0) throw CairnException.NotFound($"There is no schedule named '{name}' (see `cairn pipeline schedule list`).");
    }

    public async Task<PipelineTrigger> CreateTriggerAsync(NewPipelineTrigger trigger, CancellationToken ct = default)
    {
        var tr = ScheduleRules.Trigger(trigger);
        var now = Now;
        var inserted = await database.WriteAsync((c, t) =>
        {
            // Versions that exist now are old news: only newer ones fire.
            var baseline = tr.Event == TriggerEvents.Dataset
                ? ScalarLong(c, t, "SELECT COALESCE(MAX(version), 0) FROM dataset_versions WHERE name = @n", ("@n", tr.Source)) ?? 0
                : 0;
            return Exec(c, t, $"INSERT INTO pipeline_triggers ({TriggerColumns}) VALUES (@n, @f, @ev, @s, @pn, @p, @e, @now, @b) ON CONFLICT (name) DO NOTHING",
                ("@n", tr.Name), ("@f", tr.PipelineFile), ("@ev", tr.Event), ("@s", tr.Source), ("@pn", tr.ParameterName),
                ("@p", Json(tr.Parameters)), ("@e", tr.Enabled ? 1 : 0), ("@now", now), ("@b", baseline));
        }, ct).ConfigureAwait(false);
        if (inserted == 0) throw CairnException.AlreadyExists($"A trigger named '{tr.Name}' already exists; remove it first or pick another name.");
        return await GetTriggerAsync(tr.Name, ct).ConfigureAwait(false);
    }

    public Task<PipelineTrigger> GetTriggerAsync(string name, CancellationToken ct = default)
    {
        ScheduleRules.Name(name, "trigger");
        using var c = database.Open();
        return Task.FromResult(ReadTriggers(c, "WHERE name = @n", ("@n", name)).SingleOrDefault()
            ?? throw CairnException.NotFound($"There is no trigger named '{name}' (see `cairn pipeline trigger list`)."));
    }

    public Task<IReadOnlyList<PipelineTrigger>> ListTriggersAsync(CancellationToken ct = default)
    {
        using var c = database.Open();
        return Task.FromResult<IReadOnlyList<PipelineTrigger>>(ReadTriggers(c, "ORDER BY name"));
    }

    public async Task DeleteTriggerAsync(string name, CancellationToken ct = default)
    {
        ScheduleRules.Name(name, "trigger");
        var deleted = await database.WriteAsync((c, t) => Exec(c, t, "DELETE FROM pipeline_triggers WHERE name = @n", ("@n", name)), ct).ConfigureAwait(false);
        if (deleted == 0) throw CairnException.NotFound($"There is no trigger named '{name}' (see `cairn pipeline trigger list`).");
    }

    public async Task<PipelineFire?> TryClaimFireAsync(NewPipelineFire fire, CancellationToken ct = default)
    {
        var f = ScheduleRules.Fire(fire);
        var id = Ids.NewId();
        var inserted = await database.WriteAsync((c, t) => Exec(c, t,
            $"INSERT INTO pipeline_fires ({FireColumns}) VALUES (@id, @k, @n, @key, @f, @ft, @p, @st, @o, NULL, NULL, @now, NULL) ON CONFLICT (source_kind, source_name, fire_key) DO NOTHING",
            ("@id", id), ("@k", f.SourceKind), ("@n", f.SourceName), ("@key", f.FireKey), ("@f", f.PipelineFile), ("@ft", f.FireTime),
            ("@p", Json(f.Parameters)), ("@st", f.Owner is null ? FireStatuses.Pending : FireStatuses.Running), ("@o", f.Owner), ("@now", Now)), ct).ConfigureAwait(false);
        return inserted == 1 ? GetFire(id) : null;
    }

    public async Task<PipelineFire?> ClaimPendingFireAsync(string owner, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(owner) || owner.Length > 256 || owner.Any(char.IsControl))
            throw CairnException.InvalidParameter("A fire owner must be 1 to 256 printable characters.");
        var claimed = await database.WriteAsync((c, t) =>
        {
            using var command = Command(c, t, "SELECT fire_id FROM pipeline_fires WHERE status = @p ORDER BY creation_time, fire_id LIMIT 1", [("@p", FireStatuses.Pending)]);
            if (command.ExecuteScalar() is not string id) return null;
            // The status in the WHERE is the lease: of two servers that picked the same row, one updates it.
            return Exec(c, t, "UPDATE pipeline_fires SET status = @r, owner = @o WHERE fire_id = @id AND status = @p",
                ("@r", FireStatuses.Running), ("@o", owner), ("@id", id), ("@p", FireStatuses.Pending)) == 1 ? id : null;
        }, ct).ConfigureAwait(false);
        return claimed is null ? null : GetFire(claimed);
    }

    public async Task<PipelineFire> FinishFireAsync(string fireId, string status, string? pipelineRunId, string? error, CancellationToken ct = default)
    {
        if (!Ids.IsValid(fireId)) throw CairnException.InvalidParameter($"Invalid fire id '{fireId}': expected 32 hex characters.");
        ScheduleRules.FinishStatus(status);
        if (pipelineRunId is not null && !Ids.IsValid(pipelineRunId))
            throw CairnException.InvalidParameter($"Invalid pipeline run id '{pipelineRunId}': expected 32 hex characters.");
        if (error is { Length: > 8000 }) error = error[..8000];
        var changed = await database.WriteAsync((c, t) => Exec(c, t,
            "UPDATE pipeline_fires SET status = @s, pipeline_run_id = @r, error = @e, end_time = @now WHERE fire_id = @id AND status = @running",
            ("@s", status), ("@r", pipelineRunId), ("@e", error), ("@now", Now), ("@id", fireId), ("@running", FireStatuses.Running)), ct).ConfigureAwait(false);
        var fire = GetFire(fireId) ?? throw CairnException.NotFound($"There is no fire '{fireId}'.");
        return changed == 1 ? fire : throw CairnException.InvalidState($"The fire {fireId} is {fire.Status}, not running: it cannot finish again.");
    }

    public Task<IReadOnlyList<PipelineFire>> ListFiresAsync(string? sourceName = null, int maxResults = 100, CancellationToken ct = default)
    {
        if (maxResults is < 1 or > 10_000) throw CairnException.InvalidParameter($"Invalid value {maxResults} for max_results: it must be between 1 and 10000.");
        if (sourceName is not null) ScheduleRules.Name(sourceName, "schedule or trigger");
        using var c = database.Open();
        var fires = sourceName is null
            ? ReadFires(c, $"ORDER BY creation_time DESC, fire_id DESC LIMIT {maxResults}")
            : ReadFires(c, $"WHERE source_name = @n ORDER BY creation_time DESC, fire_id DESC LIMIT {maxResults}", ("@n", sourceName));
        return Task.FromResult<IReadOnlyList<PipelineFire>>(fires);
    }

    private PipelineFire? GetFire(string id)
    {
        using var c = database.Open();
        return ReadFires(c, "WHERE fire_id = @id", ("@id", id)).SingleOrDefault();
    }

    private static string Json(IReadOnlyDictionary<string, string>? parameters) =>
        JsonSerializer.Serialize(parameters ?? new Dictionary<string, string>(), CairnJson.Options);

    private static Dictionary<string, string> Parameters(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json, CairnJson.Options) ?? [];

    private static List<PipelineSchedule> ReadSchedules(DbConnection c, string where, params (string, object?)[] parameters)
    {
        using var command = Command(c, null, $"SELECT {ScheduleColumns} FROM pipeline_schedules {where}", parameters);
        using var r = command.ExecuteReader();
        var list = new List<PipelineSchedule>();
        while (r.Read())
            list.Add(new PipelineSchedule(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Parameters(r.GetString(4)),
                Convert.ToInt64(r.GetValue(5)) != 0, r.GetInt64(6), r.GetInt64(7)));
        return list;
    }

    private static List<PipelineTrigger> ReadTriggers(DbConnection c, string where, params (string, object?)[] parameters)
    {
        using var command = Command(c, null, $"SELECT {TriggerColumns} FROM pipeline_triggers {where}", parameters);
        using var r = command.ExecuteReader();
        var list = new List<PipelineTrigger>();
        while (r.Read())
            list.Add(new PipelineTrigger(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                Parameters(r.GetString(5)), Convert.ToInt64(r.GetValue(6)) != 0, r.GetInt64(7), r.GetInt64(8)));
        return list;
    }

    private static List<PipelineFire> ReadFires(DbConnection c, string where, params (string, object?)[] parameters)
    {
        using var command = Command(c, null, $"SELECT {FireColumns} FROM pipeline_fires {where}", parameters);
        using var r = command.ExecuteReader();
        var list = new List<PipelineFire>();
        while (r.Read())
        {
            string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
            list.Add(new PipelineFire(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5),
                Parameters(r.GetString(6)), r.GetString(7), Text(8), Text(9), Text(10), r.GetInt64(11), r.IsDBNull(12) ? null : r.GetInt64(12)));
        }
        return list;
    }
}
