using Npgsql;

namespace Cairn.Features;

/// <summary>
/// A column of a PostgreSQL table as the feature store reads it: the DuckDB type it becomes, the
/// expression that selects it (widened in PostgreSQL, so one reader call fits each DuckDB type)
/// and how its value is read. Types without a DuckDB counterpart here are read as text, so that a
/// feature declared on one is reported as a VARCHAR column of another type, like any schema change.
/// </summary>
internal sealed record PostgresColumn(string Name, string PostgresType, string DuckDbType)
{
    /// <summary>The column as PostgreSQL type names it (pg_type.typname).</summary>
    public static PostgresColumn Of(string name, string postgresType) => new(name, postgresType, postgresType switch
    {
        "int2" or "int4" or "int8" => "BIGINT",
        "float4" or "float8" or "numeric" => "DOUBLE",
        "bool" => "BOOLEAN",
        "timestamp" => "TIMESTAMP",
        "timestamptz" => "TIMESTAMP WITH TIME ZONE",
        "date" => "DATE",
        _ => "VARCHAR",
    });

    /// <summary>The select-list expression: the quoted column, cast to what the reader reads.</summary>
    public string Select => DuckDbType switch
    {
        "BIGINT" => $"{Quoted}::int8",
        "DOUBLE" => $"{Quoted}::float8",
        "VARCHAR" => $"{Quoted}::text",
        _ => Quoted,
    };

    /// <summary>The name as a PostgreSQL identifier (double quotes, inner quotes doubled; the name comes from the catalog).</summary>
    public string Quoted => PostgresSource.Identifier(Name);

    /// <summary>The value at <paramref name="ordinal"/>, as the DuckDB appender takes it.</summary>
    public object? Read(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : DuckDbType switch
    {
        "BIGINT" => reader.GetInt64(ordinal),
        "DOUBLE" => reader.GetDouble(ordinal),
        "BOOLEAN" => reader.GetBoolean(ordinal),
        "TIMESTAMP" => DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Unspecified),
        "TIMESTAMP WITH TIME ZONE" => reader.GetFieldValue<DateTime>(ordinal),
        "DATE" => reader.GetFieldValue<DateOnly>(ordinal),
        _ => reader.GetString(ordinal),
    };

    /// <summary>
    /// A bound on this column as a PostgreSQL parameter, when it is an instant: a timestamptz bound
    /// for timestamptz, and the UTC wall time for timestamp and date, which DuckDB (in UTC) reads the same way.
    /// </summary>
    public NpgsqlParameter? Bound(DateTimeOffset instant)
    {
        // Whole microseconds since the epoch, as the jobs compute their own bounds, so both sides draw the same line.
        var sinceEpoch = (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond * TimeSpan.TicksPerMicrosecond;
        var micros = DateTime.UnixEpoch.AddTicks(sinceEpoch);
        return DuckDbType switch
        {
            "TIMESTAMP WITH TIME ZONE" => new NpgsqlParameter { Value = micros, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz },
            "TIMESTAMP" or "DATE" => new NpgsqlParameter { Value = DateTime.SpecifyKind(micros, DateTimeKind.Unspecified), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Timestamp },
            _ => null,
        };
    }
}
