using System.Data.Common;
using Cairn.Storage.Sql;
using Cairn.Tracking;
using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Sqlite;

/// <summary>
/// One SQLite file: pooled connections for readers, one writer at a time inside this process
/// (SQLite allows a single writer; queueing here avoids busy-waiting on its lock), WAL mode so
/// readers never block the writer, and synchronous=NORMAL, which in WAL mode keeps every
/// committed transaction across a process crash.
/// </summary>
public sealed class SqliteDatabase : SqlDatabase
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public string Path { get; }

    public override SqlDialect Dialect => SqliteDialect.Instance;
    public override string Description => Path;

    public SqliteDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        var folder = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = OpenSqlite();
        Execute(connection, "PRAGMA journal_mode=WAL;");
    }

    /// <summary>Opens the file and applies any schema migrations it lacks.</summary>
    public static SqliteDatabase OpenMigrated(string path)
    {
        var database = new SqliteDatabase(path);
        SqliteSchema.Migrate(database);
        return database;
    }

    public override DbConnection Open() => OpenSqlite();

    public SqliteConnection OpenSqlite()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;");
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in an IMMEDIATE transaction, one writer at a time.</summary>
    public override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> work, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var connection = OpenSqlite();
            using var transaction = connection.BeginTransaction(deferred: false);
            var result = work(connection, transaction);
            transaction.Commit();
            return result;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
        {
            throw new CairnException(ErrorCodes.TemporarilyUnavailable, $"The database {Path} is locked by another process; retry.", e);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public override void AppendMetrics(DbConnection connection, DbTransaction transaction, long runRowId, IReadOnlyList<Metric> metrics)
    {
        using var writer = new MetricRowWriter((SqliteConnection)connection);
        foreach (var metric in metrics) writer.Append(runRowId, metric);
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public override void Dispose()
    {
        _writeGate.Dispose();
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
