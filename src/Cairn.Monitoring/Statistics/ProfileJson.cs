using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cairn.Monitoring;

/// <summary>The JSON form of a <see cref="DatasetProfile"/>: snake_case, buckets as sparse key/count arrays.</summary>
internal static class ProfileJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private const int Version = 1;

    private sealed record DatasetData(int Version, double RelativeAccuracy, long Rows, List<ColumnData> Columns);

    private sealed record ColumnData(string Name, string Kind, long Count, long Missing, long TypeViolations,
        NumericData? Numeric = null, CategoricalData? Categorical = null);

    private sealed record NumericData(double Min, double Max, double Mean, double M2, long Zero,
        int[] PositiveKeys, long[] PositiveCounts, int[] NegativeKeys, long[] NegativeCounts,
        double[]? DistinctValues, long[]? DistinctCounts);

    private sealed record CategoricalData(long Other, Dictionary<string, long> Counts);

    public static string Write(DatasetProfile profile)
    {
        var columns = new List<ColumnData>(profile.Columns.Count);
        foreach (var name in profile.Columns)
        {
            if (profile.NumericColumns.TryGetValue(name, out var n))
            {
                var positiveKeys = new List<int>(); var positiveCounts = new List<long>();
                var negativeKeys = new List<int>(); var negativeCounts = new List<long>();
                n.StoreKeys(false, positiveKeys, positiveCounts);
                n.StoreKeys(true, negativeKeys, negativeCounts);
                var distinct = n.DistinctValues;
                columns.Add(new ColumnData(name, ColumnKinds.Numeric, n.Count, n.Missing, n.TypeViolations, Numeric: new NumericData(
                    n.Count == 0 ? 0 : n.Min, n.Count == 0 ? 0 : n.Max, n.Count == 0 ? 0 : n.Mean, n.SumOfSquaredDeviations, n.ZeroCount,
                    positiveKeys.ToArray(), positiveCounts.ToArray(), negativeKeys.ToArray(), negativeCounts.ToArray(),
                    distinct?.Keys.ToArray(), distinct?.Values.ToArray())));
            }
            else
            {
                var c = profile.CategoricalColumns[name];
                columns.Add(new ColumnData(name, ColumnKinds.Categorical, c.Count, c.Missing, c.TypeViolations,
                    Categorical: new CategoricalData(c.Other, new Dictionary<string, long>(c.Counts))));
            }
        }
        return JsonSerializer.Serialize(new DatasetData(Version, LogBuckets.RelativeAccuracy, profile.Rows, columns), Options);
    }

    public static DatasetProfile Read(string json)
    {
        DatasetData? data;
        try
        {
            data = JsonSerializer.Deserialize<DatasetData>(json, Options);
        }
        catch (JsonException e)
        {
            throw CairnException.InvalidParameter($"Not a dataset profile: {e.Message}");
        }
        if (data is null || data.Columns is null) throw CairnException.InvalidParameter("Not a dataset profile: no columns.");
        if (data.Version != Version)
            throw CairnException.InvalidParameter($"Dataset profile version {data.Version} is not supported (this Cairn reads version {Version}).");
        if (data.RelativeAccuracy != LogBuckets.RelativeAccuracy)
            throw CairnException.InvalidParameter(
                $"The profile's buckets have relative accuracy {data.RelativeAccuracy}, this Cairn uses {LogBuckets.RelativeAccuracy}; profile the data again.");
        var profile = new DatasetProfile();
        profile.AddRows(data.Rows);
        foreach (var column in data.Columns)
        {
            if (column.Kind == ColumnKinds.Numeric && column.Numeric is { } n)
            {
                Dictionary<double, long>? distinct = null;
                if (n.DistinctValues is not null && n.DistinctCounts is not null)
                {
                    distinct = [];
                    for (var i = 0; i < n.DistinctValues.Length; i++) distinct[n.DistinctValues[i]] = n.DistinctCounts[i];
                }
                if (n.PositiveKeys.Length != n.PositiveCounts.Length || n.NegativeKeys.Length != n.NegativeCounts.Length)
                    throw CairnException.InvalidParameter($"Column '{column.Name}' of the profile has bucket keys and counts of different lengths.");
                profile.Numeric(column.Name).Restore(column.Count, column.Missing, column.TypeViolations, n.Min, n.Max, n.Mean, n.M2, n.Zero,
                    n.PositiveKeys, n.PositiveCounts, n.NegativeKeys, n.NegativeCounts, distinct);
            }
            else if (column.Kind == ColumnKinds.Categorical && column.Categorical is { } c)
            {
                profile.Categorical(column.Name).Restore(column.Count, c.Other, column.Missing, column.TypeViolations, c.Counts);
            }
            else
            {
                throw CairnException.InvalidParameter($"Column '{column.Name}' of the profile has kind '{column.Kind}' without its data.");
            }
        }
        return profile;
    }
}
