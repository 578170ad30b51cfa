namespace Cairn.Quality.Tables;

/// <summary>The types a data expectation can name. <c>Number</c> includes integers.</summary>
public enum ColumnType { String, Integer, Number, Boolean, Timestamp }

public static class ColumnTypes
{
    public static string Name(ColumnType type) => type switch
    {
        ColumnType.String => "string",
        ColumnType.Integer => "integer",
        ColumnType.Number => "number",
        ColumnType.Boolean => "boolean",
        _ => "timestamp",
    };

    /// <summary>A type as written in YAML, with the usual synonyms; null when it names no type.</summary>
    public static ColumnType? Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "string" or "str" or "text" => ColumnType.String,
        "integer" or "int" or "int64" or "long" => ColumnType.Integer,
        "number" or "double" or "float" or "decimal" => ColumnType.Number,
        "boolean" or "bool" => ColumnType.Boolean,
        "timestamp" or "datetime" or "date" => ColumnType.Timestamp,
        _ => null,
    };

    /// <summary>Whether a column observed as <paramref name="observed"/> satisfies <paramref name="expected"/>.</summary>
    public static bool Satisfies(ColumnType observed, ColumnType expected) =>
        observed == expected || (expected == ColumnType.Number && observed == ColumnType.Integer);
}

/// <summary>A column of a table: its name and, for typed formats (Parquet), its declared type; null for CSV, whose values are text.</summary>
public sealed record TableField(string Name, ColumnType? DeclaredType);
