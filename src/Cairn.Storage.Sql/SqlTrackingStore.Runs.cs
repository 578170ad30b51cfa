using Cairn.Search;
using Cairn.Tracking;
using System.Data.Common;
using static Cairn.Storage.Sql.SqlCommands;

namespace Cairn.Storage.Sql;

public partial class SqlTrackingStore
{
    public const string RunNameTag = "mlflow.runName";
    public const string UserTag = "mlflow.user";

    private const string UpsertTag = "INSERT INTO tags (run_id, key, value) VALUES (@id, @k, @v) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value";

    public async Task<Run> CreateRunAsync(NewRun run, CancellationToken ct = default)
    {
        var experimentId = ParseExperimentId(run.ExperimentId);
        var tags = run.Tags ?? [];
        TrackingLimits.ValidateRunName(run.RunName);
        TrackingLimits.ValidateBatch(new LogBatch(Tags: tags));
        var runName = run.RunName
            ?? tags.FirstOrDefault(t => t.Key == RunNameTag)?.Value
            ?? RunNames.Generate();
        var runId = Ids.NewId();
        var userId = run.UserId ?? tags.FirstOrDefault(t => t.Key == UserTag)?.Value ?? "unknown";
        var startTime = run.StartTime ?? Now;

        await _db.WriteAsync((c, t) =>
        {
            RequireExperiment(c, t, experimentId, mustBeActive: true);
            var location = ScalarString(c, t, "SELECT artifact_location FROM experiments WHERE experiment_id = @id", ("@id", experimentId))!;
            var artifactUri = location.TrimEnd('/') + "/" + runId + "/artifacts";
            var rowId = ScalarLong(c, t, """
                INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage)
                VALUES (@r, @n, @e, @u, 'RUNNING', @s, NULL, @a, 'active') RETURNING id
                """, ("@r", runId), ("@n", runName), ("@e", experimentId), ("@u", userId), ("@s", startTime), ("@a", artifactUri))!.Value;
            var allTags = tags.Where(x => x.Key != RunNameTag).Append(new RunTag(RunNameTag, runName));
            foreach (var tag in allTags)
                Exec(c, t, UpsertTag, ("@id", rowId), ("@k", tag.Key), ("@v", tag.Value));
        }, ct).ConfigureAwait(false);
        return await GetRunAsync(runId, ct).ConfigureAwait(false);
    }

    public Task<Run> GetRunAsync(string runId, CancellationToken ct = default)
    {
        using var c = _db.Open();
        var runs = ReadRuns(c, $"SELECT {SqlSearchCompiler.RunColumns} FROM runs r WHERE r.run_uuid = @r", [("@r", runId)]);
        return runs.Count == 0 ? throw RunNotFound(runId) : Task.FromResult(runs[0]);
    }

    public async Task<RunInfo> UpdateRunAsync(RunUpdate update, CancellationToken ct = default)
    {
        TrackingLimits.ValidateRunName(update.RunName);
        await _db.WriteAsync((c, t) =>
        {
            var rowId = RequireActiveRun(c, t, update.RunId);
            if (update.Status is { } status)
                Exec(c, t, "UPDATE runs SET status = @s WHERE id = @id", ("@s", StatusText(status)), ("@id", rowId));
            if (update.EndTime is { } end)
                Exec(c, t, "UPDATE runs SET end_time = @e WHERE id = @id", ("@e", end), ("@id", rowId));
            if (!string.IsNullOrEmpty(update.RunName))
            {
                Exec(c, t, "UPDATE runs SET name = @n WHERE id = @id", ("@n", update.RunName), ("@id", rowId));
                Exec(c, t, UpsertTag, ("@id", rowId), ("@k", RunNameTag), ("@v", update.RunName));
            }
        }, ct).ConfigureAwait(false);
        return (await GetRunAsync(update.RunId, ct).ConfigureAwait(false)).Info;
    }

    public Task DeleteRunAsync(string runId, CancellationToken ct = default) => SetRunStage(runId, LifecycleStage.Deleted, ct);

    public Task RestoreRunAsync(string runId, CancellationToken ct = default) => SetRunStage(runId, LifecycleStage.Active, ct);

    private Task SetRunStage(string runId, string stage, CancellationToken ct) =>
        _db.WriteAsync((c, t) =>
        {
            var changed = Exec(c, t, "UPDATE runs SET lifecycle_stage = @s, deleted_time = @dt WHERE run_uuid = @r",
                ("@s", stage), ("@dt", stage == LifecycleStage.Deleted ? Now : null), ("@r", runId));
            if (changed == 0) throw RunNotFound(runId);
        }, ct);

