using Cairn.Artifacts;
using Cairn.Storage.Local;
using Cairn.Storage.Postgres;
using Cairn.Storage.S3;
using Cairn.Storage.Sql;
using Cairn.Storage.Sqlite;

namespace Cairn.Cli;

/// <summary>An opened metadata database with its stores.</summary>
internal sealed record MetadataStores(SqlDatabase Database, SqlTrackingStore Tracking, SqlRegistryStore Registry, SqlDatasetStore Datasets, SqlPipelineScheduleStore Schedules, SqlMonitorStore Monitors, SqlEndpointStore Endpoints, SqlFeatureDefinitionStore Features, string? DefaultArtifactFolder) : IDisposable
{
    /// <summary>Users, tokens and permissions in the same database.</summary>
    public SqlIdentityStore Identity { get; } = new(Database);

    /// <summary>The audit log of changing requests, in the same database.</summary>
    public SqlAuditStore Audit { get; } = new(Database);

    /// <summary>MLflow 3's logged models, in the same database.</summary>
    public SqlLoggedModelStore LoggedModels { get; } = new(Database);

    public void Dispose() => Database.Dispose();
}

/// <summary>Opens the stores a server or an admin command names by URI.</summary>
internal static class StoreWiring
{
    public static bool IsPostgres(string? uri) =>
        uri is not null && (uri.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase));

    /// <summary><c>postgresql://...</c>, <c>sqlite:///path/cairn.db</c>, or a folder (default ./.cairn).</summary>
    public static async Task<MetadataStores> OpenMetadataAsync(string? uri, CancellationToken ct)
    {
        SqlDatabase database;
        string? artifacts = null;
        if (IsPostgres(uri))
        {
            database = await PostgresDatabase.OpenAsync(uri!, ct: ct);
        }
        else
        {
            var location = TrackingUri.Parse(uri) as EmbeddedLocation
                ?? throw CairnException.InvalidParameter($"'{uri}' is not a metadata store: use postgresql://user:password@host:5432/db, sqlite:///path/cairn.db or a folder.");
            database = SqliteDatabase.OpenMigrated(location.DatabasePath);
            artifacts = location.ArtifactRoot;
        }
        return new MetadataStores(database, new SqlTrackingStore(database), new SqlRegistryStore(database), new SqlDatasetStore(database), new SqlPipelineScheduleStore(database), new SqlMonitorStore(database, TimeProvider.System),
            new SqlEndpointStore(database, TimeProvider.System), new SqlFeatureDefinitionStore(database, TimeProvider.System), artifacts);
    }

    /// <summary><c>s3://bucket/prefix</c> or a folder; falls back to the folder beside an embedded database.</summary>
    public static IArtifactStore OpenArtifacts(string? destination, MetadataStores metadata)
    {
        if (destination is { Length: > 0 } && destination.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)) return S3ArtifactStore.Open(destination);
        var folder = destination is { Length: > 0 } ? Path.GetFullPath(destination) : metadata.DefaultArtifactFolder
            ?? throw CairnException.InvalidParameter("With a PostgreSQL backend, give --artifacts-destination (s3://bucket/prefix or a shared folder).");
        return new LocalArtifactStore(folder);
    }

    public static string Describe(IArtifactStore store) => store switch
    {
        S3ArtifactStore s3 => $"s3://{s3.Bucket}/{s3.Prefix}",
        LocalArtifactStore local => local.Root,
        _ => store.GetType().Name,
    };
}
