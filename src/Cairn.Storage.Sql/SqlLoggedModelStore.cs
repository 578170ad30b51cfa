using System.Data.Common;
using System.Globalization;
using Cairn.Search;
using Cairn.Tracking;
using static Cairn.Storage.Sql.SqlCommands;

namespace Cairn.Storage.Sql;

/// <summary>
/// MLflow 3's logged models in the metadata database (tables of <see cref="LoggedModelSchema"/>).
/// Metrics are linked by <see cref="SqlTrackingStore.LogBatchAsync"/> through <see cref="LinkMetrics"/>,
/// in the same transaction as the run's own metrics.
/// </summary>
public sealed class SqlLoggedModelStore(SqlDatabase database, TimeProvider? time = null) : ILoggedModelStore
{
    private const string ModelColumns = "m.model_id, m.experiment_id, m.name, m.creation_timestamp_ms, m.last_updated_timestamp_ms, m.artifact_location, m.status, m.model_type, m.source_run_id, m.status_message";
    private const string UpsertTag = "INSERT INTO logged_model_tags (model_id, key, value) VALUES (@m, @k, @v) ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value";
    private const string UpsertParam = "INSERT INTO logged_model_params (model_id, key, value) VALUES (@m, @k, @v) ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value";
    private const int MaxNameLength = 500;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static CairnException NoModel(string modelId) =>
        CairnException.NotFound($"Logged model with ID '{modelId}' not found.");

    public async Task<LoggedModel> CreateLoggedModelAsync(NewLoggedModel model, CancellationToken ct = default)
    {
        var experimentId = ParseExperimentId(model.ExperimentId);
        if (model.Name is { } n && (n.Length > MaxNameLength || n.Contains('/') || n.Contains(':') || n.Any(char.IsControl)))
            throw CairnException.InvalidParameter($"Invalid model name '{n}': it must be at most {MaxNameLength} characters, without '/', ':' or control characters.");
        ValidatePairs("param", model.Params?.Select(p => p is null ? NoEntry("param") : (p.Key, p.Value)));
        ValidatePairs("tag", model.Tags?.Select(t => t is null ? NoEntry("tag") : (t.Key, t.Value)));
        var modelId = LoggedModelIds.NewId();
        var name = string.IsNullOrEmpty(model.Name) ? RunNames.Generate() : model.Name;
        var now = Now;
        await database.WriteAsync((c, t) =>
        {
            using (var read = Command(c, t, "SELECT artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = @e", [("@e", experimentId)]))
            using (var r = read.ExecuteReader())
            {
                if (!r.Read()) throw CairnException.NotFound($"No experiment with id '{model.ExperimentId}'.");
                if (r.GetString(1) != LifecycleStage.Active)
                    throw CairnException.InvalidParameter($"The experiment {model.ExperimentId} must be in the 'active' state to log models. Current state is {r.GetString(1)}.");
                var location = r.GetString(0).TrimEnd('/') + "/models/" + modelId + "/artifacts";
                r.Close();
                if (!string.IsNullOrEmpty(model.SourceRunId) && ScalarLong(c, t, "SELECT id FROM runs WHERE run_uuid = @r", ("@r", model.SourceRunId)) is null)
                    throw CairnException.NotFound($"Run with id={model.SourceRunId} not found (the model's source_run_id).");
                Exec(c, t, $"""
                    INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, model_type, source_run_id)
                    VALUES (@m, @e, @n, @loc, @now, @now, '{StatusText(LoggedModelStatus.LoggedModelPending)}', 'active', @type, @run)
                    """, ("@m", modelId), ("@e", experimentId), ("@n", name), ("@loc", location), ("@now", now),
                    ("@type", string.IsNullOrEmpty(model.ModelType) ? null : model.ModelType), ("@run", string.IsNullOrEmpty(model.SourceRunId) ? null : model.SourceRunId));
            }
            foreach (var p in model.Params ?? []) Exec(c, t, UpsertParam, ("@m", modelId), ("@k", p.Key), ("@v", p.Value));
            foreach (var tag in model.Tags ?? []) Exec(c, t, UpsertTag, ("@m", modelId), ("@k", tag.Key), ("@v", tag.Value));
        }, ct).ConfigureAwait(false);
        return await GetLoggedModelAsync(modelId, ct).ConfigureAwait(false);
    }

    public Task<LoggedModel> GetLoggedModelAsync(string modelId, CancellationToken ct = default)
    {
        LoggedModelIds.Require(modelId);
        using var c = database.Open();
        var found = Read(c, "WHERE m.model_id = @m AND m.lifecycle_stage = 'active'", [("@m", modelId)]);
        return found.Count == 0 ? throw NoModel(modelId) : Task.FromResult(found[0]);
    }

