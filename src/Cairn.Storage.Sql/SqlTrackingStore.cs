using Cairn.Artifacts;
using Cairn.Search;
using Cairn.Tracking;
using System.Data.Common;
using static Cairn.Storage.Sql.SqlCommands;

namespace Cairn.Storage.Sql;

/// <summary>The embedded tracking store: experiments and runs in one SQLite file.</summary>
public partial class SqlTrackingStore : ITrackingStore, IDisposable
{
    public const string DefaultExperimentId = "0";
    public const string DefaultExperimentName = "Default";

    private readonly SqlDatabase _db;
    private readonly TimeProvider _time;
    private readonly bool _ownsDatabase;

    /// <param name="ownsDatabase">Whether disposing the store disposes the database (false when stores share one).</param>
    public SqlTrackingStore(SqlDatabase database, TimeProvider? time = null, bool ownsDatabase = false)
    {
        _time = time ?? TimeProvider.System;
        _db = database;
        _ownsDatabase = ownsDatabase;
        EnsureDefaultExperiment();
    }


    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void EnsureDefaultExperiment()
    {
        _db.WriteAsync((c, t) => Exec(c, t, """
            INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
            VALUES (0, @name, @location, 'active', @now, @now) ON CONFLICT DO NOTHING
            """, ("@name", DefaultExperimentName), ("@location", ArtifactPath.ToUri(DefaultExperimentId)), ("@now", Now)), CancellationToken.None).GetAwaiter().GetResult();
    }

    // ---------------------------------------------------------------- experiments

    public async Task<string> CreateExperimentAsync(string name, string? artifactLocation = null,
        IReadOnlyList<ExperimentTag>? tags = null, CancellationToken ct = default)
    {
        TrackingLimits.ValidateExperimentName(name);
        ClientLocations.CheckArtifactLocation(artifactLocation);
        foreach (var tag in tags ?? [])
        {
            TrackingLimits.ValidateKey("tag", tag.Key);
            TrackingLimits.ValidateValue("tag", tag.Key, tag.Value, TrackingLimits.MaxTagValueLength);
        }
        return await _db.WriteAsync((c, t) =>
        {
            if (ScalarLong(c, t, "SELECT experiment_id FROM experiments WHERE name = @n", ("@n", name)) is not null)
                throw CairnException.AlreadyExists($"Experiment '{name}' already exists.");
            var now = Now;
            var id = ScalarLong(c, t, _db.Dialect.NextExperimentId)!.Value;
            var location = string.IsNullOrEmpty(artifactLocation) ? ArtifactPath.ToUri(id.ToString()) : artifactLocation;
            Exec(c, t, """
                INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
                VALUES (@id, @n, @loc, 'active', @now, @now)
                """, ("@id", id), ("@n", name), ("@loc", location), ("@now", now));
            foreach (var tag in tags ?? [])
                Exec(c, t, UpsertExperimentTag, ("@id", id), ("@k", tag.Key), ("@v", tag.Value));
            return id.ToString();
        }, ct).ConfigureAwait(false);
    }

