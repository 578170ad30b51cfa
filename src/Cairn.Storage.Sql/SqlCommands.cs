using System.Data.Common;

namespace Cairn.Storage.Sql;

/// <summary>Parameterized commands in one line each; values are always bound, never spliced.</summary>
public static class SqlCommands
{
    public static DbCommand Command(DbConnection c, DbTransaction? t, string sql, IEnumerable<(string Name, object? Value)> parameters)
    {
        var command = c.CreateCommand();
        command.Transaction = t;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) Param(command, name, value);
        return command;
    }

    /// <summary>Adds a parameter and returns it, so a loop can reassign its value without looking it up by name.</summary>
    public static DbParameter Param(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    public static int Exec(DbConnection c, DbTransaction? t, string sql, params (string, object?)[] parameters)
    {
        using var command = Command(c, t, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static long? ScalarLong(DbConnection c, DbTransaction? t, string sql, params (string, object?)[] parameters)
    {
        using var command = Command(c, t, sql, parameters);
        var result = command.ExecuteScalar();
        return result is null or DBNull ? null : Convert.ToInt64(result);
    }

    public static string? ScalarString(DbConnection c, DbTransaction? t, string sql, params (string, object?)[] parameters)
    {
        using var command = Command(c, t, sql, parameters);
        return command.ExecuteScalar() as string;
    }
}