    public Task<IReadOnlyList<ExperimentRunSummary>> SummarizeRunsAsync(IReadOnlyList<string> experimentIds, CancellationToken ct = default)
    {
        if (experimentIds.Count > ExperimentRunSummary.MaxExperiments)
            throw CairnException.InvalidParameter($"Summarize the runs of at most {ExperimentRunSummary.MaxExperiments} experiments at a time; {experimentIds.Count} were asked for.");
        var found = new Dictionary<long, (long Count, long? Last)>();
        var ids = experimentIds.Select(id => long.TryParse(id, out var n) && n >= 0 ? n : -1).Where(n => n >= 0).Distinct().ToList();
        if (ids.Count > 0)
        {
            // One grouped query over the runs index (experiment_id, start_time): the count and the
            // newest start come from it, instead of reading every run's data as a search would.
            using var c = _db.Open();
            using var command = Command(c, null, $"""
                SELECT experiment_id, COUNT(*), MAX(start_time) FROM runs
                WHERE lifecycle_stage = 'active' AND experiment_id IN ({string.Join(", ", ids.Select((_, i) => "@e" + i))})
                GROUP BY experiment_id
                """, ids.Select((id, i) => ("@e" + i, (object?)id)));
            using var reader = command.ExecuteReader();
            while (reader.Read())
                found[reader.GetInt64(0)] = (reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2));
        }
        IReadOnlyList<ExperimentRunSummary> summaries = experimentIds
            .Select(id => long.TryParse(id, out var n) && found.TryGetValue(n, out var s)
                ? new ExperimentRunSummary(id, s.Count, s.Last)
                : new ExperimentRunSummary(id, 0, null))
            .ToList();
        return Task.FromResult(summaries);
    }

    public Task LogBatchAsync(string runId, LogBatch batch, CancellationToken ct = default)
    {
        TrackingLimits.ValidateBatch(batch);
        return _db.WriteAsync((c, t) =>
        {
            var rowId = RequireActiveRun(c, t, runId);
            WriteParams(c, t, rowId, runId, batch.ParamList);
            WriteMetrics(c, t, rowId, SqlLoggedModelStore.LinkMetrics(c, t, rowId, runId, batch.MetricList));
            foreach (var tag in batch.TagList)
            {
                Exec(c, t, UpsertTag, ("@id", rowId), ("@k", tag.Key), ("@v", tag.Value));
                if (tag.Key == RunNameTag)
                    Exec(c, t, "UPDATE runs SET name = @n WHERE id = @id", ("@n", tag.Value), ("@id", rowId));
            }
        }, ct);
    }

    private static void WriteParams(DbConnection c, DbTransaction t, long rowId, string runId, IReadOnlyList<Param> @params)
    {
        if (@params.Count == 0) return;
        using var read = Command(c, t, "SELECT value FROM params WHERE run_id = @id AND key = @k", [("@id", rowId)]);
        var readKey = Param(read, "@k", "");
        using var insert = Command(c, t, "INSERT INTO params (run_id, key, value) VALUES (@id, @k, @v)", [("@id", rowId)]);
        var insertKey = Param(insert, "@k", "");
        var insertValue = Param(insert, "@v", "");
        foreach (var p in @params)
        {
            readKey.Value = p.Key;
            if (read.ExecuteScalar() is string existing)
            {
                if (existing == p.Value) continue; // logging the same value again is allowed
                throw CairnException.InvalidParameter(
                    $"Changing param values is not allowed. Param with key='{p.Key}' was already logged with value='{existing}' for run ID='{runId}'. Attempted logging new value '{p.Value}'.");
            }
            insertKey.Value = p.Key;
            insertValue.Value = p.Value;
            insert.ExecuteNonQuery();
        }
    }

    private void WriteMetrics(DbConnection c, DbTransaction t, long rowId, IReadOnlyList<Metric> metrics)
    {
        if (metrics.Count == 0) return;
        _db.AppendMetrics(c, t, rowId, metrics);
        var latest = new Dictionary<string, Metric>(StringComparer.Ordinal);
        foreach (var m in metrics)
            if (!latest.TryGetValue(m.Key, out var best) || IsLater(m, best)) latest[m.Key] = m;
        // MLflow's "latest" is the greatest (step, timestamp, value); kept in its own table so
        // searches and run pages never scan the history.
        using var upsert = Command(c, t, """
            INSERT INTO latest_metrics (run_id, key, value, timestamp, step, is_nan) VALUES (@id, @k, @v, @ts, @s, @nan)
            ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
            WHERE excluded.step > latest_metrics.step
               OR (excluded.step = latest_metrics.step AND excluded.timestamp > latest_metrics.timestamp)
               OR (excluded.step = latest_metrics.step AND excluded.timestamp = latest_metrics.timestamp AND excluded.value > latest_metrics.value)
            """, [("@id", rowId)]);
        var key = Param(upsert, "@k", "");
        var value = Param(upsert, "@v", 0.0);
        var timestamp = Param(upsert, "@ts", 0L);
        var step = Param(upsert, "@s", 0L);
        var nan = Param(upsert, "@nan", 0);
        foreach (var m in latest.Values)
        {
            var isNan = double.IsNaN(m.Value);
            key.Value = m.Key;
            value.Value = isNan ? 0.0 : m.Value; // NaN is a flag: SQLite stores NaN as NULL
            timestamp.Value = m.Timestamp;
            step.Value = m.Step;
            nan.Value = isNan ? 1 : 0;
            upsert.ExecuteNonQuery();
        }
    }

    private static bool IsLater(Metric a, Metric b) =>
        a.Step != b.Step ? a.Step > b.Step
        : a.Timestamp != b.Timestamp ? a.Timestamp > b.Timestamp
        : a.Value > b.Value;

    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken ct = default)
    {
        TrackingLimits.ValidateInputs(inputs);
        return _db.WriteAsync((c, t) =>
        {
            var rowId = RequireActiveRun(c, t, runId);
            foreach (var input in inputs)
            {
                var d = input.Dataset;
                Exec(c, t, """
                    INSERT INTO run_inputs (run_id, name, digest, source_type, source, dataset_schema, profile, tags, logged_time)
                    VALUES (@id, @n, @d, @st, @s, @sc, @p, @tags, @now)
                    ON CONFLICT (run_id, name, digest) DO UPDATE SET source_type = excluded.source_type, source = excluded.source,
                        dataset_schema = excluded.dataset_schema, profile = excluded.profile, tags = excluded.tags
                    """, ("@id", rowId), ("@n", d.Name), ("@d", d.Digest), ("@st", d.SourceType), ("@s", d.Source), ("@sc", d.Schema), ("@p", d.Profile),
                    ("@tags", System.Text.Json.JsonSerializer.Serialize(input.Tags ?? [], CairnJson.Options)), ("@now", Now));
            }
        }, ct);
    }

    public Task DeleteTagAsync(string runId, string key, CancellationToken ct = default) =>
        _db.WriteAsync((c, t) =>
        {
            var rowId = RequireActiveRun(c, t, runId);
            if (Exec(c, t, "DELETE FROM tags WHERE run_id = @id AND key = @k", ("@id", rowId), ("@k", key)) == 0)
                throw CairnException.NotFound($"No tag with name: {key} in run with id {runId}");
        }, ct);

    public Task<Page<Metric>> GetMetricHistoryAsync(string runId, string metricKey, int? maxResults = null,
        string? pageToken = null, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(metricKey))
            throw CairnException.InvalidParameter("Missing value for required parameter 'metric_key'.");
        if (maxResults is < 1)
            throw CairnException.InvalidParameter($"max_results must be positive, got {maxResults}.");
        using var c = _db.Open();
        var rowId = ScalarLong(c, null, "SELECT id FROM runs WHERE run_uuid = @r", ("@r", runId)) ?? throw RunNotFound(runId);
        var offset = PageToken.Decode(pageToken);
        var limit = maxResults ?? int.MaxValue - 1;
        using var command = Command(c, null,
            "SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_id = @id AND key = @k ORDER BY step, timestamp, value LIMIT @limit OFFSET @offset",
            [("@id", rowId), ("@k", metricKey), ("@limit", (long)limit + 1), ("@offset", offset)]);
        var metrics = new List<Metric>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) metrics.Add(ReadMetric(reader));
        var more = metrics.Count > limit;
        if (more) metrics.RemoveAt(metrics.Count - 1);
        return Task.FromResult(new Page<Metric>(metrics, PageToken.Next(offset, limit, more)));
    }

    public Task<Page<Run>> SearchRunsAsync(RunQuery query, CancellationToken ct = default)
    {
        if (query.MaxResults < 1 || query.MaxResults > RunQuery.MaxMaxResults)
            throw CairnException.InvalidParameter($"max_results must be between 1 and {RunQuery.MaxMaxResults}, got {query.MaxResults}.");
        SearchLimits.CheckExperimentIds(query.ExperimentIds.Count);
        var experimentIds = query.ExperimentIds.Select(e =>
            long.TryParse(e, out var id) ? id : throw CairnException.InvalidParameter($"Invalid experiment id '{e}'.")).ToList();
        var offset = PageToken.Decode(query.PageToken);
        var plan = SqlSearchCompiler.CompileRunSearch(query, experimentIds, _db.Dialect);
        var wanted = query.MaxResults + 1; // one more than a page tells whether another page exists
        using var c = _db.Open();
        var runs = ReadRuns(c, Page(plan.Ranked, wanted, offset));
        if (runs.Count < wanted && plan.Unranked is not null)
        {
            // The ranked runs ran out within this page: continue with the runs that lack the value.
            var rankedTotal = runs.Count > 0 ? offset + runs.Count : ScalarLong(c, null, plan.RankedCount!.Sql, plan.RankedCount.Parameters.ToArray())!.Value;
            runs.AddRange(ReadRuns(c, Page(plan.Unranked, wanted - runs.Count, Math.Max(0, offset - rankedTotal))));
        }
        var more = runs.Count > query.MaxResults;
        if (more) runs.RemoveAt(runs.Count - 1);
        return Task.FromResult(new Page<Run>(runs, PageToken.Next(offset, query.MaxResults, more)));
    }

    private static RunSelect Page(RunSelect select, long limit, long offset) =>
        select with { Sql = $"{select.Sql} LIMIT {limit} OFFSET {offset}" };

    private List<Run> ReadRuns(DbConnection c, RunSelect select) => ReadRuns(c, select.Sql, select.Parameters);

    private List<Run> ReadRuns(DbConnection c, string sql, IReadOnlyList<(string, object?)> parameters)
    {
        using var command = Command(c, null, sql, parameters);
        var infos = new List<(long RowId, RunInfo Info)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var id = reader.GetString(1);
                infos.Add((reader.GetInt64(0), new RunInfo(id, id, reader.GetString(2), reader.GetInt64(3).ToString(), reader.GetString(4),
                    ParseStatus(reader.GetString(5)), reader.GetInt64(6), reader.IsDBNull(7) ? null : reader.GetInt64(7),
                    reader.GetString(8), reader.GetString(9))));
            }
        }
        if (infos.Count == 0) return [];
        var rowIds = string.Join(',', infos.Select(i => i.RowId));
        var metrics = Group(c, $"SELECT run_id, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_id IN ({rowIds})",
            r => new Metric(r.GetString(1), r.GetInt64(5) != 0 ? double.NaN : r.GetDouble(2), r.GetInt64(3), r.GetInt64(4)));
        var @params = Group(c, $"SELECT run_id, key, value FROM params WHERE run_id IN ({rowIds})", r => new Param(r.GetString(1), r.GetString(2)));
        var tags = Group(c, $"SELECT run_id, key, value FROM tags WHERE run_id IN ({rowIds})", r => new RunTag(r.GetString(1), r.GetString(2)));
        var inputs = Group(c, $"SELECT run_id, name, digest, source_type, source, dataset_schema, profile, tags FROM run_inputs WHERE run_id IN ({rowIds}) ORDER BY logged_time, name",
            r => new DatasetInput(
                System.Text.Json.JsonSerializer.Deserialize<List<InputTag>>(r.GetString(7), CairnJson.Options) ?? [],
                new Dataset(r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6))));
        var outputs = SqlLoggedModelStore.ReadOutputs(c, rowIds);
        return infos.Select(i => new Run(i.Info, new RunData(
            metrics.GetValueOrDefault(i.RowId) ?? [], @params.GetValueOrDefault(i.RowId) ?? [], tags.GetValueOrDefault(i.RowId) ?? []),
            new RunInputs(inputs.GetValueOrDefault(i.RowId) ?? []))
            { Outputs = outputs.TryGetValue(i.RowId, out var produced) ? new RunOutputs(produced) : null }).ToList();
    }

    private static Dictionary<long, List<T>> Group<T>(DbConnection c, string sql, Func<DbDataReader, T> read)
    {
        var result = new Dictionary<long, List<T>>();
        using var command = c.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var id = reader.GetInt64(0);
            if (!result.TryGetValue(id, out var list)) result[id] = list = [];
            list.Add(read(reader));
        }
        return result;
    }

    private static Metric ReadMetric(DbDataReader r) =>
        new(r.GetString(0), r.GetInt64(4) != 0 ? double.NaN : r.GetDouble(1), r.GetInt64(2), r.GetInt64(3));

    private static long RequireActiveRun(DbConnection c, DbTransaction t, string runId)
    {
        using var command = Command(c, t, "SELECT id, lifecycle_stage FROM runs WHERE run_uuid = @r", [("@r", runId)]);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) throw RunNotFound(runId);
        if (reader.GetString(1) != LifecycleStage.Active)
            throw CairnException.InvalidParameter($"The run {runId} must be in the 'active' state. Current state is {reader.GetString(1)}.");
        return reader.GetInt64(0);
    }

    private static CairnException RunNotFound(string runId) =>
        CairnException.NotFound($"Run with id={runId} not found");

    internal static string StatusText(RunStatus status) => status.ToString().ToUpperInvariant();

    private static RunStatus ParseStatus(string text) => Enum.Parse<RunStatus>(text, ignoreCase: true);
}
