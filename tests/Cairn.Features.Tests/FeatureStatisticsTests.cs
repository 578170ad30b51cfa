namespace Cairn.Features.Tests;

/// <summary>Feature statistics over a view's source, compared with the same figures computed in C#.</summary>
public sealed class FeatureStatisticsTests : IDisposable
{
    private static readonly DateTime Day = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private (FeatureRepository Repository, List<object?[]> Rows) Airports(int count, int seed)
    {
        var random = new Random(seed);
        string[] statuses = ["ok", "late", "cancelled"];
        var rows = Enumerable.Range(0, count).Select(i => new object?[]
        {
            $"A{random.Next(20)}", Day.AddMinutes(i * 7),
            random.Next(10) == 0 ? null : Math.Round(random.NextDouble() * 100 - 20, 3),
            (long)random.Next(1000), statuses[random.Next(3)], random.Next(3) == 0,
        }).ToList();
        Tables.Write(_folder.File("airports.parquet"),
            [("Origin", "VARCHAR"), ("event_time", "TIMESTAMP"), ("delay", "DOUBLE"), ("flights", "BIGINT"), ("status", "VARCHAR"), ("busy", "BOOLEAN")], rows);
        var repository = new FeatureRepository(
            [new EntityDefinition("airport", [new FeatureField("Origin", FeatureType.String)])],
            [new FeatureSourceDefinition("airports", FeatureSourceKinds.File, "event_time", Path: _folder.File("airports.parquet"))],
            [new FeatureViewDefinition("airport_stats", ["airport"], "airports", [
                new FeatureField("delay", FeatureType.Double), new FeatureField("flights", FeatureType.Int64),
                new FeatureField("status", FeatureType.String), new FeatureField("busy", FeatureType.Bool)])],
            []);
        return (repository, rows);
    }

    /// <summary>Linear interpolation between closest ranks, as DuckDB's quantile_cont.</summary>
    private static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    [Fact]
    public async Task Statistics_EqualTheSameFiguresComputedDirectly()
    {
        var (repository, rows) = Airports(2000, 5);

        var stats = await FeatureStatistics.ComputeAsync(repository, "airport_stats");

        Assert.Equal(2000, stats.Rows);
        Assert.Equal(new DateTimeOffset(Day), stats.OldestEventTime);
        Assert.Equal(new DateTimeOffset(Day.AddMinutes(1999 * 7)), stats.NewestEventTime);
        var delays = rows.Where(r => r[2] is not null).Select(r => (double)r[2]!).Order().ToList();
        var delay = stats.Features[0];
        Assert.Equal((2000L, 2000L - delays.Count), (delay.Count, delay.Nulls));
        Assert.Equal(delays.Average(), delay.Mean!.Value, 9);
        var mean = delays.Average();
        Assert.Equal(Math.Sqrt(delays.Sum(d => (d - mean) * (d - mean)) / (delays.Count - 1)), delay.StdDev!.Value, 9);
        Assert.Equal(FeatureStatistics.QuantileLevels.Select(q => Quantile(delays, q)), delay.Quantiles!, (a, b) => Math.Abs(a - b) < 1e-9);
        Assert.Equal(delays[0], double.Parse(delay.Min!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(delays[^1], double.Parse(delay.Max!, System.Globalization.CultureInfo.InvariantCulture));
        var status = stats.Features[2];
        var counts = rows.GroupBy(r => (string)r[4]!).Select(g => new FeatureValueCount(g.Key, g.Count())).OrderByDescending(p => p.Count).ThenBy(p => p.Value, StringComparer.Ordinal).ToList();
        Assert.Equal(counts, status.TopValues!);
        Assert.Equal(3, status.Distinct);
        Assert.Null(status.Mean);
        var busy = stats.Features[3];
        Assert.Equal(rows.Count(r => (bool)r[5]!) / 2000.0, busy.Mean!.Value, 12);
    }

    [Fact]
    public async Task AnInterval_CountsOnlyItsEvents()
    {
        var (repository, rows) = Airports(500, 6);
        var start = new DateTimeOffset(Day.AddMinutes(700));
        var end = new DateTimeOffset(Day.AddMinutes(1400));

        var stats = await FeatureStatistics.ComputeAsync(repository, "airport_stats", start, end);

        var inside = rows.Where(r => (DateTime)r[1]! >= start.UtcDateTime && (DateTime)r[1]! < end.UtcDateTime).ToList();
        Assert.Equal(inside.Count, stats.Rows);
        Assert.Equal(start, stats.OldestEventTime);
        Assert.Equal(inside.Sum(r => (long)r[3]!) / (double)inside.Count, stats.Features[1].Mean!.Value, 9);
    }

    [Fact]
    public async Task AnUnknownView_IsRefused()
    {
        var (repository, _) = Airports(10, 7);

        Assert.Contains("Unknown feature view 'nope'", (await Assert.ThrowsAsync<CairnException>(() => FeatureStatistics.ComputeAsync(repository, "nope"))).Message);
    }
}
