namespace Cairn.Storage.Sqlite;

/// <summary>The tracking and registry stores of one SQLite file, sharing its connection pool and writer queue.</summary>
public sealed class SqliteStores : IDisposable
{
    public SqliteDatabase Database { get; }
    public SqliteTrackingStore Tracking { get; }
    public SqliteRegistryStore Registry { get; }

    public SqliteStores(string databasePath, TimeProvider? time = null)
    {
        Database = SqliteDatabase.OpenMigrated(databasePath);
        Tracking = new SqliteTrackingStore(Database, time);
        Registry = new SqliteRegistryStore(Database, time);
    }

    public void Dispose() => Database.Dispose();
}
