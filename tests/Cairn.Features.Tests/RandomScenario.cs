namespace Cairn.Features.Tests;

/// <summary>
/// Random entity and feature tables built to hit every case of the point-in-time rule: ties in
/// event time, gaps, rows out of time order (late arrivals), several entity rows per key, two join
/// keys, TTL expiry (exact boundaries included, on an hourly grid), null features, null keys and
/// timestamps, keys absent from the sources, duplicated entity rows, and two views in one join.
/// </summary>
internal sealed class RandomScenario
{
    public static readonly DateTime Start = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly TimeSpan RouteTtl = TimeSpan.FromHours(72);

    private static readonly string[] Origins = ["SEA", "JFK", "O'HARE", "LAX", "SFO"];
    private static readonly long[] Carriers = [1, 2, 3];

    public required FeatureRepository Repository { get; init; }
    public required List<SourceRow> Routes { get; init; }
    public required List<SourceRow> Airports { get; init; }
    public required List<object?[]> Entities { get; init; }

    public static IReadOnlyList<FeatureReference> Features { get; } =
    [
        new("route_stats", "avg_delay"), new("route_stats", "flights"), new("route_stats", "observed_at"),
        new("airport_info", "status"), new("airport_info", "busy"),
    ];

    /// <summary>Generates the tables and writes route.parquet, airport.parquet and entities.parquet to <paramref name="folder"/>.</summary>
    public static RandomScenario Create(int seed, string folder)
    {
        var random = new Random(seed);
        DateTime Hour(int from, int to) => Start.AddHours(random.Next(from, to));
        T? Sometimes<T>(double nullShare, Func<T> value) => random.NextDouble() < nullShare ? default : value();

        var routes = new List<SourceRow>();
        for (var i = 0; i < 400; i++)
        {
            var time = Hour(0, 24 * 20);
            routes.Add(new SourceRow([Pick(random, Origins), Pick(random, Carriers)], time,
                [Sometimes<object>(0.1, () => Math.Round(random.NextDouble() * 60, 3)), Sometimes<object>(0.1, () => (long)random.Next(0, 500)), time]));
        }
        // Ties: a second row with the same key and instant, placed anywhere in the file.
        foreach (var tied in routes.Take(60).ToList())
            routes.Insert(random.Next(routes.Count + 1), tied with { Values = [random.NextDouble() * 60, (long)random.Next(500, 900), tied.Time] });
        routes.Add(new SourceRow([null, 1L], Hour(0, 24), [1.0, 1L, Start]));

        var airports = new List<SourceRow>();
        for (var i = 0; i < 120; i++)
            airports.Add(new SourceRow([Pick(random, Origins[..4])], Hour(0, 24 * 20), [Sometimes<object>(0.15, () => Pick(random, new[] { "open", "busy", "closed" })), Sometimes<object>(0.15, () => random.Next(2) == 0)]));
        foreach (var tied in airports.Take(20).ToList())
            airports.Insert(random.Next(airports.Count + 1), tied with { Values = ["tied", true] });
        airports.Add(new SourceRow(["SEA"], null, ["no time", false]));

        var entities = new List<object?[]>();
        for (var i = 0; i < 300; i++)
            entities.Add([Sometimes<object>(0.02, () => Pick(random, Origins)), Pick(random, Carriers.Append(9).ToArray()),
                Sometimes<object>(0.02, () => Hour(-48, 24 * 24)), (long)i]);
        foreach (var repeated in entities.Take(30).ToList()) entities.Insert(random.Next(entities.Count + 1), repeated);

        Tables.Write(Path.Combine(folder, "route.parquet"), [("origin", "VARCHAR"), ("carrier", "BIGINT"), ("ts", "TIMESTAMP"), ("avg_delay", "DOUBLE"), ("flights", "BIGINT"), ("observed_at", "TIMESTAMP")],
            routes.Select(r => new object?[] { r.Keys[0], r.Keys[1], r.Time, r.Values[0], r.Values[1], r.Values[2] }));
        Tables.Write(Path.Combine(folder, "airport.parquet"), [("origin", "VARCHAR"), ("updated", "TIMESTAMP"), ("status", "VARCHAR"), ("busy", "BOOLEAN")],
            airports.Select(r => new object?[] { r.Keys[0], r.Time, r.Values[0], r.Values[1] }));
        Tables.Write(Path.Combine(folder, "entities.parquet"), [("origin", "VARCHAR"), ("carrier", "BIGINT"), ("event_timestamp", "TIMESTAMP"), ("label", "BIGINT")], entities);

        return new RandomScenario { Repository = RepositoryOver(folder, "route.parquet", "airport.parquet"), Routes = routes, Airports = airports, Entities = entities };
    }

    /// <summary>The two views: route_stats (origin and carrier, TTL 72 h) and airport_info (origin, no TTL).</summary>
    public static FeatureRepository RepositoryOver(string folder, string routePath, string airportPath) => new(
        [new EntityDefinition("airport", [new FeatureField("origin", FeatureType.String)]), new EntityDefinition("carrier", [new FeatureField("carrier", FeatureType.Int64)])],
        [new FeatureSourceDefinition("routes", FeatureSourceKinds.File, "ts", Path: Path.Combine(folder, routePath)),
         new FeatureSourceDefinition("airports", FeatureSourceKinds.File, "updated", Path: Path.Combine(folder, airportPath))],
        [new FeatureViewDefinition("route_stats", ["airport", "carrier"], "routes",
            [new FeatureField("avg_delay", FeatureType.Double), new FeatureField("flights", FeatureType.Int64), new FeatureField("observed_at", FeatureType.Timestamp)], Ttl: RouteTtl),
         new FeatureViewDefinition("airport_info", ["airport"], "airports", [new FeatureField("status", FeatureType.String), new FeatureField("busy", FeatureType.Bool)])],
        [new FeatureServiceDefinition("delay_v1", Features)]);

    /// <summary>The rows the reference expects: each entity row followed by its five feature values.</summary>
    public List<object?[]> Expected() => Entities.Select(e =>
    {
        var at = (DateTime?)e[2];
        var route = BruteForcePointInTime.Lookup(Routes, [e[0], e[1]], at, RouteTtl, 3);
        var airport = BruteForcePointInTime.Lookup(Airports, [e[0]], at, null, 2);
        return e.Concat(route).Concat(airport).ToArray();
    }).ToList();

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}
