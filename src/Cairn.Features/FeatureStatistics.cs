using System.Globalization;

namespace Cairn.Features;

/// <summary>
/// Statistics of a view's features over its source (through its transformation), optionally for
/// events in an interval: what <c>cairn features stats</c> prints and what monitoring can compare
/// live inputs with.
/// </summary>
public static class FeatureStatistics
{
    /// <summary>The quantiles given for numeric features.</summary>
    public static readonly IReadOnlyList<double> QuantileLevels = FeatureStatisticsSnapshot.QuantileLevels;

    /// <param name="datasets">Finds the files of a <c>dataset</c> source's version; null: such sources are refused.</param>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for an unknown view, or a source without a declared column or with another type.</exception>
    public static async Task<FeatureViewStatistics> ComputeAsync(FeatureRepository repository, string view, DateTimeOffset? start = null, DateTimeOffset? end = null,
        string? sourceRoot = null, string? pushLogRoot = null, FeatureDatasetResolver? datasets = null, CancellationToken ct = default)
    {
        const string table = "__cairn_stats";
        using var session = await DuckDbSession.OpenAsync(ct);
        var (selected, micros) = await FeatureViewRows.LoadAsync(session, repository, view, table, start, end, new SourceReading(sourceRoot, datasets, start, end), pushLogRoot, ct);
        var definition = selected.View;

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
        IReadOnlyList<FeatureValueCount>? top = null;
        if (feature.Type is FeatureType.String or FeatureType.Bool)
            top = await session.RowsAsync($"SELECT {value}, count(*) AS n FROM {table} WHERE {column} IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1 LIMIT 10",
                r => new FeatureValueCount((string)r[0]!, Convert.ToInt64(r[1], CultureInfo.InvariantCulture)), ct, $"Frequent values of feature '{feature.Name}'");
        return new FeatureStatistic(feature.Name, feature.Type,
            Convert.ToInt64(row[0], CultureInfo.InvariantCulture), Convert.ToInt64(row[1], CultureInfo.InvariantCulture), Convert.ToInt64(row[2], CultureInfo.InvariantCulture),
            row[3] as string, row[4] as string, Double(row[5]), Double(row[6]), Quantiles(row[7]), top);
    }

    private static double? Double(object? value) => value is null ? null : Convert.ToDouble(value, CultureInfo.InvariantCulture);

    private static IReadOnlyList<double>? Quantiles(object? value) => value is System.Collections.IEnumerable list and not string
        ? [.. list.Cast<object?>().Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture))]
        : null;

    private static DateTimeOffset? Instant(object? micros) => micros is null ? null : DateTimeOffset.UnixEpoch.AddTicks(Convert.ToInt64(micros, CultureInfo.InvariantCulture) * TimeSpan.TicksPerMicrosecond);
}
