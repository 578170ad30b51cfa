using Cairn.Artifacts;
using Cairn.Registry;
using Cairn.Search;
using Cairn.Tracking;
using System.Data.Common;
using static Cairn.Storage.Sql.SqlCommands;

namespace Cairn.Storage.Sql;

/// <summary>
/// The embedded model registry, in the same SQLite file as the runs it points at. Deleted versions
/// are kept as tombstones (as MLflow does) so their numbers are never reused; the audit trail is
/// append-only and survives the deletion of what it describes.
/// </summary>
public class SqlRegistryStore : IRegistryStore, IDisposable
{
    private const string Deleted = "Deleted_Internal";
    private const string VersionColumns = "v.name, v.version, v.creation_time, v.last_updated_time, v.user_id, v.current_stage, v.description, v.source, v.run_id, v.status, v.status_message, v.run_link, v.model_id";

    private readonly SqlDatabase _db;
    private readonly TimeProvider _time;
    private readonly bool _ownsDatabase;

    /// <param name="ownsDatabase">Whether disposing the store disposes the database (false when stores share one).</param>
    public SqlRegistryStore(SqlDatabase database, TimeProvider? time = null, bool ownsDatabase = false)
    {
        _db = database;
        _time = time ?? TimeProvider.System;
        _ownsDatabase = ownsDatabase;
    }

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private const string UpsertModelTag = "INSERT INTO registered_model_tags (name, key, value) VALUES (@n, @k, @v) ON CONFLICT (name, key) DO UPDATE SET value = excluded.value";
    private const string UpsertVersionTag = "INSERT INTO model_version_tags (name, version, key, value) VALUES (@n, @v, @k, @val) ON CONFLICT (name, version, key) DO UPDATE SET value = excluded.value";

    // ---------------------------------------------------------------- registered models

    public async Task<RegisteredModel> CreateRegisteredModelAsync(string name, string? description = null,
        IReadOnlyList<RegisteredModelTag>? tags = null, CancellationToken ct = default)
    {
        RegistryNames.ValidateModelName(name);
        ValidateTags(tags?.Select(t => (t.Key, t.Value)));
        await _db.WriteAsync((c, t) =>
        {
            if (ScalarLong(c, t, "SELECT 1 FROM registered_models WHERE name = @n", ("@n", name)) is not null)
                throw CairnException.AlreadyExists($"Registered Model (name={name}) already exists.");
            InsertModel(c, t, name, description, null);
            foreach (var tag in tags ?? [])
                Exec(c, t, UpsertModelTag, ("@n", name), ("@k", tag.Key), ("@v", tag.Value));
        }, ct).ConfigureAwait(false);
        return await GetRegisteredModelAsync(name, ct).ConfigureAwait(false);
    }

    private void InsertModel(DbConnection c, DbTransaction t, string name, string? description, string? userId)
    {
        var now = Now;
        Exec(c, t, "INSERT INTO registered_models (name, creation_time, last_updated_time, user_id, description) VALUES (@n, @now, @now, @u, @d)",
            ("@n", name), ("@now", now), ("@u", userId), ("@d", description));
    }

    public Task<RegisteredModel> GetRegisteredModelAsync(string name, CancellationToken ct = default)
    {
        using var c = _db.Open();
        var models = ReadModels(c, "WHERE m.name = @n", [("@n", name)]);
        return models.Count == 0 ? throw ModelNotFound(name) : Task.FromResult(models[0]);
    }

    public async Task<RegisteredModel> RenameRegisteredModelAsync(string name, string newName, CancellationToken ct = default)
    {
        RegistryNames.ValidateModelName(newName);
        await _db.WriteAsync((c, t) =>
        {
            RequireModel(c, t, name);
            if (name != newName && ScalarLong(c, t, "SELECT 1 FROM registered_models WHERE name = @n", ("@n", newName)) is not null)
                throw CairnException.AlreadyExists($"Registered Model (name={newName}) already exists.");
            Exec(c, t, "UPDATE registered_models SET name = @new, last_updated_time = @now WHERE name = @n", ("@new", newName), ("@now", Now), ("@n", name));
            Exec(c, t, "UPDATE model_transitions SET name = @new WHERE name = @n", ("@new", newName), ("@n", name));
        }, ct).ConfigureAwait(false);
        return await GetRegisteredModelAsync(newName, ct).ConfigureAwait(false);
    }