    public Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken ct = default)
    {
        var id = ParseExperimentId(experimentId);
        using var c = _db.Open();
        var experiments = ReadExperiments(c, "WHERE experiment_id = @id", [("@id", id)]);
        return experiments.Count == 0
            ? throw CairnException.NotFound($"No experiment with id={experimentId} exists.")
            : Task.FromResult(experiments[0]);
    }

    public Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken ct = default)
    {
        using var c = _db.Open();
        var experiments = ReadExperiments(c, "WHERE name = @n", [("@n", name)]);
        return Task.FromResult(experiments.Count == 0 ? null : experiments[0]);
    }

    public Task<Page<Experiment>> SearchExperimentsAsync(ExperimentQuery query, CancellationToken ct = default)
    {
        if (query.MaxResults < 1 || query.MaxResults > ExperimentQuery.MaxMaxResults)
            throw CairnException.InvalidParameter($"max_results must be between 1 and {ExperimentQuery.MaxMaxResults}, got {query.MaxResults}.");
        var offset = PageToken.Decode(query.PageToken);
        var sql = SqlSearchCompiler.CompileExperimentSearch(query, offset, _db.Dialect);
        using var c = _db.Open();
        var experiments = ReadExperiments(c, sql.Clause, sql.Parameters);
        var more = experiments.Count > query.MaxResults;
        var page = more ? experiments.Take(query.MaxResults).ToList() : experiments;
        return Task.FromResult(new Page<Experiment>(page, PageToken.Next(offset, query.MaxResults, more)));
    }

    public Task RenameExperimentAsync(string experimentId, string newName, CancellationToken ct = default)
    {
        TrackingLimits.ValidateExperimentName(newName);
        var id = ParseExperimentId(experimentId);
        return _db.WriteAsync((c, t) =>
        {
            RequireExperiment(c, t, id, mustBeActive: true);
            var holder = ScalarLong(c, t, "SELECT experiment_id FROM experiments WHERE name = @n", ("@n", newName));
            if (holder is not null && holder != id)
                throw CairnException.AlreadyExists($"Experiment '{newName}' already exists.");
            Exec(c, t, "UPDATE experiments SET name = @n, last_update_time = @now WHERE experiment_id = @id",
                ("@n", newName), ("@now", Now), ("@id", id));
        }, ct);
    }

    public Task DeleteExperimentAsync(string experimentId, CancellationToken ct = default) =>
        SetExperimentStage(experimentId, LifecycleStage.Deleted, ct);

    public Task RestoreExperimentAsync(string experimentId, CancellationToken ct = default) =>
        SetExperimentStage(experimentId, LifecycleStage.Active, ct);

    private Task SetExperimentStage(string experimentId, string stage, CancellationToken ct)
    {
        var id = ParseExperimentId(experimentId);
        if (id == 0 && stage == LifecycleStage.Deleted)
            throw CairnException.InvalidParameter("The Default experiment (id 0) cannot be deleted.");
        return _db.WriteAsync((c, t) =>
        {
            RequireExperiment(c, t, id, mustBeActive: false);
            var now = Now;
            Exec(c, t, "UPDATE experiments SET lifecycle_stage = @s, last_update_time = @now WHERE experiment_id = @id",
                ("@s", stage), ("@now", now), ("@id", id));
            // As in MLflow, deleting an experiment deletes its runs, and restoring it restores them.
            Exec(c, t, "UPDATE runs SET lifecycle_stage = @s, deleted_time = @dt WHERE experiment_id = @id",
                ("@s", stage), ("@dt", stage == LifecycleStage.Deleted ? now : null), ("@id", id));
        }, ct);
    }

    public Task SetExperimentTagAsync(string experimentId, ExperimentTag tag, CancellationToken ct = default)
    {
        TrackingLimits.ValidateKey("tag", tag.Key);
        TrackingLimits.ValidateValue("tag", tag.Key, tag.Value, TrackingLimits.MaxTagValueLength);
        var id = ParseExperimentId(experimentId);
        return _db.WriteAsync((c, t) =>
        {
            RequireExperiment(c, t, id, mustBeActive: true);
            Exec(c, t, UpsertExperimentTag, ("@id", id), ("@k", tag.Key), ("@v", tag.Value));
        }, ct);
    }

    public Task DeleteExperimentTagAsync(string experimentId, string key, CancellationToken ct = default)
    {
        var id = ParseExperimentId(experimentId);
        return _db.WriteAsync((c, t) =>
        {
            RequireExperiment(c, t, id, mustBeActive: true);
            if (Exec(c, t, "DELETE FROM experiment_tags WHERE experiment_id = @id AND key = @k", ("@id", id), ("@k", key)) == 0)
                throw CairnException.NotFound($"No tag with name: {key} in experiment with id {experimentId}");
        }, ct);
    }

    private const string UpsertExperimentTag =
        "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (@id, @k, @v) ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value";

    private List<Experiment> ReadExperiments(DbConnection c, string clause, IReadOnlyList<(string, object?)> parameters)
    {
        using var command = Command(c, null,
            $"SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time FROM experiments {clause}",
            parameters);
        var rows = new List<(long Id, string Name, string Location, string Stage, long Created, long Updated)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5)));
        }
        if (rows.Count == 0) return [];
        var tags = new Dictionary<long, List<ExperimentTag>>();
        using (var tagCommand = c.CreateCommand())
        {
            tagCommand.CommandText = $"SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN ({string.Join(',', rows.Select(r => r.Id))})";
            using var reader = tagCommand.ExecuteReader();
            while (reader.Read())
            {
                if (!tags.TryGetValue(reader.GetInt64(0), out var list)) tags[reader.GetInt64(0)] = list = [];
                list.Add(new ExperimentTag(reader.GetString(1), reader.GetString(2)));
            }
        }
        return rows.Select(r => new Experiment(r.Id.ToString(), r.Name, r.Location, r.Stage, r.Created, r.Updated,
            tags.TryGetValue(r.Id, out var list) ? list : [])).ToList();
    }

    private static long ParseExperimentId(string? experimentId)
    {
        if (string.IsNullOrEmpty(experimentId))
            throw CairnException.InvalidParameter("Missing value for required parameter 'experiment_id'.");
        if (!long.TryParse(experimentId, out var id) || id < 0)
            throw CairnException.NotFound($"No experiment with id={experimentId} exists.");
        return id;
    }

    private static void RequireExperiment(DbConnection c, DbTransaction? t, long id, bool mustBeActive)
    {
        var stage = ScalarString(c, t, "SELECT lifecycle_stage FROM experiments WHERE experiment_id = @id", ("@id", id))
            ?? throw CairnException.NotFound($"No experiment with id={id} exists.");
        if (mustBeActive && stage != LifecycleStage.Active)
            throw CairnException.InvalidParameter($"The experiment {id} must be in the 'active' state. Current state is {stage}.");
    }

    public void Dispose()
    {
        if (_ownsDatabase) _db.Dispose();
    }
}
