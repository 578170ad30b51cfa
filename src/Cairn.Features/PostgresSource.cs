using System.Globalization;
using Cairn.Storage.Postgres;
using Npgsql;

namespace Cairn.Features;

/// <summary>
/// A <c>postgres</c> source: a table (or view) read with Npgsql into a DuckDB temporary table, since
/// DuckDB's postgres extension is not installed (sessions load no extension). Rows go through
/// DuckDB's appender straight from the Npgsql reader: nothing is written to disk and nothing is held
/// twice in .NET, and the table then reads like any other relation. The connection string comes
/// from the environment variable the definition names and never appears in a message.
/// </summary>
internal sealed class PostgresSource
{
    private static int _tables;
    private readonly string _connectionString;
    private readonly string? _password;
    private readonly string _from;
    private readonly string _what;
    private readonly string _label;

    private PostgresSource(string connectionString, string? password, string from, IReadOnlyList<PostgresColumn> columns, string relation, string what, string label)
    {
        (_connectionString, _password, _from, Columns, Relation, _what, _label) = (connectionString, password, from, columns, relation, what, label);
    }

    /// <summary>The table's columns, in table order.</summary>
    public IReadOnlyList<PostgresColumn> Columns { get; }

    /// <summary>The DuckDB temporary table that holds the rows once <see cref="LoadAsync"/> has run (empty before).</summary>
    public string Relation { get; }

    /// <summary>An identifier in double quotes, inner quotes doubled (PostgreSQL's rule, as DuckDB's).</summary>
    public static string Identifier(string name) => DuckDbSql.Identifier(name);

