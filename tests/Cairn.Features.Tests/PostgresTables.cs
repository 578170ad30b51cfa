using Cairn.Storage.Postgres;
using Cairn.Testing;
using Npgsql;

namespace Cairn.Features.Tests;

/// <summary>
/// A fresh database on the test PostgreSQL server, its connection string in an environment variable
/// of this process named for it alone (so that tests running at once never share one).
/// </summary>
internal sealed class PostgresTables : IDisposable
{
    public PostgresTables() => Environment.SetEnvironmentVariable(Variable, ConnectionString);

    /// <summary>The environment variable that holds <see cref="ConnectionString"/>.</summary>
    public string Variable { get; } = "CAIRN_TEST_PG_" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();

    public string ConnectionString { get; } = PostgresDatabase.ConnectionString(PostgresServer.Instance.NewDatabase()).ConnectionString;

    public void Dispose() => Environment.SetEnvironmentVariable(Variable, null);

    public void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>Creates a table and copies rows into it in the order given (a fresh table scans in that order, as a file reads).</summary>
    /// <param name="columns">Name and PostgreSQL type; a DateTime is written as UTC to timestamptz and as wall time to timestamp.</param>
    public void Create(string table, IReadOnlyList<(string Name, string Type)> columns, IEnumerable<object?[]> rows)
    {
        Execute($"CREATE TABLE {table} ({string.Join(", ", columns.Select(c => $"\"{c.Name}\" {c.Type}"))})");
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var import = connection.BeginBinaryImport($"COPY {table} ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) FROM STDIN (FORMAT BINARY)");
        foreach (var row in rows)
        {
            import.StartRow();
            for (var i = 0; i < columns.Count; i++)
            {
                var type = columns[i].Type;
                switch (row[i])
                {
                    case null: import.WriteNull(); break;
                    case DateTime t when type == "timestamptz": import.Write(DateTime.SpecifyKind(t, DateTimeKind.Utc), NpgsqlTypes.NpgsqlDbType.TimestampTz); break;
                    case DateTime t: import.Write(DateTime.SpecifyKind(t, DateTimeKind.Unspecified), NpgsqlTypes.NpgsqlDbType.Timestamp); break;
                    case long l when type == "integer": import.Write((int)l, NpgsqlTypes.NpgsqlDbType.Integer); break;
                    case long l: import.Write(l); break;
                    case double d: import.Write(d); break;
                    case decimal m: import.Write(m); break;
                    case short s: import.Write(s); break;
                    case bool b: import.Write(b); break;
                    case DateOnly day: import.Write(day, NpgsqlTypes.NpgsqlDbType.Date); break;
                    case string s: import.Write(s, type == "jsonb" ? NpgsqlTypes.NpgsqlDbType.Jsonb : NpgsqlTypes.NpgsqlDbType.Text); break;
                    case var value: throw new ArgumentException($"Cannot write {value.GetType()}");
                }
            }
        }
        import.Complete();
    }
}
