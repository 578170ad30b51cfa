using DuckDB.NET.Data;

namespace Cairn.Features.Tests;

/// <summary>Writes and reads the small Parquet and CSV files the tests use, through DuckDB.</summary>
internal static class Tables
{
    /// <summary>Writes rows (long, double, string, bool, DateTime in UTC, or null) to a Parquet or CSV file, in the order given.</summary>
    public static void Write(string path, IReadOnlyList<(string Name, string Type)> columns, IEnumerable<object?[]> rows)
    {
        using var connection = Open();
        Execute(connection, $"CREATE TABLE t ({string.Join(", ", columns.Select(c => $"\"{c.Name.Replace("\"", "\"\"")}\" {c.Type}"))})");
        using (var appender = connection.CreateAppender("t"))
        {
            foreach (var values in rows)
            {
                var row = appender.CreateRow();
                foreach (var value in values)
                    _ = value switch
                    {
                        null => row.AppendNullValue(),
                        long l => row.AppendValue(l),
                        int i => row.AppendValue((long)i),
                        double d => row.AppendValue(d),
                        string s => row.AppendValue(s),
                        bool b => row.AppendValue(b),
                        DateTime t => row.AppendValue(t),
                        _ => throw new ArgumentException($"Cannot write {value.GetType()}"),
                    };
                row.EndRow();
            }
        }
        var format = path.EndsWith(".csv", StringComparison.Ordinal) ? "csv, header true" : "parquet";
        Execute(connection, $"COPY t TO '{path.Replace("'", "''")}' (FORMAT {format})");
    }

    /// <summary>The columns and rows of a Parquet file, timestamps as UTC DateTime.</summary>
    public static (IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows) Read(string path)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM read_parquet('{path.Replace("'", "''")}')";
        using var reader = command.ExecuteReader();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var rows = new List<object?[]>();
        while (reader.Read())
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => Normalize(reader.IsDBNull(i) ? null : reader.GetValue(i))).ToArray());
        return (columns, rows);
    }

    /// <summary>Runs one statement on a fresh in-memory database (for the hand-written comparison queries).</summary>
    public static void Execute(string sql)
    {
        using var connection = Open();
        Execute(connection, sql);
    }

    private static object? Normalize(object? value) => value switch
    {
        DateTimeOffset o => o.UtcDateTime,
        DateTime t => DateTime.SpecifyKind(t, DateTimeKind.Utc),
        int i => (long)i,
        _ => value,
    };

    private static DuckDBConnection Open()
    {
        var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Execute(connection, "SET TimeZone = 'UTC'");
        return connection;
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