    public async Task<RegisteredModel> UpdateRegisteredModelAsync(string name, string? description, CancellationToken ct = default)
    {
        await _db.WriteAsync((c, t) =>
        {
            RequireModel(c, t, name);
            Exec(c, t, "UPDATE registered_models SET description = @d, last_updated_time = @now WHERE name = @n", ("@d", description), ("@now", Now), ("@n", name));
        }, ct).ConfigureAwait(false);
        return await GetRegisteredModelAsync(name, ct).ConfigureAwait(false);
    }

    public Task DeleteRegisteredModelAsync(string name, CancellationToken ct = default) =>
        _db.WriteAsync((c, t) =>
        {
            RequireModel(c, t, name);
            Exec(c, t, "DELETE FROM registered_models WHERE name = @n", ("@n", name)); // cascades to versions, tags, aliases
        }, ct);

    public Task<Page<RegisteredModel>> SearchRegisteredModelsAsync(RegistryQuery query, CancellationToken ct = default)
    {
        RegistryQuery.CheckModelPageSize(query.MaxResults);
        var offset = PageToken.Decode(query.PageToken);
        var p = new List<(string, object?)>();
        string Bind(object? v) { var n = "@p" + p.Count; p.Add((n, v)); return n; }
        var (queryingPrompts, comparisons) = PromptFilter.Split(FilterParser.Parse(query.Filter));
        var where = new List<string> { "1 = 1" };
        if (!queryingPrompts)
            where.Add($"NOT EXISTS (SELECT 1 FROM registered_model_tags pt WHERE pt.name = m.name AND pt.key = {Bind(PromptFilter.IsPromptTag)} AND pt.value = 'true')");
        foreach (var c in comparisons)
        {
            where.Add(c.Kind switch
            {
                EntityKind.Attribute when c.Key == "name" => SqlSearchCompiler.StringCondition("m.name", c, Bind, _db.Dialect),
                // As in MLflow: a tag comparison needs the tag, so a model without it never matches (even !=).
                EntityKind.Tag => $"EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = m.name AND t.key = {Bind(c.Key)} AND {SqlSearchCompiler.StringCondition("t.value", c, Bind, _db.Dialect)})",
                _ => throw CairnException.InvalidParameter($"Registered models can be filtered on name and tags only, not on '{c.Key}'."),
            });
        }
        var order = OrderClause(query.OrderBy, new() { ["name"] = "m.name", ["timestamp"] = "m.last_updated_time", ["last_updated_timestamp"] = "m.last_updated_time", ["creation_timestamp"] = "m.creation_time" }, "m.name ASC");
        using var conn = _db.Open();
        var models = ReadModels(conn, $"WHERE {string.Join(" AND ", where)} ORDER BY {order} LIMIT {query.MaxResults + 1} OFFSET {offset}", p);
        var more = models.Count > query.MaxResults;
        if (more) models.RemoveAt(models.Count - 1);
        return Task.FromResult(new Page<RegisteredModel>(models, PageToken.Next(offset, query.MaxResults, more)));
    }

    public Task SetRegisteredModelTagAsync(string name, RegisteredModelTag tag, CancellationToken ct = default)
    {
        ValidateTags([(tag.Key, tag.Value)]);
        return _db.WriteAsync((c, t) =>
        {
            RequireModel(c, t, name);
            Exec(c, t, UpsertModelTag, ("@n", name), ("@k", tag.Key), ("@v", tag.Value));
        }, ct);
    }