    public async Task<LoggedModel> FinalizeLoggedModelAsync(string modelId, LoggedModelStatus status, CancellationToken ct = default)
    {
        LoggedModelIds.Require(modelId);
        if (status is not (LoggedModelStatus.LoggedModelReady or LoggedModelStatus.LoggedModelUploadFailed or LoggedModelStatus.LoggedModelPending))
            throw CairnException.InvalidParameter($"Invalid status {status} to finalize a logged model with: use LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED.");
        await Touch(modelId, "status = @s", [("@s", StatusText(status))], ct).ConfigureAwait(false);
        return await GetLoggedModelAsync(modelId, ct).ConfigureAwait(false);
    }

    public Task DeleteLoggedModelAsync(string modelId, CancellationToken ct = default) =>
        Touch(LoggedModelIds.Require(modelId), "lifecycle_stage = 'deleted'", [], ct);

    public Task SetLoggedModelTagsAsync(string modelId, IReadOnlyList<LoggedModelTag> tags, CancellationToken ct = default)
    {
        LoggedModelIds.Require(modelId);
        ValidatePairs("tag", tags.Select(t => t is null ? NoEntry("tag") : (t.Key, t.Value)));
        return Touch(modelId, null, [], ct, (c, t) =>
        {
            foreach (var tag in tags) Exec(c, t, UpsertTag, ("@m", modelId), ("@k", tag.Key), ("@v", tag.Value));
        });
    }

    public Task DeleteLoggedModelTagAsync(string modelId, string key, CancellationToken ct = default)
    {
        LoggedModelIds.Require(modelId);
        return Touch(modelId, null, [], ct, (c, t) =>
        {
            if (Exec(c, t, "DELETE FROM logged_model_tags WHERE model_id = @m AND key = @k", ("@m", modelId), ("@k", key)) == 0)
                throw CairnException.NotFound($"No tag with key '{key}' on logged model '{modelId}'.");
        });
    }

    public Task LogLoggedModelParamsAsync(string modelId, IReadOnlyList<LoggedModelParameter> @params, CancellationToken ct = default)
    {
        LoggedModelIds.Require(modelId);
        ValidatePairs("param", @params.Select(p => p is null ? NoEntry("param") : (p.Key, p.Value)));
        return Touch(modelId, null, [], ct, (c, t) =>
        {
            foreach (var p in @params) Exec(c, t, UpsertParam, ("@m", modelId), ("@k", p.Key), ("@v", p.Value));
        });
    }