    /// <summary>
    /// Connects, finds the table and its columns in the catalog, and creates an empty DuckDB table
    /// with those columns, so that the view's columns are checked before any row is read.
    /// </summary>
    public static async Task<PostgresSource> OpenAsync(DuckDbSession session, FeatureSourceDefinition source, string what, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(source.Table)) throw CairnException.InvalidParameter($"{what} is a postgres source without a table (schema.table).");
        var parts = source.Table.Split('.');
        if (parts.Length > 2) throw CairnException.InvalidParameter($"{what}: table '{source.Table}' has more than two parts; write schema.table or table.");
        foreach (var part in parts) FeatureRepositoryRules.Name(part, $"the table of {what} (schema.table)");
        var (connectionString, password) = ConnectionString(source, what);
        var label = $"PostgreSQL table {source.Table} (connection from ${source.Connection})";
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            // to_regclass resolves the name as SQL would (search path, case folding) from a bound parameter: the definition's text never becomes SQL.
            await using var find = new NpgsqlCommand(
                "SELECT n.nspname, c.relname, a.attname, t.typname FROM pg_catalog.pg_class c " +
                "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace " +
                "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped " +
                "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid " +
                "WHERE c.oid = to_regclass($1) ORDER BY a.attnum", connection);
            find.Parameters.Add(new NpgsqlParameter { Value = source.Table });
            string? from = null;
            var columns = new List<PostgresColumn>();
            await using (var reader = await find.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct))
                {
                    from ??= $"{Identifier(reader.GetString(0))}.{Identifier(reader.GetString(1))}";
                    columns.Add(PostgresColumn.Of(reader.GetString(2), reader.GetString(3)));
                }
            if (from is null)
                throw CairnException.InvalidParameter($"{what}: there is no {label} (or its user may not see it); check the table name and the database the connection names.");
            var relation = string.Create(CultureInfo.InvariantCulture, $"__cairn_postgres{Interlocked.Increment(ref _tables)}");
            await session.ExecuteAsync($"CREATE OR REPLACE TEMP TABLE {relation} ({string.Join(", ", columns.Select(c => $"{DuckDbSql.Identifier(c.Name)} {c.DuckDbType}"))})",
                ct, $"Preparing the columns of {what}");
            return new PostgresSource(connectionString, password, from, columns, relation, what, label);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            throw Failed(e, "reading the catalog of", what, label, password, connectionString);
        }
    }

    /// <summary>
    /// Loads the rows: only <paramref name="needed"/> columns when given (the others are dropped
    /// from the DuckDB table), and only events in [<paramref name="start"/>, <paramref name="end"/>)
    /// of <paramref name="timestamp"/> when bounds are given, the filter running in PostgreSQL.
    /// </summary>
    public async Task LoadAsync(DuckDbSession session, IReadOnlyCollection<string>? needed, string timestamp, DateTimeOffset? start, DateTimeOffset? end, CancellationToken ct)
    {
        var columns = needed is null ? Columns : Columns.Where(c => needed.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (columns.Count < Columns.Count)
            await session.ExecuteAsync($"CREATE OR REPLACE TEMP TABLE {Relation} ({string.Join(", ", columns.Select(c => $"{DuckDbSql.Identifier(c.Name)} {c.DuckDbType}"))})",
                ct, $"Preparing the columns of {_what}");
        var sql = $"SELECT {string.Join(", ", columns.Select(c => c.Select))} FROM {_from}";
        var parameters = new List<NpgsqlParameter>();
        var eventTime = Columns.FirstOrDefault(c => string.Equals(c.Name, timestamp, StringComparison.OrdinalIgnoreCase));
        var conditions = new List<string>();
        foreach (var (bound, op) in new[] { (start, ">="), (end, "<") })
            if (bound is { } instant && eventTime?.Bound(instant) is { } parameter)
            {
                parameters.Add(parameter);
                conditions.Add($"{eventTime.Quoted} {op} ${parameters.Count}");
            }
        if (conditions.Count > 0) sql += " WHERE " + string.Join(" AND ", conditions);
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            command.Parameters.AddRange(parameters.ToArray());
            await using var cancel = ct.Register(command.Cancel); // the rows are read synchronously, on the appender's thread
            await using var reader = await command.ExecuteReaderAsync(ct);
            await session.AppendAsync(Relation, Rows(reader, columns), ct);
        }
        catch (NpgsqlException e) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException("Cancelled while reading PostgreSQL.", e, ct); // the server's answer to the cancel request
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or InvalidCastException or TimeoutException)
        {
            throw Failed(e, "reading", _what, _label, _password, _connectionString);
        }
    }

    /// <summary>Reads on the appender's worker thread, row by row, so the table is never held whole in .NET.</summary>
    private static IEnumerable<object?[]> Rows(NpgsqlDataReader reader, IReadOnlyList<PostgresColumn> columns)
    {
        while (reader.Read())
        {
            var row = new object?[columns.Count];
            for (var i = 0; i < row.Length; i++) row[i] = columns[i].Read(reader, i);
            yield return row;
        }
    }

    private static (string ConnectionString, string? Password) ConnectionString(FeatureSourceDefinition source, string what)
    {
        if (string.IsNullOrWhiteSpace(source.Connection))
            throw CairnException.InvalidParameter($"{what} is a postgres source without a connection: name the environment variable that holds its connection string, such as connection: FEATURES_PG.");
        var text = Environment.GetEnvironmentVariable(source.Connection);
        if (string.IsNullOrWhiteSpace(text))
            throw CairnException.InvalidParameter($"{what} reads its PostgreSQL connection string from the environment variable {source.Connection}, which is not set; set it (postgresql://user:password@host:5432/database).");
        try
        {
            var builder = PostgresDatabase.ConnectionString(text);
            return (builder.ConnectionString, builder.Password);
        }
        catch (Exception e) when (e is CairnException or ArgumentException or FormatException or KeyNotFoundException or InvalidCastException)
        {
            // The parser's message would quote the text, password included.
            throw CairnException.InvalidParameter($"{what}: the environment variable {source.Connection} does not hold a PostgreSQL connection string (postgresql://user:password@host:5432/database, or Host=...;Database=...).");
        }
    }

    private static CairnException Failed(Exception e, string doing, string what, string label, string? password, string connectionString)
    {
        var message = e.Message.Replace(connectionString, "***", StringComparison.Ordinal);
        if (!string.IsNullOrEmpty(password)) message = message.Replace(password, "***", StringComparison.Ordinal);
        return CairnException.InvalidParameter($"{what}: {doing} the {label} failed: {message}");
    }
}
