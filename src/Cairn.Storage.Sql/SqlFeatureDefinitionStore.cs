using System.Data.Common;
using System.Text.Json;
using Cairn.Features;
using static Cairn.Storage.Sql.SqlCommands;

namespace Cairn.Storage.Sql;

/// <summary>
/// Feature definitions and their versions in the metadata database. An apply plans against the
/// registered definitions and writes its versions in the same transaction, so what it checked is
/// what it changed.
/// </summary>
public sealed class SqlFeatureDefinitionStore(SqlDatabase database, TimeProvider? time = null) : IFeatureDefinitionStore
{
    private const string Columns = "kind, name, version, apply_number, creation_time, definition";
    private const string StatisticsColumns = "view_name, number, view_version, record_time, start_time, end_time, row_count, oldest_event_time, newest_event_time, statistics";
    private const string Latest = "version = (SELECT MAX(x.version) FROM feature_definitions x WHERE x.kind = d.kind AND x.name = d.name)";
    private static readonly JsonSerializerOptions Json = CairnJson.Options;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <inheritdoc />
    public async Task<FeatureApplyResult> ApplyAsync(FeatureRepository proposed, bool force = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        var count = (proposed.Entities?.Count ?? 0) + (proposed.Sources?.Count ?? 0) + (proposed.Views?.Count ?? 0) + (proposed.Services?.Count ?? 0) + (proposed.OnDemandViews?.Count ?? 0);
        if (count > FeatureDefinitionKinds.MaxDefinitions)
            throw CairnException.InvalidParameter($"The definitions hold {count} entities, sources, views and services; one apply may hold at most {FeatureDefinitionKinds.MaxDefinitions}.");
        FeatureRepositoryRules.Validate(proposed);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return await database.WriteAsync((c, t) =>
        {
            var latest = Read(c, t, $"WHERE {Latest}");
            var plan = FeaturePlanner.Plan(ToRepository(latest), proposed);
            plan.EnsureApplicable(force);
            if (plan.IsEmpty) return new FeatureApplyResult(0, plan, []);
            var apply = ScalarLong(c, t, "SELECT COALESCE(MAX(apply_number), 0) + 1 FROM feature_applies")!.Value;
            Exec(c, t, "INSERT INTO feature_applies (apply_number, apply_time) VALUES (@a, @now)", ("@a", apply), ("@now", now));
            var previous = latest.ToDictionary(v => (v.Kind, v.Name));
            var written = new List<FeatureDefinitionVersion>();
            foreach (var (change, position) in plan.Changes.Select((change, i) => (change, i)))
            {
                var version = previous.TryGetValue((change.Kind, change.Name), out var before) ? before.Version + 1 : 1;
                var definition = change.Change == FeatureChangeKind.Remove ? null : Definition(proposed, change.Kind, change.Name);
                Exec(c, t, $"INSERT INTO feature_definitions ({Columns}, position) VALUES (@k, @n, @v, @a, @now, @d, @p)",
                    ("@k", change.Kind), ("@n", change.Name), ("@v", (long)version), ("@a", apply), ("@now", now), ("@d", definition), ("@p", (long)position));
                written.Add(ToVersion(change.Kind, change.Name, version, apply, now, definition));
            }
            return new FeatureApplyResult(apply, plan, written);
        }, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<FeatureRepository> GetRepositoryAsync(CancellationToken ct = default)
    {
        using var c = database.Open();
        return Task.FromResult(ToRepository(Read(c, null, $"WHERE {Latest}")));
    }

    /// <inheritdoc />
    public Task<FeatureDefinitionVersion> GetDefinitionAsync(string kind, string name, int? version = null, CancellationToken ct = default)
    {
        FeatureDefinitionKinds.Check(kind);
        FeatureRepositoryRules.Name(name, $"a {kind}");
        if (version is < 1) throw CairnException.InvalidParameter($"Invalid version {version}: versions start at 1.");
        using var c = database.Open();
        var found = version is { } v
            ? Read(c, null, "WHERE kind = @k AND name = @n AND version = @v", ("@k", kind), ("@n", name), ("@v", (long)v))
            : Read(c, null, $"WHERE kind = @k AND name = @n AND {Latest}", ("@k", kind), ("@n", name));
        var what = kind == FeatureDefinitionKinds.View ? new FeatureUri(name, version).ToString() : $"The {kind} '{name}'" + (version is null ? "" : $" at version {version}");
        var single = found.SingleOrDefault()
            ?? throw CairnException.NotFound($"{what} is not registered (see `cairn features list`).");
        if (single.Removed)
            throw CairnException.NotFound($"{what} is removed: version {single.Version} of the {kind} '{name}' removed it" +
                (single.Version > 1 ? $"; version {single.Version - 1} is its last definition." : "."));
        return Task.FromResult(single);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<FeatureDefinitionVersion>> ListVersionsAsync(string kind, string name, CancellationToken ct = default)
    {
        FeatureDefinitionKinds.Check(kind);
        FeatureRepositoryRules.Name(name, $"a {kind}");
        using var c = database.Open();
        var versions = Read(c, null, "WHERE kind = @k AND name = @n ORDER BY version DESC", ("@k", kind), ("@n", name));
        if (versions.Count == 0) throw CairnException.NotFound($"The {kind} '{name}' was never registered (see `cairn features list`).");
        return Task.FromResult<IReadOnlyList<FeatureDefinitionVersion>>(versions);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<FeatureDefinitionVersion>> ListHistoryAsync(int maxResults = 100, CancellationToken ct = default)
    {
        if (maxResults is < 1 or > FeatureDefinitionKinds.MaxDefinitions)
            throw CairnException.InvalidParameter($"Invalid value {maxResults} for max_results: it must be between 1 and {FeatureDefinitionKinds.MaxDefinitions}.");
        using var c = database.Open();
        return Task.FromResult<IReadOnlyList<FeatureDefinitionVersion>>(
            Read(c, null, $"ORDER BY apply_number DESC, position LIMIT {maxResults}"));
    }

    /// <inheritdoc />
    public async Task<FeatureStatisticsSnapshot> RecordStatisticsAsync(string view, int viewVersion, FeatureViewStatistics statistics,
        DateTimeOffset? start = null, DateTimeOffset? end = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        FeatureRepositoryRules.Name(view, "a view");
        if (viewVersion < 1) throw CairnException.InvalidParameter($"Invalid version {viewVersion}: versions start at 1.");
        if (start is { } s && end is { } e && e <= s) throw CairnException.InvalidParameter($"The interval's end {e:O} is not after its start {s:O}.");
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return await database.WriteAsync((c, t) =>
        {
            var address = new FeatureUri(view, viewVersion).ToString();
            var definition = Read(c, t, "WHERE kind = @k AND name = @n AND version = @v", ("@k", FeatureDefinitionKinds.View), ("@n", view), ("@v", (long)viewVersion)).SingleOrDefault();
            if (definition?.View is not { } declared)
                throw CairnException.NotFound($"{address} is {(definition is null ? "not registered" : "a removal")}: statistics belong to a registered definition (see `cairn features list`).");
            CheckStatistics(address, declared, statistics);
            var number = ScalarLong(c, t, "SELECT COALESCE(MAX(number), 0) + 1 FROM feature_statistics WHERE view_name = @n", ("@n", view))!.Value;
            Exec(c, t, $"INSERT INTO feature_statistics ({StatisticsColumns}) VALUES (@n, @num, @v, @now, @s, @e, @rows, @old, @new, @f)",
                ("@n", view), ("@num", number), ("@v", (long)viewVersion), ("@now", now), ("@s", Micros(start)), ("@e", Micros(end)),
                ("@rows", statistics.Rows), ("@old", Micros(statistics.OldestEventTime)), ("@new", Micros(statistics.NewestEventTime)),
                ("@f", JsonSerializer.Serialize(statistics.Features, Json)));
            return new FeatureStatisticsSnapshot(view, viewVersion, number, now, start, end, statistics);
        }, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<FeatureStatisticsSnapshot>> ListStatisticsAsync(string view, int maxResults = 10, CancellationToken ct = default)
    {
        FeatureRepositoryRules.Name(view, "a view");
        if (maxResults is < 1 or > FeatureStatisticsSnapshot.MaxResults)
            throw CairnException.InvalidParameter($"Invalid value {maxResults} for max_results: it must be between 1 and {FeatureStatisticsSnapshot.MaxResults}.");
        using var c = database.Open();
        using var command = Command(c, null, $"SELECT {StatisticsColumns} FROM feature_statistics WHERE view_name = @n ORDER BY number DESC LIMIT {maxResults}", [("@n", (object?)view)]);
        using var r = command.ExecuteReader();
        var list = new List<FeatureStatisticsSnapshot>();
        while (r.Read())
        {
            var features = JsonSerializer.Deserialize<List<FeatureStatistic>>(r.GetString(9), Json) ?? [];
            var statistics = new FeatureViewStatistics(view, r.GetInt64(6), Instant(r, 7), Instant(r, 8), features);
            list.Add(new FeatureStatisticsSnapshot(view, (int)r.GetInt64(2), r.GetInt64(1), r.GetInt64(3), Instant(r, 4), Instant(r, 5), statistics));
        }
        return Task.FromResult<IReadOnlyList<FeatureStatisticsSnapshot>>(list);
    }

    /// <summary>Refuses statistics that cannot be those of <paramref name="declared"/>: another view, undeclared or retyped features, negative counts.</summary>
    private static void CheckStatistics(string address, FeatureViewDefinition declared, FeatureViewStatistics statistics)
    {
        if (statistics.View != declared.Name)
            throw CairnException.InvalidParameter($"The statistics are of the view '{statistics.View}', not of {address}.");
        if (statistics.Rows < 0) throw CairnException.InvalidParameter($"The statistics give {statistics.Rows} rows: counts cannot be negative.");
        if (statistics.Features is null || statistics.Features.Count > declared.Features.Count)
            throw CairnException.InvalidParameter($"The statistics must give at most one entry per feature of {address} ({declared.Features.Count}).");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var feature in statistics.Features)
        {
            var field = declared.Features.FirstOrDefault(f => f.Name == feature?.Feature);
            if (feature is null || field is null)
                throw CairnException.InvalidParameter($"{address} declares no feature '{feature?.Feature}'; its features: {string.Join(", ", declared.Features.Select(f => f.Name))}.");
            if (field.Type != feature.Type)
                throw CairnException.InvalidParameter($"The feature '{feature.Feature}' of {address} is {field.Type.Name()}, the statistics say {feature.Type.Name()}.");
            if (!seen.Add(feature.Feature)) throw CairnException.InvalidParameter($"The statistics give the feature '{feature.Feature}' twice.");
            if (feature.Count < 0 || feature.Nulls < 0 || feature.Distinct < 0 || feature.Nulls > feature.Count)
                throw CairnException.InvalidParameter($"The statistics of '{feature.Feature}' give impossible counts (count {feature.Count}, nulls {feature.Nulls}, distinct {feature.Distinct}).");
        }
    }

    private static long? Micros(DateTimeOffset? instant) => instant is { } i ? (i.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond : null;

    private static DateTimeOffset? Instant(DbDataReader r, int column) =>
        r.IsDBNull(column) ? null : DateTimeOffset.UnixEpoch.AddTicks(r.GetInt64(column) * TimeSpan.TicksPerMicrosecond);

    private static string Definition(FeatureRepository repository, string kind, string name) => kind switch
    {
        FeatureDefinitionKinds.Entity => JsonSerializer.Serialize(repository.Entities.Single(e => e.Name == name), Json),
        FeatureDefinitionKinds.Source => JsonSerializer.Serialize(repository.Sources.Single(s => s.Name == name), Json),
        FeatureDefinitionKinds.View => JsonSerializer.Serialize(repository.Views.Single(v => v.Name == name), Json),
        FeatureDefinitionKinds.OnDemandView => JsonSerializer.Serialize(repository.OnDemandViews.Single(v => v.Name == name), Json),
        _ => JsonSerializer.Serialize(repository.Services.Single(s => s.Name == name), Json),
    };

    private static FeatureDefinitionVersion ToVersion(string kind, string name, int version, long apply, long time, string? json)
    {
        var record = new FeatureDefinitionVersion(kind, name, version, apply, time, Removed: json is null);
        if (json is null) return record;
        return kind switch
        {
            FeatureDefinitionKinds.Entity => record with { Entity = JsonSerializer.Deserialize<EntityDefinition>(json, Json) },
            FeatureDefinitionKinds.Source => record with { Source = JsonSerializer.Deserialize<FeatureSourceDefinition>(json, Json) },
            FeatureDefinitionKinds.View => record with { View = JsonSerializer.Deserialize<FeatureViewDefinition>(json, Json) },
            FeatureDefinitionKinds.OnDemandView => record with { OnDemandView = JsonSerializer.Deserialize<OnDemandFeatureViewDefinition>(json, Json) },
            _ => record with { Service = JsonSerializer.Deserialize<FeatureServiceDefinition>(json, Json) },
        };
    }

    /// <summary>The definitions that are not removed, each kind in name order (ordinal, the same on every database).</summary>
    private static FeatureRepository ToRepository(IReadOnlyList<FeatureDefinitionVersion> latest)
    {
        var present = latest.Where(v => !v.Removed).OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        return new FeatureRepository(
            [.. present.Select(v => v.Entity).OfType<EntityDefinition>()], [.. present.Select(v => v.Source).OfType<FeatureSourceDefinition>()],
            [.. present.Select(v => v.View).OfType<FeatureViewDefinition>()], [.. present.Select(v => v.Service).OfType<FeatureServiceDefinition>()])
        {
            OnDemandViews = [.. present.Select(v => v.OnDemandView).OfType<OnDemandFeatureViewDefinition>()],
        };
    }

    private static List<FeatureDefinitionVersion> Read(DbConnection c, DbTransaction? t, string where, params (string, object?)[] parameters)
    {
        using var command = Command(c, t, $"SELECT {Columns} FROM feature_definitions d {where}", parameters);
        using var r = command.ExecuteReader();
        var list = new List<FeatureDefinitionVersion>();
        while (r.Read())
            list.Add(ToVersion(r.GetString(0), r.GetString(1), (int)r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.IsDBNull(5) ? null : r.GetString(5)));
        return list;
    }
}
