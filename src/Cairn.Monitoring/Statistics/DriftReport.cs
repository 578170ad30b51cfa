namespace Cairn.Monitoring;

/// <summary>Shares of the reference and the current over at most 20 bins, for plots. Numbers: <see cref="Edges"/> (bins + 1 values); categories: <see cref="Categories"/> (the last may be <c>(other)</c>).</summary>
public sealed record DisplayHistogram(
    IReadOnlyList<double> Edges, IReadOnlyList<string>? Categories, IReadOnlyList<double> Reference, IReadOnlyList<double> Current);

public static class DriftVerdicts
{
    public const string Drifted = "drifted";
    public const string NotDrifted = "not drifted";
    /// <summary>The reference or the current window had no values of the column: nothing compared, not drifted.</summary>
    public const string NoData = "no data";
}

/// <summary>The drift of one column.</summary>
/// <param name="Kind"><see cref="ColumnKinds"/>.</param>
/// <param name="Method">The method that decided (<see cref="DriftMethods"/>).</param>
/// <param name="Statistic">The method's statistic (the KS D, the chi-square statistic, the PSI...); NaN without data.</param>
/// <param name="PValue">For <c>ks</c> and <c>chisquare</c>: drifted when below <paramref name="Threshold"/>; the distances drift at or above it.</param>
/// <param name="Statistics">Every statistic computed for the column, by value name (<c>ks</c>, <c>ks_pvalue</c>, <c>psi</c>, <c>wasserstein</c>, <c>chisquare</c>, <c>chisquare_pvalue</c>, <c>jensenshannon</c>).</param>
/// <param name="ErrorBound">The largest difference between <paramref name="Statistic"/> and its value over the raw rows (0 where exact).</param>
/// <param name="ErrorBounds">The bound of each statistic, by the same names.</param>
public sealed record FeatureDrift(
    string Column,
    string Kind,
    string Method,
    double Statistic,
    double? PValue,
    double Threshold,
    bool Drifted,
    string Verdict,
    IReadOnlyDictionary<string, double> Statistics,
    double ErrorBound,
    IReadOnlyDictionary<string, double> ErrorBounds,
    long ReferenceRows,
    long CurrentRows,
    long ReferenceMissing,
    long CurrentMissing,
    DisplayHistogram Histogram);

/// <param name="DriftShare">Drifted over compared features (those with data in both windows); NaN when none was compared.</param>
/// <param name="Threshold">The dataset drifts when the share reaches it.</param>
public sealed record DatasetDrift(double DriftShare, int DriftedFeatures, int ComparedFeatures, double Threshold, bool Drifted);

public sealed record DriftReport(long ReferenceRows, long CurrentRows, IReadOnlyList<FeatureDrift> Features, DatasetDrift Dataset)
{
    /// <summary>The values alert rules read (see <see cref="MonitorValues"/>).</summary>
    public IReadOnlyDictionary<string, double> ToValues()
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        MonitorValues.AddDrift(values, this);
        return values;
    }
}
