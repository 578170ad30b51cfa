using Cairn.Features;
using Cairn.Testing;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// A real server whose feature definition store (SQLite) holds three applies:
/// <see cref="Delays"/> at versions 1 to 3 (v2 adds a feature, shortens the TTL and changes the
/// transformation; v3 takes it offline), <see cref="Weather"/> without transformation or TTL,
/// <see cref="Retired"/> removed by the second apply, <see cref="Notes"/> with markup in every
/// text it may hold, and the services <see cref="DelayV1"/> (two versions) and <see cref="DelayV2"/>.
/// Statistics are recorded for <see cref="Delays"/> at version 2 (<see cref="DelayStatistics"/>) and for
/// <see cref="Notes"/> (markup in its texts); the server's online store knows <see cref="Delays"/>'
/// freshness (<see cref="DelayState"/>) and its clock stands at <see cref="Now"/>.
/// </summary>
public sealed class FeatureServer : IAsyncLifetime
{
    public const string Delays = "airport_delays", Weather = "weather", Retired = "retired", Notes = "notes";
    public const string DelayV1 = "delay_v1", DelayV2 = "delay_v2";
    public const string HostileText = "<script>alert('view')</script>\"><img src=x onerror=alert(1)> **bold**";
    public const string TransformationV1 = "SELECT Origin, event_time, AVG(delay) OVER w AS avg_delay_7d, COUNT(*) OVER w AS flights_7d FROM source WINDOW w AS (PARTITION BY Origin ORDER BY event_time RANGE INTERVAL 7 DAYS PRECEDING)";
    public const string TransformationV2 = "SELECT Origin, event_time, AVG(delay) OVER w AS avg_delay_7d, COUNT(*) OVER w AS flights_7d, AVG(CASE WHEN delay > 15 THEN 1 ELSE 0 END) OVER w AS delay_share FROM source WINDOW w AS (PARTITION BY Origin ORDER BY event_time RANGE INTERVAL 7 DAYS PRECEDING)";

    public static readonly DateTimeOffset Now = new(2024, 3, 8, 12, 0, 0, TimeSpan.Zero);
    public static readonly OnlineViewState DelayState = new(new DateTimeOffset(2024, 3, 8, 0, 0, 0, TimeSpan.Zero), Now.AddMinutes(-90));
    public static readonly FeatureViewStatistics DelayStatistics = new(Delays, 1200, new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero), Now.AddMinutes(-90),
    [
        new FeatureStatistic("avg_delay_7d", FeatureType.Double, 1200, 24, 950, "-10", "90", 12.5, 8.25, [0, 10, 20, 40, 80], null),
        new FeatureStatistic("flights_7d", FeatureType.Int64, 1200, 0, 3, "4", "4", 4, 0, [4, 4, 4, 4, 4], null),
    ]);

    private readonly TempFolder _onlineFolder = new();
    private Cairn.Storage.Sqlite.SqliteOnlineFeatureStore? _online;

    public RunningServer Server { get; private set; } = null!;
    public IFeatureDefinitionStore Store => Server.Stores.Features;

    private static readonly EntityDefinition Airport = new("origin_airport", [new FeatureField("Origin", FeatureType.String)], "The airport a flight leaves from.");
    private static readonly EntityDefinition City = new("city", [new FeatureField("city", FeatureType.String)]);
    private static readonly FeatureSourceDefinition Flights = new("flights", FeatureSourceKinds.File, "event_time", Path: "data/flights.parquet", Description: "US flights");
    private static readonly FeatureSourceDefinition WeatherSource = new("weather_daily", FeatureSourceKinds.Query, "date", Query: "SELECT * FROM read_csv('weather.csv')");

    private static FeatureViewDefinition DelaysV1 => new(Delays, ["origin_airport"], "flights",
        [new FeatureField("avg_delay_7d", FeatureType.Double, "Mean delay over 7 days"), new FeatureField("flights_7d", FeatureType.Int64)],
        TimeSpan.FromDays(7), TransformationV1, Description: "Rolling delays per airport");

    private static FeatureViewDefinition DelaysV2 => DelaysV1 with
    {
        Features = [.. DelaysV1.Features, new FeatureField("delay_share", FeatureType.Double)],
        Ttl = TimeSpan.FromDays(1),
        Transformation = TransformationV2,
    };

    private static readonly FeatureViewDefinition WeatherView = new(Weather, ["city"], "weather_daily", [new FeatureField("temp_max", FeatureType.Double)], Online: false);
    private static readonly FeatureViewDefinition RetiredView = new(Retired, ["city"], "weather_daily", [new FeatureField("temp_min", FeatureType.Double)]);

    private static readonly FeatureViewDefinition NotesView = new(Notes, ["city"], "weather_daily",
        [new FeatureField("note_length", FeatureType.Int64, HostileText)], Transformation: "SELECT city, date, length(note) AS note_length FROM source -- " + HostileText,
        Description: HostileText);

    public async Task InitializeAsync()
    {
        _online = new Cairn.Storage.Sqlite.SqliteOnlineFeatureStore(_onlineFolder.File("online.db"));
        await _online.RecordViewStateAsync(Delays, DelayState);
        Server = await RunningServer.StartAsync(o => o with { OnlineStore = _online, Time = new FixedTime(Now) });
        await Store.ApplyAsync(new FeatureRepository([Airport, City], [Flights, WeatherSource], [DelaysV1, WeatherView, RetiredView, NotesView],
            [new FeatureServiceDefinition(DelayV1, [new FeatureReference(Delays, "avg_delay_7d"), new FeatureReference(Weather, "temp_max")], HostileText)]));
        var services = new List<FeatureServiceDefinition>
        {
            new(DelayV1, [new FeatureReference(Delays, "avg_delay_7d"), new FeatureReference(Weather, "temp_max"), new FeatureReference(Delays, "delay_share")], HostileText),
            new(DelayV2, [new FeatureReference(Delays, "flights_7d")]),
        };
        await Store.ApplyAsync(new FeatureRepository([Airport, City], [Flights, WeatherSource], [DelaysV2, WeatherView, NotesView], services));
        await Store.RecordStatisticsAsync(Delays, 2, DelayStatistics, new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await Store.ApplyAsync(new FeatureRepository([Airport, City], [Flights, WeatherSource], [DelaysV2 with { Online = false }, WeatherView, NotesView], services));
        await Store.RecordStatisticsAsync(Notes, 1, new FeatureViewStatistics(Notes, 3, null, null,
            [new FeatureStatistic("note_length", FeatureType.Int64, 3, 0, 2, HostileText, HostileText, null, null, null, [new FeatureValueCount(HostileText, 2)])]));
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        if (_online is not null) await _online.DisposeAsync();
        _onlineFolder.Dispose();
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

[CollectionDefinition(Name)]
public sealed class FeatureServerCollection : ICollectionFixture<FeatureServer>
{
    public const string Name = "feature server";
}
