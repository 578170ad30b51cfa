using System.Globalization;

namespace Cairn.Features;

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
/// <param name="Quantiles">The 5th, 25th, 50th, 75th and 95th percentiles of a numeric feature.</param>
/// <param name="TopValues">The most frequent values of a string or boolean feature with their counts (at most 10).</param>
public sealed record FeatureStatistic(
    string Feature, FeatureType Type, long Count, long Nulls, long Distinct, string? Min, string? Max,
    double? Mean, double? StdDev, IReadOnlyList<double>? Quantiles, IReadOnlyList<(string Value, long Count)>? TopValues);

/// <summary>A view's statistics: per feature, and how fresh its newest row is.</summary>
public sealed record FeatureViewStatistics(string View, long Rows, DateTimeOffset? OldestEventTime, DateTimeOffset? NewestEventTime, IReadOnlyList<FeatureStatistic> Features);

/// <summary>
/// Statistics of a view's features over its source (through its transformation), optionally for
/// events in an interval: what <c>cairn features stats</c> prints and what monitoring can compare
/// live inputs with.
/// </summary>
public static class FeatureStatistics
{
    /// <summary>The quantiles given for numeric features.</summary>
    public static readonly IReadOnlyList<double> QuantileLevels = [0.05, 0.25, 0.5, 0.75, 0.95];

    /// <param name="datasets">Finds the files of a <c>dataset</c> source's version; null: such sources are refused.</param>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for an unknown view, or a source without a declared column or with another type.</exception>
    public static async Task<FeatureViewStatistics> ComputeAsync(FeatureRepository repository, string view, DateTimeOffset? start = null, DateTimeOffset? end = null,
        string? sourceRoot = null, string? pushLogRoot = null, FeatureDatasetResolver? datasets = null, CancellationToken ct = default)
    {
        var definition = repository.Views.FirstOrDefault(v => v.Name == view)
            ?? throw CairnException.InvalidParameter($"Unknown feature view '{view}'; declared views: {string.Join(", ", repository.Views.Select(v => v.Name))}.");
        var selected = FeatureSelection.Resolve(repository, [.. definition.Features.Select(f => new FeatureReference(view, f.Name))], fullFeatureNames: true)[0];
        using var session = await DuckDbSession.OpenAsync(ct);
        var relation = await FeatureViewRelation.OpenAsync(session, selected, new SourceReading(sourceRoot, datasets, start, end), ct);
        var micros = $"epoch_us(CAST({DuckDbSql.Identifier(selected.Source.TimestampField)} AS TIMESTAMPTZ))";
        var conditions = new List<string> { $"{DuckDbSql.Identifier(selected.Source.TimestampField)} IS NOT NULL" };
        if (start is { } s) conditions.Add(string.Create(CultureInfo.InvariantCulture, $"{micros} >= {Micros(s)}"));
        if (end is { } e) conditions.Add(string.Create(CultureInfo.InvariantCulture, $"{micros} < {Micros(e)}"));
        const string table = "__cairn_stats";
        await FeaturePushLog.CopyAsync(session, selected, relation, table, pushLogRoot, ct);
        await session.ExecuteAsync($"DELETE FROM {table} WHERE NOT ({string.Join(" AND ", conditions)})", ct, $"Choosing the events of feature view '{view}'");

        var overall = await session.FirstRowAsync($"SELECT count(*), min({micros}), max({micros}) FROM {table}", ct, $"Counting feature view '{view}'");
        var features = new List<FeatureStatistic>();
        foreach (var feature in definition.Features)
            features.Add(await FeatureAsync(session, table, feature, ct));
        return new FeatureViewStatistics(view, Convert.ToInt64(overall[0], CultureInfo.InvariantCulture), Instant(overall[1]), Instant(overall[2]), features);
    }

    private static async Task<FeatureStatistic> FeatureAsync(DuckDbSession session, string table, FeatureField feature, CancellationToken ct)
    {
        var column = DuckDbSql.Identifier(feature.Name);
        var numeric = feature.Type is FeatureType.Int64 or FeatureType.Double;
        var value = feature.Type == FeatureType.Timestamp ? $"strftime(CAST({column} AS TIMESTAMPTZ), '%Y-%m-%dT%H:%M:%S.%fZ')" : $"CAST({column} AS VARCHAR)";
        var extremes = feature.Type == FeatureType.String ? $"min({column}), max({column})" : $"CAST(min({column}) AS VARCHAR), CAST(max({column}) AS VARCHAR)";
        if (feature.Type == FeatureType.Timestamp)
            extremes = $"strftime(min(CAST({column} AS TIMESTAMPTZ)), '%Y-%m-%dT%H:%M:%S.%fZ'), strftime(max(CAST({column} AS TIMESTAMPTZ)), '%Y-%m-%dT%H:%M:%S.%fZ')";
        var moments = numeric
            ? $"avg(CAST({column} AS DOUBLE)), stddev_samp(CAST({column} AS DOUBLE)), quantile_cont(CAST({column} AS DOUBLE), [{string.Join(", ", QuantileLevels.Select(q => q.ToString(CultureInfo.InvariantCulture)))}])"
            : feature.Type == FeatureType.Bool ? $"avg(CAST({column} AS DOUBLE)), NULL, NULL" : "NULL, NULL, NULL";
        var row = await session.FirstRowAsync(
            $"SELECT count(*), count(*) - count({column}), approx_count_distinct({column}), {extremes}, {moments} FROM {table}", ct, $"Statistics of feature '{feature.Name}'");
        IReadOnlyList<(string, long)>? top = null;
        if (feature.Type is FeatureType.String or FeatureType.Bool)
            top = await session.RowsAsync($"SELECT {value}, count(*) AS n FROM {table} WHERE {column} IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1 LIMIT 10",
                r => ((string)r[0]!, Convert.ToInt64(r[1], CultureInfo.InvariantCulture)), ct, $"Frequent values of feature '{feature.Name}'");
        return new FeatureStatistic(feature.Name, feature.Type,
            Convert.ToInt64(row[0], CultureInfo.InvariantCulture), Convert.ToInt64(row[1], CultureInfo.InvariantCulture), Convert.ToInt64(row[2], CultureInfo.InvariantCulture),
            row[3] as string, row[4] as string, Double(row[5]), Double(row[6]), Quantiles(row[7]), top);
    }

    private static double? Double(object? value) => value is null ? null : Convert.ToDouble(value, CultureInfo.InvariantCulture);

    private static IReadOnlyList<double>? Quantiles(object? value) => value is System.Collections.IEnumerable list and not string
        ? [.. list.Cast<object?>().Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture))]
        : null;

    private static DateTimeOffset? Instant(object? micros) => micros is null ? null : DateTimeOffset.UnixEpoch.AddTicks(Convert.ToInt64(micros, CultureInfo.InvariantCulture) * TimeSpan.TicksPerMicrosecond);

    private static long Micros(DateTimeOffset instant) => (instant.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
}
