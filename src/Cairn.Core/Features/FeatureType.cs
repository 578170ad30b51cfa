namespace Cairn.Features;

/// <summary>
/// The value types a feature or join key may have. They map one to one onto Parquet, DuckDB and
/// Feast value types, so a definition means the same thing offline, online and over HTTP.
/// </summary>
public enum FeatureType
{
    /// <summary>64-bit integer (Parquet INT64, DuckDB BIGINT, Feast INT64).</summary>
    Int64,
    /// <summary>64-bit float (Parquet DOUBLE, DuckDB DOUBLE, Feast DOUBLE).</summary>
    Double,
    /// <summary>UTF-8 text (Parquet BYTE_ARRAY/UTF8, DuckDB VARCHAR, Feast STRING).</summary>
    String,
    /// <summary>Boolean (Parquet BOOLEAN, DuckDB BOOLEAN, Feast BOOL).</summary>
    Bool,
    /// <summary>An instant in UTC (Parquet TIMESTAMP, DuckDB TIMESTAMPTZ, Feast UNIX_TIMESTAMP).</summary>
    Timestamp,
}

/// <summary>Parses and names <see cref="FeatureType"/> as definitions write them (<c>int64</c>, <c>double</c>, ...).</summary>
public static class FeatureTypes
{
    /// <summary>The names accepted in definitions, each with the type it means.</summary>
    public static readonly IReadOnlyDictionary<string, FeatureType> Names = new Dictionary<string, FeatureType>(StringComparer.OrdinalIgnoreCase)
    {
        ["int64"] = FeatureType.Int64, ["int"] = FeatureType.Int64, ["long"] = FeatureType.Int64,
        ["double"] = FeatureType.Double, ["float64"] = FeatureType.Double, ["float"] = FeatureType.Double,
        ["string"] = FeatureType.String,
        ["bool"] = FeatureType.Bool, ["boolean"] = FeatureType.Bool,
        ["timestamp"] = FeatureType.Timestamp, ["unix_timestamp"] = FeatureType.Timestamp,
    };

    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the accepted types.</exception>
    public static FeatureType Parse(string? text, string where) =>
        text is not null && Names.TryGetValue(text.Trim(), out var type)
            ? type
            : throw CairnException.InvalidParameter($"{where}: unknown type '{text}'; use int64, double, string, bool or timestamp.");

    /// <summary>The canonical lower-case name (<c>int64</c>, <c>double</c>, <c>string</c>, <c>bool</c>, <c>timestamp</c>).</summary>
    public static string Name(this FeatureType type) => type.ToString().ToLowerInvariant();
}
