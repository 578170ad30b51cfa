namespace Cairn.Monitoring;

/// <summary>The data quality of one column of the current window, measured against the reference.</summary>
/// <param name="MissingRate">Missing over the column's rows (values, missing and type violations).</param>
/// <param name="OutOfRange">Numbers: the share of values outside the reference's [min, max]; null for categories or without data.</param>
/// <param name="OutOfRangeBound">How far <paramref name="OutOfRange"/> can be from the exact share (buckets straddling min or max).</param>
/// <param name="UnseenRate">Categories: the share of values the reference never had; null for numbers or without data.</param>
/// <param name="UnseenRateBound">0 while both profiles are under their distinct-value cap; otherwise the share whose value was not kept.</param>
/// <param name="TopUnseen">The most frequent unseen values with their counts, at most five.</param>
public sealed record ColumnQuality(
    string Column,
    string Kind,
    long Rows,
    long Missing,
    double MissingRate,
    long TypeViolations,
    double TypeViolationRate,
    double? OutOfRange,
    double? OutOfRangeBound,
    double? UnseenRate,
    double? UnseenRateBound,
    IReadOnlyList<KeyValuePair<string, long>> TopUnseen);

/// <param name="VolumeRatio">Current rows over the expected rows the caller gave (the mean of past windows); null without one.</param>
public sealed record QualityReport(long Rows, double? ExpectedRows, double? VolumeRatio, IReadOnlyList<ColumnQuality> Columns)
{
    public IReadOnlyDictionary<string, double> ToValues()
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        MonitorValues.AddQuality(values, this);
        return values;
    }
}

/// <summary>Data quality of a current profile against a reference profile, from the same profiles drift uses.</summary>
public static class QualityCalculator
{
    public const int TopUnseenCount = 5;

    /// <param name="expectedRows">The rows a window should have (e.g. the mean of past windows); null: no volume ratio.</param>
    /// <param name="columns">Null: every column of the current profile.</param>
    public static QualityReport Compare(DatasetProfile reference, DatasetProfile current, double? expectedRows = null, IReadOnlyList<string>? columns = null)
    {
        if (expectedRows is { } e && !(double.IsFinite(e) && e >= 0))
            throw CairnException.InvalidParameter($"Expected rows must be a finite number at least 0 (got {e}).");
        var results = new List<ColumnQuality>();
        foreach (var column in columns ?? current.Columns)
        {
            if (current.CategoricalColumns.TryGetValue(column, out var categorical))
                results.Add(Categorical(column, reference.CategoricalColumns.GetValueOrDefault(column), categorical));
            else if (current.NumericColumns.TryGetValue(column, out var numeric))
                results.Add(Numeric(column, reference.NumericColumns.GetValueOrDefault(column), numeric));
        }
        double? ratio = expectedRows is > 0 ? current.Rows / expectedRows.Value : null;
        return new QualityReport(current.Rows, expectedRows, ratio, results);
    }

    private static ColumnQuality Numeric(string column, NumericProfile? reference, NumericProfile current)
    {
        double? outOfRange = null, bound = null;
        if (reference is { Count: > 0 } && current.Count > 0)
        {
            var (share, b) = NumericComparison.OutOfRange(reference, new NumericSketch(current), current);
            (outOfRange, bound) = (share, b);
        }
        return new ColumnQuality(column, ColumnKinds.Numeric, current.Rows, current.Missing, Rate(current.Missing, current.Rows),
            current.TypeViolations, Rate(current.TypeViolations, current.Rows), outOfRange, bound, null, null, []);
    }

    private static ColumnQuality Categorical(string column, CategoricalProfile? reference, CategoricalProfile current)
    {
        double? unseenRate = null, bound = null;
        var top = new List<KeyValuePair<string, long>>();
        if (reference is { Count: > 0 } && current.Count > 0)
        {
            long unseen = 0;
            foreach (var (value, count) in current.Counts)
            {
                if (reference.Counts.ContainsKey(value)) continue;
                unseen += count;
                top.Add(new(value, count));
            }
            top.Sort((a, b) => a.Value != b.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
            if (top.Count > TopUnseenCount) top.RemoveRange(TopUnseenCount, top.Count - TopUnseenCount);
            unseenRate = (double)unseen / current.Count;
            // A value the reference may have pooled into its "other" rows may have been seen; the current's own pooled rows are unknown.
            double uncertain = current.Other + (reference.Other > 0 ? unseen : 0);
            bound = uncertain / current.Count;
        }
        return new ColumnQuality(column, ColumnKinds.Categorical, current.Rows, current.Missing, Rate(current.Missing, current.Rows),
            current.TypeViolations, Rate(current.TypeViolations, current.Rows), null, null, unseenRate, bound, top);
    }

    private static double Rate(long part, long whole) => whole == 0 ? double.NaN : (double)part / whole;
}
