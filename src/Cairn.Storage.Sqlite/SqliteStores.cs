using Cairn.Storage.Sql;

namespace Cairn.Storage.Sqlite;

/// <summary>The tracking store of one SQLite file (which it opens, migrates and owns).</summary>
public sealed class SqliteTrackingStore(string databasePath, TimeProvider? time = null)
    : SqlTrackingStore(SqliteDatabase.OpenMigrated(databasePath), time, ownsDatabase: true);

/// <summary>The model registry of one SQLite file (which it opens, migrates and owns).</summary>
public sealed class SqliteRegistryStore(string databasePath, TimeProvider? time = null)
    : SqlRegistryStore(SqliteDatabase.OpenMigrated(databasePath), time, ownsDatabase: true);

/// <summary>The tracking, registry and dataset stores of one SQLite file, sharing its connection pool and writer queue.</summary>
public sealed class SqliteStores : IDisposable
{
    public SqliteDatabase Database { get; }
    public SqlTrackingStore Tracking { get; }
    public SqlRegistryStore Registry { get; }
    public SqlDatasetStore Datasets { get; }
    public SqlPipelineScheduleStore Schedules { get; }
    public SqlMonitorStore Monitors { get; }
    public SqlEndpointStore Endpoints { get; }
    public SqlFeatureDefinitionStore Features { get; }
    public SqlLoggedModelStore LoggedModels { get; }
    public SqlIdentityStore Identity { get; }
    /// <summary>The audit log of changing requests, in the same database.</summary>
    public SqlAuditStore Audit { get; }

    public SqliteStores(string databasePath, TimeProvider? time = null)
    {
        Database = SqliteDatabase.OpenMigrated(databasePath);
        Tracking = new SqlTrackingStore(Database, time);
        Registry = new SqlRegistryStore(Database, time);
        Datasets = new SqlDatasetStore(Database, time);
        Schedules = new SqlPipelineScheduleStore(Database, time);
        Monitors = new SqlMonitorStore(Database, time);
        Endpoints = new SqlEndpointStore(Database, time);
        Features = new SqlFeatureDefinitionStore(Database, time);
        LoggedModels = new SqlLoggedModelStore(Database, time);
        Identity = new SqlIdentityStore(Database, time);
        Audit = new SqlAuditStore(Database, time);
    }

    public void Dispose() => Database.Dispose();
}
