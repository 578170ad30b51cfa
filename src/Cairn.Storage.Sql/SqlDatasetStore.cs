using System.Data.Common;
using System.Text.Json;
using Cairn.Data;
using static Cairn.Storage.Sql.SqlCommands;

namespace Cairn.Storage.Sql;

/// <summary>Named dataset versions in the metadata database, beside the runs that consume them.</summary>
public sealed class SqlDatasetStore(SqlDatabase database, TimeProvider? time = null) : IDatasetStore
{
    private const string Columns = "name, version, digest, kind, size, file_count, path, git_commit, table_summary, description, created_by, creation_time";
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<DatasetVersion> CreateVersionAsync(NewDatasetVersion version, CancellationToken ct = default)
    {
        DatasetNames.Validate(version.Name);
        var digest = DatasetNames.NormalizeDigest(version.Digest);
        if (version.Kind is not ("file" or "directory"))
            throw CairnException.InvalidParameter($"Invalid dataset kind '{version.Kind}': expected 'file' or 'directory'.");
        if (version.Size < 0 || version.FileCount < 0)
            throw CairnException.InvalidParameter("A dataset version's size and file count must not be negative.");
        if (string.IsNullOrWhiteSpace(version.Path))
            throw CairnException.InvalidParameter("Missing value for required parameter 'path': where the data lives in the repository.");
        var derivedFrom = DatasetDerivedFrom.Normalize(version.DerivedFrom);
        var number = await database.WriteAsync((c, t) =>
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            Exec(c, t, "INSERT INTO datasets (name, creation_time, last_updated_time) VALUES (@n, @now, @now) ON CONFLICT (name) DO NOTHING",
                ("@n", version.Name), ("@now", now));
            // Lock the dataset's row: concurrent tags (in any process) get consecutive numbers, never the same one.
            ScalarLong(c, t, "SELECT 1 FROM datasets WHERE name = @n" + database.Dialect.ForUpdate, ("@n", version.Name));
            if (ScalarLong(c, t, "SELECT version FROM dataset_versions WHERE name = @n AND digest = @d", ("@n", version.Name), ("@d", digest)) is { } existing)
                return existing;
            var next = ScalarLong(c, t, "SELECT COALESCE(MAX(version), 0) + 1 FROM dataset_versions WHERE name = @n", ("@n", version.Name))!.Value;
            Exec(c, t, $"INSERT INTO dataset_versions ({Columns}) VALUES (@n, @v, @d, @k, @s, @f, @p, @g, @t, @desc, @u, @now)",
                ("@n", version.Name), ("@v", next), ("@d", digest), ("@k", version.Kind), ("@s", version.Size), ("@f", version.FileCount),
                ("@p", version.Path), ("@g", version.GitCommit), ("@t", version.Table is null ? null : JsonSerializer.Serialize(version.Table, CairnJson.Options)),
                ("@desc", version.Description), ("@u", version.CreatedBy), ("@now", now));
            for (var i = 0; i < derivedFrom.Count; i++)
                Exec(c, t, "INSERT INTO dataset_derived_from (name, version, position, source) VALUES (@n, @v, @i, @s)",
                    ("@n", version.Name), ("@v", next), ("@i", (long)i), ("@s", derivedFrom[i]));
            Exec(c, t, "UPDATE datasets SET last_updated_time = @now WHERE name = @n", ("@now", now), ("@n", version.Name));
            return next;
        }, ct).ConfigureAwait(false);
        return await GetVersionAsync(version.Name, number.ToString(System.Globalization.CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
    }

    public Task<DatasetVersion> GetVersionAsync(string name, string versionOrDigest, CancellationToken ct = default)
    {
        DatasetNames.Validate(name);
        var uri = new DataUri(name, versionOrDigest);
        using var c = database.Open();
        List<DatasetVersion> found;
        if (uri.IsVersionNumber)
        {
            found = Read(c, "WHERE name = @n AND version = @v", ("@n", name), ("@v", long.Parse(versionOrDigest, System.Globalization.CultureInfo.InvariantCulture)));
        }
        else
        {
            var digest = DatasetNames.NormalizeDigest(versionOrDigest, allowPrefix: true);
            found = Read(c, "WHERE name = @n AND digest LIKE @d ORDER BY version", ("@n", name), ("@d", digest + "%"));
            if (found.Count > 1)
                throw CairnException.InvalidParameter($"Digest prefix '{versionOrDigest}' matches {found.Count} versions of dataset '{name}' ({string.Join(", ", found.Select(v => v.Version))}); give more digits.");
        }
        return found.Count == 1
            ? Task.FromResult(found[0])
            : throw CairnException.NotFound($"Dataset version {uri} does not exist{(Exists(c, name) ? "" : $": there is no dataset named '{name}' (tag one with `cairn data tag <path> {name}`)")}.");
    }

    public Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(string name, CancellationToken ct = default)
    {
        DatasetNames.Validate(name);
        using var c = database.Open();
        return Task.FromResult<IReadOnlyList<DatasetVersion>>(Read(c, "WHERE name = @n ORDER BY version DESC", ("@n", name)));
    }

    public Task<IReadOnlyList<DatasetVersion>> ListDatasetsAsync(CancellationToken ct = default)
    {
        using var c = database.Open();
        return Task.FromResult<IReadOnlyList<DatasetVersion>>(Read(c,
            "WHERE version = (SELECT MAX(version) FROM dataset_versions AS latest WHERE latest.name = dataset_versions.name) ORDER BY name"));
    }

    private static bool Exists(DbConnection c, string name) => ScalarLong(c, null, "SELECT 1 FROM datasets WHERE name = @n", ("@n", name)) is not null;

    private static List<DatasetVersion> Read(DbConnection c, string where, params (string, object?)[] parameters)
    {
        var versions = new List<DatasetVersion>();
        using (var command = Command(c, null, $"SELECT {Columns} FROM dataset_versions {where}", parameters))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
                var table = Text(8) is { } json ? JsonSerializer.Deserialize<TableSummary>(json, CairnJson.Options) : null;
                versions.Add(new DatasetVersion(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                    reader.GetInt64(4), reader.GetInt64(5), reader.GetString(6), Text(7), table, Text(9), reader.GetString(10), reader.GetInt64(11)));
            }
        }
        // A second query, after the first reader is closed (PostgreSQL runs one command at a time per connection).
        return versions.Count == 0 ? versions : WithDerivedFrom(c, versions, where, parameters);
    }

    /// <summary>Attaches the derived_from edges of the versions the same condition selects, in one query.</summary>
    private static List<DatasetVersion> WithDerivedFrom(DbConnection c, List<DatasetVersion> versions, string where, (string, object?)[] parameters)
    {
        var edges = new Dictionary<(string, long), List<string>>();
        using var command = Command(c, null,
            $"SELECT name, version, source FROM dataset_derived_from WHERE (name, version) IN (SELECT name, version FROM dataset_versions {where}) ORDER BY name, version, position",
            parameters);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var key = (reader.GetString(0), reader.GetInt64(1));
            if (!edges.TryGetValue(key, out var list)) edges[key] = list = [];
            list.Add(reader.GetString(2));
        }
        return edges.Count == 0 ? versions : versions.Select(v => edges.TryGetValue((v.Name, v.Version), out var list) ? v with { DerivedFrom = list } : v).ToList();
    }
}
