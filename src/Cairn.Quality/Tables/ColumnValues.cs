using System.Globalization;

namespace Cairn.Quality.Tables;

/// <summary>
/// The values of one column in one batch of rows, read the way a check needs them. A value is
/// missing when it is null, an empty CSV field, or NaN (written <c>NaN</c> or <c>nan</c> in CSV),
/// as pandas and Great Expectations count them.
/// </summary>
public abstract class ColumnValues
{
    public abstract int Count { get; }

    public abstract bool IsMissing(int row);

    /// <summary>The value as a number; false when it is missing or is not a number.</summary>
    public abstract bool TryGetNumber(int row, out double value);

    /// <summary>The value as invariant text (integers without a decimal point, timestamps in ISO 8601); null when missing.</summary>
    public abstract string? GetText(int row);

    /// <summary>The value as a UTC instant; false when it is missing or is not a timestamp. Text without an offset is taken as UTC.</summary>
    public abstract bool TryGetTimestamp(int row, out DateTimeOffset value);

    public static bool TryParseTimestamp(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    public static bool TryParseNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}

/// <summary>Text values (CSV fields, Parquet strings).</summary>
internal sealed class TextValues(string?[] values, int count) : ColumnValues
{
    public override int Count => count;

    public override bool IsMissing(int row) => values[row] is null or "" or "NaN" or "nan";

    public override bool TryGetNumber(int row, out double value)
    {
        value = 0;
        return !IsMissing(row) && TryParseNumber(values[row]!, out value) && !double.IsNaN(value);
    }

    public override string? GetText(int row) => IsMissing(row) ? null : values[row];

    public override bool TryGetTimestamp(int row, out DateTimeOffset value)
    {
        value = default;
        return !IsMissing(row) && TryParseTimestamp(values[row]!, out value);
    }
}

/// <summary>Whole numbers, kept as 64-bit integers so that large identifiers keep every digit.</summary>
internal sealed class IntegerValues(long[] values, bool[]? missing, int count) : ColumnValues
{
    public override int Count => count;
    public override bool IsMissing(int row) => missing?[row] == true;

    public override bool TryGetNumber(int row, out double value)
    {
        value = values[row];
        return !IsMissing(row);
    }

    public override string? GetText(int row) => IsMissing(row) ? null : values[row].ToString(CultureInfo.InvariantCulture);

    public override bool TryGetTimestamp(int row, out DateTimeOffset value)
    {
        value = default;
        return false;
    }
}

/// <summary>Floating-point numbers, and booleans as 0 and 1.</summary>
internal sealed class NumberValues(double[] values, bool[]? missing, int count, bool booleans = false) : ColumnValues
{
    public override int Count => count;
    public override bool IsMissing(int row) => missing?[row] == true || double.IsNaN(values[row]);

    public override bool TryGetNumber(int row, out double value)
    {
        value = values[row];
        return !IsMissing(row);
    }

    public override string? GetText(int row) => IsMissing(row) ? null
        : booleans ? (values[row] != 0 ? "true" : "false")
        : values[row].ToString("R", CultureInfo.InvariantCulture);

    public override bool TryGetTimestamp(int row, out DateTimeOffset value)
    {
        value = default;
        return false;
    }
}

internal sealed class TimestampValues(DateTimeOffset[] values, bool[]? missing, int count) : ColumnValues
{
    public override int Count => count;
    public override bool IsMissing(int row) => missing?[row] == true;

    public override bool TryGetNumber(int row, out double value)
    {
        value = 0;
        return false;
    }

    public override string? GetText(int row) => IsMissing(row) ? null : values[row].UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", CultureInfo.InvariantCulture);

    public override bool TryGetTimestamp(int row, out DateTimeOffset value)
    {
        value = values[row];
        return !IsMissing(row);
    }
}
