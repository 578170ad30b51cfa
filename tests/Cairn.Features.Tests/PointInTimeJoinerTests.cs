namespace Cairn.Features.Tests;

public sealed class PointInTimeJoinerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task JoinAsync_RandomData_EqualsBruteForceReference(int seed)
    {
        using var folder = new TempFolder();
        var scenario = RandomScenario.Create(seed, folder.Path);

        var result = await PointInTimeJoiner.JoinAsync(scenario.Repository, RandomScenario.Features, folder.File("entities.parquet"), folder.File("train.parquet"));

        var (columns, rows) = Tables.Read(folder.File("train.parquet"));
        Assert.Equal(["origin", "carrier", "event_timestamp", "label", "avg_delay", "flights", "observed_at", "status", "busy"], columns);
        var expected = scenario.Expected();
        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < expected.Count; i++) Assert.True(expected[i].SequenceEqual(rows[i]), $"row {i}: expected [{string.Join(", ", expected[i])}], got [{string.Join(", ", rows[i])}]");
        Assert.Equal(expected.Count, result.Rows);
        Assert.Equal(columns.Skip(4), result.Features.Select(f => f.Column));
        for (var f = 0; f < 5; f++) Assert.Equal(expected.Count(r => r[4 + f] is null), result.Features[f].Nulls);
    }

    [Fact]
    public async Task JoinAsync_RandomData_NeverReadsAValueNewerThanTheEntityRow()
    {
        using var folder = new TempFolder();
        var scenario = RandomScenario.Create(11, folder.Path);

        await PointInTimeJoiner.JoinAsync(scenario.Repository, RandomScenario.Features, folder.File("entities.parquet"), folder.File("train.parquet"));

        var (_, rows) = Tables.Read(folder.File("train.parquet"));
        var observed = rows.Where(r => r[6] is not null).ToList();
        Assert.NotEmpty(observed);
        Assert.All(observed, r => Assert.True((DateTime)r[6]! <= (DateTime)r[2]!));
        Assert.All(observed, r => Assert.True((DateTime)r[2]! - (DateTime)r[6]! <= RandomScenario.RouteTtl));
    }

    [Fact]
    public async Task JoinAsync_Service_JoinsTheServiceFeatures()
    {
        using var folder = new TempFolder();
        var scenario = RandomScenario.Create(7, folder.Path);

        var result = await PointInTimeJoiner.JoinAsync(scenario.Repository, "delay_v1", folder.File("entities.parquet"), folder.File("train.parquet"));

        Assert.Equal(RandomScenario.Features, result.Features.Select(f => f.Feature));
        var (_, rows) = Tables.Read(folder.File("train.parquet"));
        Assert.Equal(scenario.Expected().Select(r => r[4]), rows.Select(r => r[4]));
    }

    [Fact]
    public async Task JoinAsync_FullFeatureNames_NamesColumnsViewDoubleUnderscoreFeature()
    {
        using var folder = new TempFolder();
        var scenario = RandomScenario.Create(3, folder.Path);

        await PointInTimeJoiner.JoinAsync(scenario.Repository, RandomScenario.Features.Take(2).ToList(), folder.File("entities.parquet"), folder.File("train.parquet"),
            new PointInTimeOptions { FullFeatureNames = true });

        Assert.Equal(["origin", "carrier", "event_timestamp", "label", "route_stats__avg_delay", "route_stats__flights"], Tables.Read(folder.File("train.parquet")).Columns);
    }

    /// <summary>
    /// Each flight leaves at noon; its airport's delay is recorded at midnight (known) and again at
    /// 18:00 (the future). A join on the calendar day (a daily table joined by date, the usual leak)
    /// takes the day's last value, 18:00's; the point-in-time join must take midnight's every time.
    /// </summary>
    [Fact]
    public async Task JoinAsync_SameDayValuesLaterThanTheRow_DiffersFromALeakyJoinOnTheDate()
    {
        using var folder = new TempFolder();
        var days = Enumerable.Range(0, 30).Select(d => RandomScenario.Start.AddDays(d)).ToList();
        Tables.Write(folder.File("delays.parquet"), [("origin", "VARCHAR"), ("ts", "TIMESTAMP"), ("avg_delay", "DOUBLE")],
            days.SelectMany(d => new object?[][] { ["SEA", d.AddHours(18), 100.0 + d.Day], ["SEA", d, (double)d.Day] }));
        Tables.Write(folder.File("flights.parquet"), [("origin", "VARCHAR"), ("event_timestamp", "TIMESTAMP")], days.Select(d => new object?[] { "SEA", d.AddHours(12) }));
        var repository = new FeatureRepository([new EntityDefinition("airport", [new FeatureField("origin", FeatureType.String)])],
            [new FeatureSourceDefinition("delays", FeatureSourceKinds.File, "ts", Path: folder.File("delays.parquet"))],
            [new FeatureViewDefinition("airport_delays", ["airport"], "delays", [new FeatureField("avg_delay", FeatureType.Double)])], []);

        await PointInTimeJoiner.JoinAsync(repository, [new("airport_delays", "avg_delay")], folder.File("flights.parquet"), folder.File("train.parquet"));
        Tables.Execute($"""
            COPY (SELECT f.*, d.avg_delay FROM read_parquet('{folder.File("flights.parquet")}') f
                  LEFT JOIN (SELECT origin, CAST(ts AS DATE) AS day, arg_max(avg_delay, ts) AS avg_delay FROM read_parquet('{folder.File("delays.parquet")}') GROUP BY ALL) d
                  ON f.origin = d.origin AND CAST(f.event_timestamp AS DATE) = d.day ORDER BY f.event_timestamp)
            TO '{folder.File("leaky.parquet")}' (FORMAT parquet)
            """);

        var pointInTime = Tables.Read(folder.File("train.parquet")).Rows.Select(r => (double)r[2]!).ToList();
        var leaky = Tables.Read(folder.File("leaky.parquet")).Rows.Select(r => (double)r[2]!).ToList();
        Assert.Equal(days.Select(d => (double)d.Day), pointInTime);
        Assert.Equal(days.Select(d => 100.0 + d.Day), leaky);
    }

    [Fact]
    public async Task JoinAsync_CsvEntitiesAndAFolderSource_TieGoesToTheLaterFileAndKeepsCsvColumns()
    {
        using var folder = new TempFolder();
        var at = RandomScenario.Start;
        Directory.CreateDirectory(folder.File("delays"));
        Tables.Write(folder.File("delays/2024-03-01.parquet"), [("origin", "VARCHAR"), ("ts", "TIMESTAMP"), ("avg_delay", "DOUBLE")], [["SEA", at, 1.0], ["JFK", at, 5.0]]);
        Tables.Write(folder.File("delays/2024-03-02.parquet"), [("origin", "VARCHAR"), ("ts", "TIMESTAMP"), ("avg_delay", "DOUBLE")], [["SEA", at, 2.0]]);
        Tables.Write(folder.File("flights.csv"), [("flight", "VARCHAR"), ("origin", "VARCHAR"), ("event_timestamp", "TIMESTAMP")],
            [["a", "SEA", at.AddHours(1)], ["b", "JFK", at.AddHours(-1)], ["c", "JFK", at]]);
        var repository = new FeatureRepository([new EntityDefinition("airport", [new FeatureField("origin", FeatureType.String)])],
            [new FeatureSourceDefinition("delays", FeatureSourceKinds.File, "ts", Path: "delays")],
            [new FeatureViewDefinition("airport_delays", ["airport"], "delays", [new FeatureField("avg_delay", FeatureType.Double)])], []);

        var result = await PointInTimeJoiner.JoinAsync(repository, [new("airport_delays", "avg_delay")], folder.File("flights.csv"), folder.File("out/train.parquet"),
            new PointInTimeOptions { SourceRoot = folder.Path });

        var (columns, rows) = Tables.Read(folder.File("out/train.parquet"));
        Assert.Equal(["flight", "origin", "event_timestamp", "avg_delay"], columns);
        Assert.Equal([2.0, null, 5.0], rows.Select(r => r[3]));
        Assert.Equal(1, result.Features[0].Nulls);
    }

    [Fact]
    public async Task JoinAsync_QuerySourceWithTransformation_JoinsTheTransformedRows()
    {
        using var folder = new TempFolder();
        var at = RandomScenario.Start;
        Tables.Write(folder.File("flights.parquet"), [("origin", "VARCHAR"), ("day", "DATE"), ("delay", "DOUBLE")],
            [["SEA", at, 10.0], ["SEA", at, 20.0], ["SEA", at.AddDays(1), 40.0]]);
        Tables.Write(folder.File("entities.parquet"), [("origin", "VARCHAR"), ("event_timestamp", "TIMESTAMP")], [["SEA", at.AddHours(12)], ["SEA", at.AddDays(1)]]);
        var repository = new FeatureRepository([new EntityDefinition("airport", [new FeatureField("origin", FeatureType.String)])],
            [new FeatureSourceDefinition("flights", FeatureSourceKinds.Query, "day", Query: $"SELECT * FROM read_parquet('{folder.File("flights.parquet")}')")],
            [new FeatureViewDefinition("daily", ["airport"], "flights", [new FeatureField("mean_delay", FeatureType.Double)],
                Transformation: "SELECT origin, day, avg(delay) AS mean_delay FROM source GROUP BY origin, day")], []);

        await PointInTimeJoiner.JoinAsync(repository, [new("daily", "mean_delay")], folder.File("entities.parquet"), folder.File("train.parquet"));

        Assert.Equal([15.0, 40.0], Tables.Read(folder.File("train.parquet")).Rows.Select(r => r[2]));
    }

    [Fact]
    public async Task JoinAsync_QuotesInPathsAndNames_AreReadAsData()
    {
        using var folder = new TempFolder();
        var at = RandomScenario.Start;
        var sourcePath = folder.File("it's\"; DROP TABLE x; --.parquet");
        Tables.Write(sourcePath, [("o'rigin\"", "VARCHAR"), ("t\"s", "TIMESTAMP"), ("de\"lay'", "DOUBLE")], [["SEA", at, 3.0]]);
        Tables.Write(folder.File("e'ntities.parquet"), [("o'rigin\"", "VARCHAR"), ("event_timestamp", "TIMESTAMP")], [["SEA", at]]);
        var repository = new FeatureRepository([new EntityDefinition("airport", [new FeatureField("o'rigin\"", FeatureType.String)])],
            [new FeatureSourceDefinition("s", FeatureSourceKinds.File, "t\"s", Path: sourcePath)],
            [new FeatureViewDefinition("v", ["airport"], "s", [new FeatureField("de\"lay'", FeatureType.Double)])], []);

        await PointInTimeJoiner.JoinAsync(repository, [new("v", "de\"lay'")], folder.File("e'ntities.parquet"), folder.File("o'ut.parquet"));

        var (columns, rows) = Tables.Read(folder.File("o'ut.parquet"));
        Assert.Equal(["o'rigin\"", "event_timestamp", "de\"lay'"], columns);
        Assert.Equal(3.0, rows.Single()[2]);
    }
}
