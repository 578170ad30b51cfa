using DuckDB.NET.Data;

namespace Cairn.Features;

/// <summary>
/// An in-memory DuckDB connection for one job: local files only (no extension is installed or
/// loaded behind the user's back), time zone UTC, and every statement cancellable.
/// </summary>
internal sealed class DuckDbSession : IDisposable
{
    private readonly DuckDBConnection _connection;

    private DuckDbSession(DuckDBConnection connection) => _connection = connection;

    public static async Task<DuckDbSession> OpenAsync(CancellationToken ct)
    {
        var connection = new DuckDBConnection("DataSource=:memory:");
        var session = new DuckDbSession(connection);
        try
        {
            await connection.OpenAsync(ct);
            await session.ExecuteAsync("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false; SET TimeZone = 'UTC';", ct);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Runs a statement; a DuckDB error becomes a <see cref="CairnException"/> that says what was being done.</summary>
    public Task ExecuteAsync(string sql, CancellationToken ct, string? doing = null) =>
        RunAsync(command => command.ExecuteNonQuery(), sql, ct, doing);

    /// <summary>The first row of a query's result, each column as an object (DBNull as null).</summary>
    public Task<object?[]> FirstRowAsync(string sql, CancellationToken ct, string? doing = null) =>
        RunAsync(command =>
        {
            using var reader = command.ExecuteReader();
            if (!reader.Read()) return [];
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            return row;
        }, sql, ct, doing);

    /// <summary>Every row of a query's result, each mapped by <paramref name="map"/> from its columns (DBNull as null).</summary>
    public Task<IReadOnlyList<T>> RowsAsync<T>(string sql, Func<object?[], T> map, CancellationToken ct, string? doing = null) =>
        RunAsync<IReadOnlyList<T>>(command =>
        {
            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            var values = new object?[reader.FieldCount];
            while (reader.Read())
            {
                for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                rows.Add(map(values));
            }
            return rows;
        }, sql, ct, doing);

    /// <summary>Appends rows to a table through DuckDB's appender (values: long, double, string, bool, DateTime in UTC, DateOnly, or null).</summary>
    public Task AppendAsync(string table, IEnumerable<object?[]> rows, CancellationToken ct) =>
        RunAsync(unused =>
        {
            using var appender = _connection.CreateAppender(table);
            foreach (var values in rows)
            {
                var row = appender.CreateRow();
                foreach (var value in values)
                    _ = value switch
                    {
                        null => row.AppendNullValue(),
                        long l => row.AppendValue(l),
                        double d => row.AppendValue(d),
                        string s => row.AppendValue(s),
                        bool b => row.AppendValue(b),
                        DateTime t => row.AppendValue(t),
                        DateOnly d => row.AppendValue(d),
                        _ => throw new ArgumentException($"No appender for {value.GetType()}", nameof(rows)),
                    };
                row.EndRow();
            }
            return 0;
        }, "", ct, $"Appending to {table}");

    /// <summary>Runs a query and hands its reader to <paramref name="read"/>, on a worker thread.</summary>
    public Task ReadAsync(string sql, Action<DuckDBDataReader> read, CancellationToken ct, string? doing = null) =>
        RunAsync(command =>
        {
            using var reader = command.ExecuteReader();
            read(reader);
            return 0;
        }, sql, ct, doing);

    /// <summary>The columns (name, DuckDB type) a relation would have, without reading its rows.</summary>
    public Task<IReadOnlyList<(string Name, string Type)>> DescribeAsync(string relation, CancellationToken ct, string doing) =>
        RunAsync<IReadOnlyList<(string, string)>>(command =>
        {
            using var reader = command.ExecuteReader();
            var columns = new List<(string, string)>();
            while (reader.Read()) columns.Add((reader.GetString(0), reader.GetString(1)));
            return columns;
        }, $"DESCRIBE SELECT * FROM {relation}", ct, doing);

    private async Task<T> RunAsync<T>(Func<DuckDBCommand, T> run, string sql, CancellationToken ct, string? doing)
    {
        ct.ThrowIfCancellationRequested();
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var cancel = ct.Register(command.Cancel);
        try
        {
            return await Task.Run(() => run(command), ct);
        }
        catch (DuckDBException e) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException("Cancelled while DuckDB ran.", e, ct);
        }
        catch (DuckDBException e)
        {
            throw CairnException.InvalidParameter($"{doing ?? "DuckDB"} failed: {e.Message}");
        }
    }

    public void Dispose() => _connection.Dispose();
}