    public Task DeleteRegisteredModelTagAsync(string name, string key, CancellationToken ct = default) =>
        _db.WriteAsync((c, t) =>
        {
            RequireModel(c, t, name);
            if (Exec(c, t, "DELETE FROM registered_model_tags WHERE name = @n AND key = @k", ("@n", name), ("@k", key)) == 0)
                throw CairnException.NotFound($"No tag with key '{key}' on registered model '{name}'.");
        }, ct);

    // ---------------------------------------------------------------- versions

    public async Task<ModelVersion> CreateModelVersionAsync(NewModelVersion version, CancellationToken ct = default)
    {
        RegistryNames.ValidateModelName(version.Name);
        if (string.IsNullOrWhiteSpace(version.Source))
            throw CairnException.InvalidParameter("Missing value for required parameter 'source': the model's location, e.g. runs:/<run_id>/model.");
        ClientLocations.CheckModelSource(version.Source);
        ValidateTags(version.Tags?.Select(t => (t.Key, t.Value)));
        var number = await _db.WriteAsync((c, t) =>
        {
            var now0 = Now;
            Exec(c, t, "INSERT INTO registered_models (name, creation_time, last_updated_time, user_id, description) VALUES (@n, @now, @now, @u, NULL) ON CONFLICT (name) DO NOTHING",
                ("@n", version.Name), ("@now", now0), ("@u", version.UserId));
            // Lock the model's row: concurrent creates (in any process) get consecutive numbers, never the same one.
            ScalarLong(c, t, "SELECT 1 FROM registered_models WHERE name = @n" + _db.Dialect.ForUpdate, ("@n", version.Name));
            var next = ScalarLong(c, t, "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = @n", ("@n", version.Name))!.Value;
            var now = Now;
            Exec(c, t, """
                INSERT INTO model_versions (name, version, creation_time, last_updated_time, user_id, current_stage, description, source, run_id, status, run_link, model_id)
                VALUES (@n, @v, @now, @now, @u, 'None', @d, @s, @r, 'READY', @l, @m)
                """, ("@n", version.Name), ("@v", next), ("@now", now), ("@u", version.UserId), ("@d", version.Description),
                ("@s", version.Source), ("@r", version.RunId), ("@l", version.RunLink), ("@m", version.ModelId ?? LoggedModelIds.FromUri(version.Source)));
            foreach (var tag in version.Tags ?? [])
                Exec(c, t, UpsertVersionTag, ("@n", version.Name), ("@v", next), ("@k", tag.Key), ("@val", tag.Value));
            Exec(c, t, "UPDATE registered_models SET last_updated_time = @now WHERE name = @n", ("@now", now), ("@n", version.Name));
            return next;
        }, ct).ConfigureAwait(false);
        return await GetModelVersionAsync(version.Name, number.ToString(), ct).ConfigureAwait(false);
    }

    public Task<ModelVersion> GetModelVersionAsync(string name, string version, CancellationToken ct = default)
    {
        var number = RegistryNames.ParseVersion(version);
        using var c = _db.Open();
        var versions = ReadVersions(c, $"WHERE v.name = @n AND v.version = @v AND v.current_stage != '{Deleted}'", [("@n", name), ("@v", number)]);
        return versions.Count == 0 ? throw VersionNotFound(name, version) : Task.FromResult(versions[0]);
    }

    public async Task<ModelVersion> UpdateModelVersionAsync(string name, string version, string? description, CancellationToken ct = default)
    {
        var number = RegistryNames.ParseVersion(version);
        await _db.WriteAsync((c, t) =>
        {
            RequireVersion(c, t, name, number);
            Exec(c, t, "UPDATE model_versions SET description = @d, last_updated_time = @now WHERE name = @n AND version = @v",
                ("@d", description), ("@now", Now), ("@n", name), ("@v", number));
        }, ct).ConfigureAwait(false);
        return await GetModelVersionAsync(name, version, ct).ConfigureAwait(false);
    }

