using System.Globalization;
using Cairn.Quality.Tables;

namespace Cairn.Quality.Validation;

/// <summary>
/// One expectation about a table, as written in an expectations file (<paramref name="Line"/> is
/// where). Each kind knows the columns it reads and makes the check that reads them.
/// </summary>
public abstract record Expectation(int Line)
{
    /// <summary>The name used in the file after <c>expect:</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>The columns it reads (none for a row count).</summary>
    public abstract IReadOnlyList<string> Columns { get; }

    /// <summary>A check over the columns at <paramref name="fields"/> (same order as <see cref="Columns"/>).</summary>
    internal abstract ExpectationCheck CreateCheck(IReadOnlyList<int> fields, IReadOnlyList<TableField> table);

    internal static string Bounds(double? min, double? max) => (min, max) switch
    {
        ({ } lo, { } hi) => $"between {Format(lo)} and {Format(hi)}",
        ({ } lo, null) => $">= {Format(lo)}",
        (null, { } hi) => $"<= {Format(hi)}",
        _ => "any value",
    };

    internal static bool Within(double value, double? min, double? max) => !double.IsNaN(value) && (min is null || value >= min) && (max is null || value <= max);

    /// <summary>Whole numbers in full (a row count of 1000000, not 1E+06), others to six significant digits.</summary>
    internal static string Format(double value) =>
        Math.Abs(value) < 1e15 && value == Math.Floor(value) ? value.ToString("0", CultureInfo.InvariantCulture) : value.ToString("G6", CultureInfo.InvariantCulture);
}

/// <summary>The columns must be present, each of the given type (null: any type); with <paramref name="AllowExtraColumns"/> false, no others.</summary>
public sealed record SchemaExpectation(IReadOnlyList<(string Name, ColumnType? Type)> Expected, bool AllowExtraColumns, int Line) : Expectation(Line)
{
    public override string Kind => "schema";
    public override IReadOnlyList<string> Columns => [];
    internal override ExpectationCheck CreateCheck(IReadOnlyList<int> fields, IReadOnlyList<TableField> table) => new SchemaCheck(this, table);
}

/// <summary>At most <paramref name="MaxMissingFraction"/> of the values may be missing (null, empty or NaN); 0 means none.</summary>
public sealed record NotNullExpectation(string Column, double MaxMissingFraction, int Line) : Expectation(Line)
{
    public override string Kind => "not_null";
    public override IReadOnlyList<string> Columns => [Column];
    internal override ExpectationCheck CreateCheck(IReadOnlyList<int> fields, IReadOnlyList<TableField> table) => new NotNullCheck(this, fields[0]);
}

/// <summary>Every present value is a number within [min, max] (inclusive).</summary>
public sealed record RangeExpectation(string Column, double? Min, double? Max, int Line) : Expectation(Line)
{
    public override string Kind => "range";
    public override IReadOnlyList<string> Columns => [Column];
    internal override ExpectationCheck CreateCheck(IReadOnlyList<int> fields, IReadOnlyList<TableField> table) => new RangeCheck(this, fields[0]);
}

/// <summary>Every present value is one of <paramref name="Values"/> (compared as text).</summary>
public sealed record AllowedValuesExpectation(string Column, IReadOnlyList<string> Values, int Line) : Expectation(Line)
{
    public override string Kind => "allowed_values";
    public override IReadOnlyList<string> Columns => [Column];
    internal override ExpectationCheck CreateCheck(IReadOnlyList<int> fields, IReadOnlyList<TableField> table) => new AllowedValuesCheck(this, fields[0]);
}

/// <summary>No two rows share the values of <paramref name="KeyColumns"/> (one column, or a compound key).</summary>
public sealed record UniqueExpectation(IReadOnlyList<string> KeyColumns, int Line) : Expectation(Line)
{
    public override string Kind => "unique";
    public override IReadOnlyList<string> Columns => KeyColumns;
    internal override ExpectationCheck CreateCheck(IReadOnlyList<int> fields, IReadOnlyList<TableField> table) => new UniqueCheck(this, fields);
}

public sealed record RowCountExpectation(long? Min, long? Max, int Line) : Expectation(Line)
{
    public override string Kind => "row_count";
    public override IReadOnlyList<string> Columns => [];
    internal override ExpectationCheck CreateCheck(IReadOnlyList<int> fields, IReadOnlyList<TableField> table) => new RowCountCheck(this);
}

/// <summary>The newest timestamp of the column is at most <paramref name="MaxAge"/> old, against the validation's clock.</summary>
public sealed record FreshnessExpectation(string Column, TimeSpan MaxAge, int Line) : Expectation(Line)
{
    public override string Kind => "freshness";
    public override IReadOnlyList<string> Columns => [Column];
    internal override ExpectationCheck CreateCheck(IReadOnlyList<int> fields, IReadOnlyList<TableField> table) => new FreshnessCheck(this, fields[0]);
}

public enum Statistic { Mean, Stddev, Quantile }

/// <summary>A statistic of the column's present numbers (mean, sample standard deviation, or the <paramref name="Quantile"/>-th quantile) is within bounds.</summary>
public sealed record DistributionExpectation(string Column, Statistic Statistic, double? Quantile, double? Min, double? Max, int Line) : Expectation(Line)
{
    public override string Kind => Statistic switch { Statistic.Mean => "mean", Statistic.Stddev => "stddev", _ => "quantile" };
    public override IReadOnlyList<string> Columns => [Column];
    internal override ExpectationCheck CreateCheck(IReadOnlyList<int> fields, IReadOnlyList<TableField> table) => new DistributionCheck(this, fields[0]);
}
