using Microsoft.Data.Sqlite;

namespace Cairn.Storage.Sqlite;

/// <summary>Parameterized commands in one line each; values are always bound, never spliced.</summary>
internal static class SqlCommands
{
    internal static SqliteCommand Command(SqliteConnection c, SqliteTransaction? t, string sql, IEnumerable<(string Name, object? Value)> parameters)
    {
        var command = c.CreateCommand();
        command.Transaction = t;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    internal static int Exec(SqliteConnection c, SqliteTransaction? t, string sql, params (string, object?)[] parameters)
    {
        using var command = Command(c, t, sql, parameters);
        return command.ExecuteNonQuery();
    }

    internal static long? ScalarLong(SqliteConnection c, SqliteTransaction? t, string sql, params (string, object?)[] parameters)
    {
        using var command = Command(c, t, sql, parameters);
        var result = command.ExecuteScalar();
        return result is null or DBNull ? null : Convert.ToInt64(result);
    }

    internal static string? ScalarString(SqliteConnection c, SqliteTransaction? t, string sql, params (string, object?)[] parameters)
    {
        using var command = Command(c, t, sql, parameters);
        return command.ExecuteScalar() as string;
    }
}