    public Task DeleteModelVersionAsync(string name, string version, CancellationToken ct = default)
    {
        var number = RegistryNames.ParseVersion(version);
        return _db.WriteAsync((c, t) =>
        {
            RequireVersion(c, t, name, number);
            Exec(c, t, $"UPDATE model_versions SET current_stage = '{Deleted}', last_updated_time = @now WHERE name = @n AND version = @v",
                ("@now", Now), ("@n", name), ("@v", number));
            Exec(c, t, "DELETE FROM registered_model_aliases WHERE name = @n AND version = @v", ("@n", name), ("@v", number));
        }, ct);
    }

    public Task<Page<ModelVersion>> SearchModelVersionsAsync(RegistryQuery query, CancellationToken ct = default)
    {
        RegistryQuery.CheckVersionPageSize(query.MaxResults);
        var offset = PageToken.Decode(query.PageToken);
        var p = new List<(string, object?)>();
        string Bind(object? v) { var n = "@p" + p.Count; p.Add((n, v)); return n; }
        var (queryingPrompts, comparisons) = PromptFilter.Split(FilterParser.Parse(query.Filter));
        var where = new List<string> { $"v.current_stage != '{Deleted}'" };
        // MLflow leaves out every version of a model any version of which is tagged as a prompt.
        if (!queryingPrompts)
            where.Add($"NOT EXISTS (SELECT 1 FROM model_version_tags pt WHERE pt.name = v.name AND pt.key = {Bind(PromptFilter.IsPromptTag)} AND pt.value = 'true')");
        foreach (var c in comparisons)
        {
            where.Add(c.Kind switch
            {
                EntityKind.Attribute when c.Key is "name" or "run_id" or "source" or "source_path" =>
                    SqlSearchCompiler.StringCondition("v." + (c.Key == "source_path" ? "source" : c.Key), c, Bind, _db.Dialect),
                EntityKind.Attribute when c.Key is "version" or "version_number" && c.Value is NumberValue n =>
                    $"v.version = {Bind((long)n.Value)}",
                EntityKind.Tag => $"EXISTS (SELECT 1 FROM model_version_tags t WHERE t.name = v.name AND t.version = v.version AND t.key = {Bind(c.Key)} AND {SqlSearchCompiler.StringCondition("t.value", c, Bind, _db.Dialect)})",
                _ => throw CairnException.InvalidParameter($"Model versions can be filtered on name, run_id, source_path, version_number and tags, not on '{c.Key}'."),
            });
        }
        // MLflow's order: the terms asked for, then name ascending and version descending; with none, the most recently updated first.
        var order = query.OrderBy is { Count: > 0 }
            ? OrderClause(query.OrderBy, new() { ["name"] = "v.name", ["version_number"] = "v.version", ["creation_timestamp"] = "v.creation_time", ["last_updated_timestamp"] = "v.last_updated_time" }, "v.name ASC, v.version DESC")
            : "v.last_updated_time DESC, v.name ASC, v.version DESC";
        using var conn = _db.Open();
        var versions = ReadVersions(conn, $"WHERE {string.Join(" AND ", where)} ORDER BY {order} LIMIT {query.MaxResults + 1} OFFSET {offset}", p);
        var more = versions.Count > query.MaxResults;
        if (more) versions.RemoveAt(versions.Count - 1);
        return Task.FromResult(new Page<ModelVersion>(versions, PageToken.Next(offset, query.MaxResults, more)));
    }

    public Task SetModelVersionTagAsync(string name, string version, ModelVersionTag tag, CancellationToken ct = default)
    {
        ValidateTags([(tag.Key, tag.Value)]);
        var number = RegistryNames.ParseVersion(version);
        return _db.WriteAsync((c, t) =>
        {
            RequireVersion(c, t, name, number);
            Exec(c, t, UpsertVersionTag, ("@n", name), ("@v", number), ("@k", tag.Key), ("@val", tag.Value));
        }, ct);
    }

