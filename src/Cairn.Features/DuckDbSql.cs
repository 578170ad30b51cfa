namespace Cairn.Features;

/// <summary>
/// Quoting for the SQL this project writes: every identifier and path that comes from a definition
/// or a file name is quoted here, so none of them can change the statement around it.
/// </summary>
internal static class DuckDbSql
{
    /// <summary>An identifier in double quotes, inner quotes doubled.</summary>
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A string literal in single quotes, inner quotes doubled (DuckDB reads no backslash escapes in plain literals).</summary>
    public static string Literal(string text)
    {
        if (text.Contains('\0', StringComparison.Ordinal)) throw CairnException.InvalidParameter("A path or name contains a NUL character.");
        return "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>The DuckDB type a value of <paramref name="type"/> is written as.</summary>
    public static string TypeOf(FeatureType type) => type switch
    {
        FeatureType.Int64 => "BIGINT",
        FeatureType.Double => "DOUBLE",
        FeatureType.String => "VARCHAR",
        FeatureType.Bool => "BOOLEAN",
        FeatureType.Timestamp => "TIMESTAMPTZ",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    private static readonly string[] Integers = ["BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT"];
    private static readonly string[] Instants = ["TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP WITH TIME ZONE", "DATE"];

    /// <summary>
    /// Whether a column DuckDB reports as <paramref name="columnType"/> holds values of
    /// <paramref name="type"/> without loss: narrower integers are int64, integers and decimals are
    /// double, any timestamp or date is a timestamp. Anything else is a changed schema.
    /// </summary>
    public static bool Holds(FeatureType type, string columnType) => type switch
    {
        FeatureType.Int64 => Integers.Contains(columnType),
        FeatureType.Double => columnType is "DOUBLE" or "FLOAT" || columnType.StartsWith("DECIMAL", StringComparison.Ordinal) || Integers.Contains(columnType),
        FeatureType.String => columnType == "VARCHAR",
        FeatureType.Bool => columnType == "BOOLEAN",
        FeatureType.Timestamp => IsInstant(columnType),
        _ => false,
    };

    /// <summary>Whether a column of this DuckDB type can be an event timestamp.</summary>
    public static bool IsInstant(string columnType) => Instants.Contains(columnType);
}
