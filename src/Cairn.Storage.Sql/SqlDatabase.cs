using System.Data.Common;
using Cairn.Tracking;

namespace Cairn.Storage.Sql;

/// <summary>What differs between SQL databases in the statements the stores write.</summary>
public sealed record SqlDialect(
    string Name,
    /// <summary>Case-sensitive LIKE of a column against a bound pattern.</summary>
    Func<string, string, string> CaseSensitiveLike,
    /// <summary>Case-insensitive LIKE of a column against a bound pattern.</summary>
    Func<string, string, string> CaseInsensitiveLike,
    /// <summary>Rewrites a LIKE pattern for <see cref="CaseSensitiveLike"/> (SQLite's GLOB needs its own syntax).</summary>
    Func<string, string> CaseSensitivePattern,
    /// <summary>Appended to a SELECT that must lock the rows it reads until the transaction ends.</summary>
    string ForUpdate,
    /// <summary>A query returning the next experiment id.</summary>
    string NextExperimentId);

/// <summary>
/// A metadata database: connections, write transactions, and the fast path for metric rows.
/// SQLite and PostgreSQL implement it; the stores above it are written once.
/// </summary>
public abstract class SqlDatabase : IDisposable
{
    public abstract SqlDialect Dialect { get; }

    /// <summary>Where the data is, for messages (a file path, or host and database).</summary>
    public abstract string Description { get; }

    /// <summary>An open connection for reads.</summary>
    public abstract DbConnection Open();

    /// <summary>Runs <paramref name="work"/> in one transaction; retried as a whole on transient failures where the database allows.</summary>
    public abstract Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, T> work, CancellationToken ct);

    public Task WriteAsync(Action<DbConnection, DbTransaction> work, CancellationToken ct) =>
        WriteAsync<bool>((c, t) => { work(c, t); return true; }, ct);

    /// <summary>Appends metric history rows inside the open transaction, as fast as the database allows.</summary>
    public abstract void AppendMetrics(DbConnection connection, DbTransaction transaction, long runRowId, IReadOnlyList<Metric> metrics);

    /// <summary>Writes rows into <paramref name="table"/> within the transaction; databases with a bulk path override it.</summary>
    public virtual long BulkInsert(DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@c" + i))})";
        var parameters = columns.Select((_, i) => SqlCommands.Param(insert, "@c" + i, null)).ToArray();
        long count = 0;
        foreach (var row in rows)
        {
            for (var i = 0; i < parameters.Length; i++) parameters[i].Value = row[i] ?? DBNull.Value;
            insert.ExecuteNonQuery();
            count++;
        }
        return count;
    }

    /// <summary>After rows were copied in with their ids: move id generators past them.</summary>
    public virtual void AfterBulkCopy(DbConnection connection, DbTransaction transaction) { }

    public abstract void Dispose();
}
