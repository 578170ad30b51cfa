namespace Cairn.Features;

/// <summary>One value of a string or boolean feature and how many rows hold it.</summary>
public sealed record FeatureValueCount(string Value, long Count);

/// <summary>One feature's statistics over a view's source rows.</summary>
/// <param name="Feature">The feature.</param>
/// <param name="Type">Its declared type.</param>
/// <param name="Count">Rows read.</param>
/// <param name="Nulls">Rows where it is null.</param>
/// <param name="Distinct">Distinct non-null values (approximate above 10,000, as DuckDB's approx_count_distinct).</param>
/// <param name="Min">Smallest value (numbers, timestamps as ISO 8601 text, strings in ordinal order), null when all are null.</param>
/// <param name="Max">Largest value, as <paramref name="Min"/>.</param>
/// <param name="Mean">Mean of a numeric or boolean feature.</param>
/// <param name="StdDev">Sample standard deviation of a numeric feature.</param>
/// <param name="Quantiles">The 5th, 25th, 50th, 75th and 95th percentiles of a numeric feature (<see cref="FeatureStatisticsSnapshot.QuantileLevels"/>).</param>
/// <param name="TopValues">The most frequent values of a string or boolean feature with their counts (at most 10).</param>
public sealed record FeatureStatistic(
    string Feature, FeatureType Type, long Count, long Nulls, long Distinct, string? Min, string? Max,
    double? Mean, double? StdDev, IReadOnlyList<double>? Quantiles, IReadOnlyList<FeatureValueCount>? TopValues);

/// <summary>A view's statistics: per feature, and how fresh its newest row is.</summary>
public sealed record FeatureViewStatistics(string View, long Rows, DateTimeOffset? OldestEventTime, DateTimeOffset? NewestEventTime, IReadOnlyList<FeatureStatistic> Features);

/// <summary>
/// Statistics recorded for one definition version of a view (<c>cairn features stats --record</c>):
/// when, over which event interval (null ends: unbounded), and the figures.
/// </summary>
/// <param name="View">The view's name.</param>
/// <param name="ViewVersion">The definition version the statistics were computed with.</param>
/// <param name="Number">The snapshot's number among the view's snapshots, from 1.</param>
/// <param name="RecordTime">When it was recorded (Unix milliseconds).</param>
/// <param name="Start">The first event time included, or null.</param>
/// <param name="End">The event time excluded onwards, or null.</param>
/// <param name="Statistics">The figures.</param>
public sealed record FeatureStatisticsSnapshot(
    string View, int ViewVersion, long Number, long RecordTime, DateTimeOffset? Start, DateTimeOffset? End, FeatureViewStatistics Statistics)
{
    /// <summary>The quantile levels of <see cref="FeatureStatistic.Quantiles"/>.</summary>
    public static readonly IReadOnlyList<double> QuantileLevels = [0.05, 0.25, 0.5, 0.75, 0.95];

    /// <summary>The most snapshots one list call returns.</summary>
    public const int MaxResults = 1000;

    /// <summary><c>features:/view@N</c>, the definition version the snapshot belongs to.</summary>
    public string ViewAddress => new FeatureUri(View, ViewVersion).ToString();
}