    public Task DeleteModelVersionTagAsync(string name, string version, string key, CancellationToken ct = default)
    {
        var number = RegistryNames.ParseVersion(version);
        return _db.WriteAsync((c, t) =>
        {
            RequireVersion(c, t, name, number);
            if (Exec(c, t, "DELETE FROM model_version_tags WHERE name = @n AND version = @v AND key = @k", ("@n", name), ("@v", number), ("@k", key)) == 0)
                throw CairnException.NotFound($"No tag with key '{key}' on model version {name}/{version}.");
        }, ct);
    }

    public async Task<ModelVersion> TransitionModelVersionStageAsync(string name, string version, string stage, bool archiveExistingVersions, CancellationToken ct = default)
    {
        var canonical = ModelStages.Canonical(stage);
        if (archiveExistingVersions && !ModelStages.IsActive(canonical)) throw ModelStages.CannotArchiveFrom(stage);
        var number = RegistryNames.ParseVersion(version);
        await _db.WriteAsync((c, t) =>
        {
            RequireVersion(c, t, name, number);
            var now = Now;
            if (archiveExistingVersions)
                Exec(c, t, "UPDATE model_versions SET current_stage = @archived, last_updated_time = @now WHERE name = @n AND version != @v AND current_stage = @s",
                    ("@archived", ModelStages.Archived), ("@now", now), ("@n", name), ("@v", number), ("@s", canonical));
            Exec(c, t, "UPDATE model_versions SET current_stage = @s, last_updated_time = @now WHERE name = @n AND version = @v",
                ("@s", canonical), ("@now", now), ("@n", name), ("@v", number));
            Exec(c, t, "UPDATE registered_models SET last_updated_time = @now WHERE name = @n", ("@now", now), ("@n", name));
        }, ct).ConfigureAwait(false);
        return await GetModelVersionAsync(name, version, ct).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- aliases

    public Task SetAliasAsync(string name, string alias, string version, CancellationToken ct = default)
    {
        RegistryNames.ValidateAlias(alias);
        var number = RegistryNames.ParseVersion(version);
        return _db.WriteAsync((c, t) =>
        {
            RequireVersion(c, t, name, number);
            Exec(c, t, "INSERT INTO registered_model_aliases (name, alias, version) VALUES (@n, @a, @v) ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version",
                ("@n", name), ("@a", alias), ("@v", number));
            Exec(c, t, "UPDATE registered_models SET last_updated_time = @now WHERE name = @n", ("@now", Now), ("@n", name));
        }, ct);
    }

    public Task DeleteAliasAsync(string name, string alias, CancellationToken ct = default) =>
        _db.WriteAsync((c, t) =>
        {
            RequireModel(c, t, name);
            if (Exec(c, t, "DELETE FROM registered_model_aliases WHERE name = @n AND alias = @a", ("@n", name), ("@a", alias)) == 0)
                throw CairnException.NotFound($"Registered model alias {alias} not found on model {name}.");
        }, ct);

    public Task<ModelVersion> GetModelVersionByAliasAsync(string name, string alias, CancellationToken ct = default)
    {
        using var c = _db.Open();
        var version = ScalarLong(c, null, "SELECT version FROM registered_model_aliases WHERE name = @n AND alias = @a", ("@n", name), ("@a", alias));
        if (version is null)
        {
            if (ScalarLong(c, null, "SELECT 1 FROM registered_models WHERE name = @n", ("@n", name)) is null) throw ModelNotFound(name);
            throw CairnException.NotFound($"Registered model alias {alias} not found on model {name}.");
        }
        return GetModelVersionAsync(name, version.Value.ToString(), ct);
    }

    // ---------------------------------------------------------------- audit trail

    public Task AddTransitionAsync(ModelTransition transition, CancellationToken ct = default) =>
        _db.WriteAsync((c, t) => Exec(c, t, """
            INSERT INTO model_transitions (id, name, version, alias, action, actor, timestamp, comment, gate, gate_details)
            VALUES (@id, @n, @v, @a, @act, @actor, @ts, @c, @g, @gd)
            """, ("@id", transition.Id), ("@n", transition.Name), ("@v", transition.Version), ("@a", transition.Alias),
            ("@act", transition.Action.ToString()), ("@actor", transition.Actor), ("@ts", transition.Timestamp),
            ("@c", transition.Comment), ("@g", transition.Gate), ("@gd", transition.GateDetails)), ct);

    public Task<IReadOnlyList<ModelTransition>> ListTransitionsAsync(string name, string? version = null, CancellationToken ct = default)
    {
        using var c = _db.Open();
        using var command = Command(c, null, $"""
            SELECT id, name, version, alias, action, actor, timestamp, comment, gate, gate_details FROM model_transitions
            WHERE name = @n {(version is null ? "" : "AND version = @v")} ORDER BY timestamp, seq
            """, [("@n", name), ("@v", version)]);
        using var r = command.ExecuteReader();
        var result = new List<ModelTransition>();
        while (r.Read())
            result.Add(new ModelTransition(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Enum.Parse<TransitionAction>(r.GetString(4)),
                r.GetString(5), r.GetInt64(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9)));
        return Task.FromResult<IReadOnlyList<ModelTransition>>(result);
    }

    // ---------------------------------------------------------------- reading

    private List<RegisteredModel> ReadModels(DbConnection c, string clause, IReadOnlyList<(string, object?)> parameters)
    {
        var rows = new List<(string Name, long Created, long Updated, string? User, string? Description)>();
        using (var command = Command(c, null, $"SELECT m.name, m.creation_time, m.last_updated_time, m.user_id, m.description FROM registered_models m {clause}", parameters))
        using (var r = command.ExecuteReader())
        {
            // An unset description reads as "", as MLflow's server answers it.
            while (r.Read()) rows.Add((r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? "" : r.GetString(4)));
        }
        return rows.Select(m =>
        {
            // MLflow's latest_versions: the newest version in each stage.
            var latest = ReadVersions(c, $"WHERE v.name = @n AND v.current_stage != '{Deleted}' AND v.version = (SELECT MAX(w.version) FROM model_versions w WHERE w.name = v.name AND w.current_stage = v.current_stage) ORDER BY v.version DESC", [("@n", m.Name)]);
            var tags = Pairs(c, "SELECT key, value FROM registered_model_tags WHERE name = @n ORDER BY key", m.Name).Select(p => new RegisteredModelTag(p.A, p.B)).ToList();
            var aliases = Pairs(c, "SELECT alias, CAST(version AS TEXT) FROM registered_model_aliases WHERE name = @n ORDER BY alias", m.Name).Select(p => new RegisteredModelAlias(p.A, p.B)).ToList();
            return new RegisteredModel(m.Name, m.Created, m.Updated, m.User, m.Description, latest, tags, aliases);
        }).ToList();
    }

    private static List<ModelVersion> ReadVersions(DbConnection c, string clause, IReadOnlyList<(string, object?)> parameters)
    {
        var versions = new List<ModelVersion>();
        using (var command = Command(c, null, $"SELECT {VersionColumns} FROM model_versions v {clause}", parameters))
        using (var r = command.ExecuteReader())
        {
            while (r.Read())
                versions.Add(new ModelVersion(r.GetString(0), r.GetInt64(1).ToString(), r.GetInt64(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetString(4),
                    r.GetString(5), r.IsDBNull(6) ? "" : r.GetString(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8),
                    ParseStatus(r.GetString(9)), r.IsDBNull(10) ? null : r.GetString(10), [], r.IsDBNull(11) ? null : r.GetString(11), [])
                { ModelId = r.IsDBNull(12) ? null : r.GetString(12) });
        }
        // Tags and aliases of all the versions read, a few hundred models per query: a 10,000-version
        // page (what MLflow's client asks for) costs a few queries, not two per version.
        var tags = new Dictionary<(string, long), List<ModelVersionTag>>();
        var aliases = new Dictionary<(string, long), List<string>>();
        foreach (var names in versions.Select(v => v.Name).Distinct(StringComparer.Ordinal).Chunk(NamesPerQuery))
        {
            var inList = string.Join(',', names.Select((_, i) => "@n" + i));
            var byName = names.Select((n, i) => ("@n" + i, (object?)n)).ToList();
            using (var command = Command(c, null, $"SELECT name, version, key, value FROM model_version_tags WHERE name IN ({inList}) ORDER BY key", byName))
            using (var r = command.ExecuteReader())
                while (r.Read()) Add(tags, (r.GetString(0), r.GetInt64(1)), new ModelVersionTag(r.GetString(2), r.GetString(3)));
            using (var command = Command(c, null, $"SELECT name, version, alias FROM registered_model_aliases WHERE name IN ({inList}) ORDER BY alias", byName))
            using (var r = command.ExecuteReader())
                while (r.Read()) Add(aliases, (r.GetString(0), r.GetInt64(1)), r.GetString(2));
        }
        return versions.Select(v =>
        {
            var key = (v.Name, long.Parse(v.Version));
            return v with { Tags = tags.GetValueOrDefault(key) ?? [], Aliases = aliases.GetValueOrDefault(key) ?? [] };
        }).ToList();
    }

    private const int NamesPerQuery = 500;

    private static void Add<T>(Dictionary<(string, long), List<T>> lists, (string, long) key, T item)
    {
        if (!lists.TryGetValue(key, out var list)) lists[key] = list = [];
        list.Add(item);
    }

    private static List<(string A, string B)> Pairs(DbConnection c, string sql, string name)
    {
        using var command = Command(c, null, sql, [("@n", name)]);
        using var r = command.ExecuteReader();
        var result = new List<(string, string)>();
        while (r.Read()) result.Add((r.GetString(0), r.GetString(1)));
        return result;
    }

    private static ModelVersionStatus ParseStatus(string text) => text switch
    {
        "PENDING_REGISTRATION" => ModelVersionStatus.PendingRegistration,
        "FAILED_REGISTRATION" => ModelVersionStatus.FailedRegistration,
        _ => ModelVersionStatus.Ready,
    };

    private static string OrderClause(IReadOnlyList<string>? orderBy, Dictionary<string, string> columns, string fallback)
    {
        var terms = FilterParser.ParseOrderBy(orderBy).Select(term =>
            term.Kind == EntityKind.Attribute && columns.TryGetValue(term.Key, out var column)
                ? $"{column} {(term.Ascending ? "ASC" : "DESC")}"
                : throw CairnException.InvalidParameter($"Cannot order by '{term.Key}': use one of {string.Join(", ", columns.Keys)}.")).ToList();
        return terms.Count == 0 ? fallback : string.Join(", ", terms) + ", " + fallback;
    }

    private static void ValidateTags(IEnumerable<(string Key, string Value)>? tags)
    {
        foreach (var (key, value) in tags ?? [])
        {
            TrackingLimits.ValidateKey("tag", key);
            TrackingLimits.ValidateValue("tag", key, value, TrackingLimits.MaxTagValueLength);
        }
    }

    private static void RequireModel(DbConnection c, DbTransaction? t, string name)
    {
        if (ScalarLong(c, t, "SELECT 1 FROM registered_models WHERE name = @n", ("@n", name)) is null) throw ModelNotFound(name);
    }

    private static void RequireVersion(DbConnection c, DbTransaction? t, string name, long version)
    {
        if (ScalarLong(c, t, $"SELECT 1 FROM model_versions WHERE name = @n AND version = @v AND current_stage != '{Deleted}'", ("@n", name), ("@v", version)) is null)
        {
            RequireModel(c, t, name);
            throw VersionNotFound(name, version.ToString());
        }
    }

    private static CairnException ModelNotFound(string name) => CairnException.NotFound($"Registered Model with name={name} not found");

    private static CairnException VersionNotFound(string name, string version) =>
        CairnException.NotFound($"Model Version (name={name}, version={version}) not found");

    public void Dispose()
    {
        if (_ownsDatabase) _db.Dispose();
    }
}