    public Task LogOutputsAsync(string runId, IReadOnlyList<LoggedModelOutput> models, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(runId)) throw CairnException.InvalidParameter("Missing value for required parameter 'run_id'.");
        return database.WriteAsync((c, t) =>
        {
            var rowId = ScalarLong(c, t, "SELECT id FROM runs WHERE run_uuid = @r", ("@r", runId)) ?? throw CairnException.NotFound($"Run with id={runId} not found");
            foreach (var output in models)
            {
                var modelId = LoggedModelIds.Require(output?.ModelId);
                if (ScalarLong(c, t, "SELECT COUNT(*) FROM logged_models WHERE model_id = @m AND lifecycle_stage = 'active'", ("@m", modelId)) == 0) throw NoModel(modelId);
                Exec(c, t, "INSERT INTO run_outputs (run_id, model_id, step) VALUES (@r, @m, @s) ON CONFLICT DO NOTHING",
                    ("@r", rowId), ("@m", modelId), ("@s", output!.Step));
            }
        }, ct);
    }

    /// <summary>The models logged as outputs of the given runs (by row id), for the tracking store's run reads.</summary>
    internal static Dictionary<long, List<LoggedModelOutput>> ReadOutputs(DbConnection c, string runRowIds)
    {
        var result = new Dictionary<long, List<LoggedModelOutput>>();
        using var command = Command(c, null, $"SELECT run_id, model_id, step FROM run_outputs WHERE run_id IN ({runRowIds}) ORDER BY step, model_id", []);
        using var r = command.ExecuteReader();
        while (r.Read())
        {
            if (!result.TryGetValue(r.GetInt64(0), out var list)) result[r.GetInt64(0)] = list = [];
            list.Add(new LoggedModelOutput(r.GetString(1), r.GetInt64(2)));
        }
        return result;
    }

    /// <summary>
    /// Stores the metrics of a batch that name a logged model as that model's metrics, inside the
    /// batch's transaction, and returns the metrics the run itself should record: all of them,
    /// except model metrics the run already holds exactly (MLflow's client re-logs a run's metrics
    /// with the model's id when the model is logged, which would otherwise double the history).
    /// </summary>
    internal static IReadOnlyList<Metric> LinkMetrics(DbConnection c, DbTransaction t, long runRowId, string runId, IReadOnlyList<Metric> metrics)
    {
        if (!metrics.Any(m => !string.IsNullOrEmpty(m.ModelId))) return metrics;
        var forRun = new List<Metric>(metrics.Count);
        using var exists = Command(c, t, "SELECT COUNT(*) FROM metrics WHERE run_id = @r AND key = @k AND timestamp = @ts AND step = @s AND is_nan = @nan AND (value = @v OR is_nan = 1)", [("@r", runRowId)]);
        var (key, ts, step, nan, value) = (Param(exists, "@k", ""), Param(exists, "@ts", 0L), Param(exists, "@s", 0L), Param(exists, "@nan", 0L), Param(exists, "@v", 0.0));
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in metrics)
        {
            if (string.IsNullOrEmpty(m.ModelId)) { forRun.Add(m); continue; }
            if (known.Add(m.ModelId) && ScalarLong(c, t, "SELECT COUNT(*) FROM logged_models WHERE model_id = @m AND lifecycle_stage = 'active'", ("@m", m.ModelId)) == 0)
                throw NoModel(m.ModelId);
            var isNan = double.IsNaN(m.Value);
            Exec(c, t, """
                INSERT INTO logged_model_metrics (model_id, key, value, is_nan, timestamp, step, dataset_name, dataset_digest, run_id)
                VALUES (@m, @k, @v, @nan, @ts, @s, @dn, @dd, @r)
                """, ("@m", m.ModelId), ("@k", m.Key), ("@v", isNan ? 0.0 : m.Value), ("@nan", isNan ? 1L : 0L), ("@ts", m.Timestamp), ("@s", m.Step),
                ("@dn", m.DatasetName ?? ""), ("@dd", m.DatasetDigest ?? ""), ("@r", runId));
            key.Value = m.Key; ts.Value = m.Timestamp; step.Value = m.Step; nan.Value = isNan ? 1L : 0L; value.Value = isNan ? 0.0 : m.Value;
            if (Convert.ToInt64(exists.ExecuteScalar(), CultureInfo.InvariantCulture) == 0) forRun.Add(m);
        }
        return forRun;
    }

    public Task<Page<LoggedModel>> SearchLoggedModelsAsync(LoggedModelQuery query, CancellationToken ct = default)
    {
        if (query.MaxResults is < 1 or > LoggedModelQuery.MaxMaxResults)
            throw CairnException.InvalidParameter($"Invalid value {query.MaxResults} for parameter 'max_results': it must be between 1 and {LoggedModelQuery.MaxMaxResults}.");
        SearchLimits.CheckExperimentIds(query.ExperimentIds.Count);
        var offset = PageToken.Decode(query.PageToken);
        var experimentIds = query.ExperimentIds.Select(e => long.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1).Where(n => n >= 0).Distinct().ToList();
        var (clause, parameters) = LoggedModelSearch.Compile(query, experimentIds, database.Dialect);
        using var c = database.Open();
        var models = Read(c, $"{clause} LIMIT {query.MaxResults + 1} OFFSET {offset}", parameters);
        var more = models.Count > query.MaxResults;
        if (more) models.RemoveAt(models.Count - 1);
        return Task.FromResult(new Page<LoggedModel>(models, PageToken.Next(offset, query.MaxResults, more)));
    }

    /// <summary>Changes an active model and its update time in one transaction, or says it is not there.</summary>
    private Task Touch(string modelId, string? set, IReadOnlyList<(string, object?)> parameters, CancellationToken ct, Action<DbConnection, DbTransaction>? more = null)
    {
        var now = Now;
        return database.WriteAsync((c, t) =>
        {
            var assignments = set is null ? "last_updated_timestamp_ms = @now" : set + ", last_updated_timestamp_ms = @now";
            var changed = Exec(c, t, $"UPDATE logged_models SET {assignments} WHERE model_id = @m AND lifecycle_stage = 'active'",
                [.. parameters, ("@now", now), ("@m", modelId)]);
            if (changed == 0) throw NoModel(modelId);
            more?.Invoke(c, t);
        }, ct);
    }

    private static List<LoggedModel> Read(DbConnection c, string clause, IReadOnlyList<(string, object?)> parameters)
    {
        var infos = new List<LoggedModelInfo>();
        using (var command = Command(c, null, $"SELECT {ModelColumns} FROM logged_models m {clause}", parameters))
        using (var r = command.ExecuteReader())
        {
            while (r.Read())
                infos.Add(new LoggedModelInfo(r.GetString(0), r.GetInt64(1).ToString(CultureInfo.InvariantCulture), r.GetString(2), r.GetInt64(3), r.GetInt64(4),
                    r.GetString(5), ParseStatus(r.GetString(6)), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8),
                    r.IsDBNull(9) ? null : r.GetString(9), []));
        }
        if (infos.Count == 0) return [];
        var tags = new Dictionary<string, List<LoggedModelTag>>(StringComparer.Ordinal);
        var @params = new Dictionary<string, List<LoggedModelParameter>>(StringComparer.Ordinal);
        var metrics = new Dictionary<string, List<Metric>>(StringComparer.Ordinal);
        // In chunks: a page may hold thousands of models, past what one statement may bind.
        foreach (var chunk in infos.Chunk(500))
        {
            var ids = new List<(string, object?)>();
            var inList = string.Join(", ", chunk.Select((info, i) => { ids.Add(("@id" + i, info.ModelId)); return "@id" + i; }));
            Group(tags, c, $"SELECT model_id, key, value FROM logged_model_tags WHERE model_id IN ({inList}) ORDER BY key", ids, r => new LoggedModelTag(r.GetString(1), r.GetString(2)));
            Group(@params, c, $"SELECT model_id, key, value FROM logged_model_params WHERE model_id IN ({inList}) ORDER BY key", ids, r => new LoggedModelParameter(r.GetString(1), r.GetString(2)));
            Group(metrics, c, $"""
                SELECT model_id, key, value, is_nan, timestamp, step, dataset_name, dataset_digest, run_id FROM logged_model_metrics
                WHERE model_id IN ({inList}) ORDER BY key, step, timestamp
                """, ids, r => new Metric(r.GetString(1), r.GetInt64(3) != 0 ? double.NaN : r.GetDouble(2), r.GetInt64(4), r.GetInt64(5))
                {
                    ModelId = r.GetString(0),
                    DatasetName = r.GetString(6) is { Length: > 0 } dn ? dn : null,
                    DatasetDigest = r.GetString(7) is { Length: > 0 } dd ? dd : null,
                    RunId = r.GetString(8) is { Length: > 0 } run ? run : null,
                });
        }
        return infos.Select(i => new LoggedModel(i with { Tags = tags.GetValueOrDefault(i.ModelId) ?? [] },
            new LoggedModelData(@params.GetValueOrDefault(i.ModelId) ?? [], metrics.GetValueOrDefault(i.ModelId) ?? []))).ToList();
    }

    private static void Group<T>(Dictionary<string, List<T>> result, DbConnection c, string sql, IReadOnlyList<(string, object?)> parameters, Func<DbDataReader, T> read)
    {
        using var command = Command(c, null, sql, parameters);
        using var r = command.ExecuteReader();
        while (r.Read())
        {
            var id = r.GetString(0);
            if (!result.TryGetValue(id, out var list)) result[id] = list = [];
            list.Add(read(r));
        }
    }

    private static (string, string) NoEntry(string what) =>
        throw CairnException.InvalidParameter($"A logged model {what} entry is null; give each as {{\"key\": ..., \"value\": ...}}.");

    private static long ParseExperimentId(string? experimentId) =>
        long.TryParse(experimentId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw CairnException.InvalidParameter($"Invalid experiment_id '{experimentId}': experiment ids are non-negative integers.");

    private static void ValidatePairs(string what, IEnumerable<(string Key, string Value)>? pairs)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs ?? [])
        {
            TrackingLimits.ValidateKey(what, key);
            if (value is null) throw CairnException.InvalidParameter($"The logged model {what} '{key}' has no value.");
            TrackingLimits.ValidateValue(what, key, value, TrackingLimits.MaxTagValueLength);
            if (!seen.Add(key)) throw CairnException.InvalidParameter($"The logged model {what} '{key}' is given twice; give each key once.");
        }
    }

    /// <summary>Stored as MLflow's Python entity names them (PENDING, READY, FAILED), which filters compare with.</summary>
    internal static string StatusText(LoggedModelStatus status) => status switch
    {
        LoggedModelStatus.LoggedModelPending => "PENDING",
        LoggedModelStatus.LoggedModelReady => "READY",
        LoggedModelStatus.LoggedModelUploadFailed => "FAILED",
        _ => "UNSPECIFIED",
    };

    private static LoggedModelStatus ParseStatus(string text) => text switch
    {
        "PENDING" => LoggedModelStatus.LoggedModelPending,
        "READY" => LoggedModelStatus.LoggedModelReady,
        "FAILED" => LoggedModelStatus.LoggedModelUploadFailed,
        _ => LoggedModelStatus.LoggedModelStatusUnspecified,
    };
}
