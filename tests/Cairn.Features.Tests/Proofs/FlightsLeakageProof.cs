namespace Cairn.Features.Tests.Proofs;

/// <summary>
/// On the real flights: a per-origin daily average delay, known when its day ends, joined to
/// 1,000,000 flights. Leakage shows as dependence on the future, so the proof changes the future:
/// every delay from a cutoff instant on is raised by 1,000 minutes. Cairn's features for flights
/// before the cutoff must not move at all; a join on the flight's date (the usual same-day leak)
/// must move for the flights of the cutoff day that left before it.
/// </summary>
public sealed class FlightsLeakageProof
{
    private const string DailyDelay = "SELECT origin, CAST(date_trunc('day', CAST(date AS TIMESTAMP)) AS TIMESTAMP) + INTERVAL 1 DAY AS date, avg(CAST(delay AS DOUBLE)) AS avg_delay_1d FROM source GROUP BY ALL";

    [Cairn.Testing.SharedDataFact]
    public async Task JoinAsync_FutureDelaysChanged_LeavesEarlierFlightsFeaturesAloneWhileASameDayJoinMoves()
    {
        using var folder = new TempFolder();
        var flights = Cairn.Testing.SharedData.Flights3m!;
        var cutoff = "(SELECT CAST(date_trunc('day', min(CAST(date AS TIMESTAMP)) + (max(CAST(date AS TIMESTAMP)) - min(CAST(date AS TIMESTAMP))) / 2) AS TIMESTAMP) + INTERVAL 12 HOUR FROM read_parquet('" + flights + "'))";
        Tables.Execute($"""
            COPY (SELECT * REPLACE (CASE WHEN CAST(date AS TIMESTAMP) >= {cutoff} THEN delay + 1000 ELSE delay END AS delay) FROM read_parquet('{flights}'))
            TO '{folder.File("future-changed.parquet")}' (FORMAT parquet);
            COPY (SELECT row_number() OVER () AS flight, origin, CAST(date AS TIMESTAMP) AS event_timestamp, CAST(date AS TIMESTAMP) < {cutoff} AS before_cutoff,
                         CAST(date_trunc('day', CAST(date AS TIMESTAMP)) AS TIMESTAMP) = CAST(date_trunc('day', {cutoff}) AS TIMESTAMP) AS cutoff_day
                  FROM (SELECT * FROM read_parquet('{flights}') WHERE date IS NOT NULL USING SAMPLE reservoir(1000000 ROWS) REPEATABLE (42)))
            TO '{folder.File("entities.parquet")}' (FORMAT parquet);
            """);

        var honest = await JoinAsync(folder, flights, "honest.parquet");
        var changed = await JoinAsync(folder, folder.File("future-changed.parquet"), "changed.parquet");
        var leakyHonest = LeakyJoin(folder, flights, "leaky-honest.parquet");
        var leakyChanged = LeakyJoin(folder, folder.File("future-changed.parquet"), "leaky-changed.parquet");

        Assert.Equal(1_000_000, honest.Count);
        var before = Enumerable.Range(0, honest.Count).Where(i => (bool)honest[i][3]!).ToList();
        Assert.True(before.Count > 100_000, $"only {before.Count} flights before the cutoff");
        Assert.True(before.Count(i => honest[i][5] is not null) > 100_000);
        Assert.All(before, i => Assert.Equal(honest[i][5], changed[i][5]));

        var leakyMoved = Enumerable.Range(0, leakyHonest.Count).Count(i => (bool)leakyHonest[i][3]! && (bool)leakyHonest[i][4]! && !Equals(leakyHonest[i][5], leakyChanged[i][5]));
        Assert.True(leakyMoved > 100, $"the same-day join moved for only {leakyMoved} flights before the cutoff");
    }

    private static async Task<IReadOnlyList<object?[]>> JoinAsync(TempFolder folder, string source, string output)
    {
        var repository = new FeatureRepository([new EntityDefinition("airport", [new FeatureField("origin", FeatureType.String)])],
            [new FeatureSourceDefinition("flights", FeatureSourceKinds.File, "date", Path: source)],
            [new FeatureViewDefinition("airport_delays", ["airport"], "flights", [new FeatureField("avg_delay_1d", FeatureType.Double)], Ttl: TimeSpan.FromDays(7),
                Transformation: DailyDelay)], []);
        await PointInTimeJoiner.JoinAsync(repository, [new("airport_delays", "avg_delay_1d")], folder.File("entities.parquet"), folder.File(output));
        return Tables.Read(folder.File(output)).Rows;
    }

    /// <summary>The leak by hand: each flight gets its own day's average, which includes flights later that day.</summary>
    private static IReadOnlyList<object?[]> LeakyJoin(TempFolder folder, string source, string output)
    {
        Tables.Execute($"""
            COPY (SELECT e.*, d.avg_delay_1d FROM read_parquet('{folder.File("entities.parquet")}') e
                  LEFT JOIN (SELECT origin, CAST(date_trunc('day', CAST(date AS TIMESTAMP)) AS TIMESTAMP) AS day, avg(CAST(delay AS DOUBLE)) AS avg_delay_1d FROM read_parquet('{source}') GROUP BY ALL) d
                  ON e.origin = d.origin AND CAST(date_trunc('day', e.event_timestamp) AS TIMESTAMP) = d.day ORDER BY e.flight)
            TO '{folder.File(output)}' (FORMAT parquet)
            """);
        return Tables.Read(folder.File(output)).Rows;
    }
}
