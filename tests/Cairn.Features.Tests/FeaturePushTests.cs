using System.Text.Json;

namespace Cairn.Features.Tests;

/// <summary>Pushed rows reach the online store and the offline log, and training sets read them after the source.</summary>
public sealed class FeaturePushTests : IDisposable
{
    private static readonly DateTime Day = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string PushRoot => _folder.File("push");

    private FeatureRepository Airports()
    {
        Tables.Write(_folder.File("airports.parquet"), [("Origin", "VARCHAR"), ("event_time", "TIMESTAMP"), ("avg_delay", "DOUBLE"), ("status", "VARCHAR")],
            [["SFO", Day.AddHours(1), 10.0, "ok"], ["SFO", Day.AddHours(5), 20.0, "busy"], ["JFK", Day.AddHours(2), 30.0, "ok"]]);
        return new FeatureRepository(
            [new EntityDefinition("airport", [new FeatureField("Origin", FeatureType.String)])],
            [new FeatureSourceDefinition("airports", FeatureSourceKinds.File, "event_time", Path: _folder.File("airports.parquet"))],
            [new FeatureViewDefinition("airport_delays", ["airport"], "airports", [new FeatureField("avg_delay", FeatureType.Double), new FeatureField("status", FeatureType.String)])],
            []);
    }

    private static List<IReadOnlyDictionary<string, object?>> Json(string rows) =>
        [.. JsonDocument.Parse(rows).RootElement.EnumerateArray().Select(r => (IReadOnlyDictionary<string, object?>)r.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone()))];

    [Fact]
    public async Task APush_ReachesTheOnlineStore_AndTheTrainingSetsFromThenOn()
    {
        var repository = Airports();
        var store = new MemoryOnlineStore();
        var rows = Json("""[{"Origin": "SFO", "event_time": "2024-03-01T03:00:00Z", "avg_delay": 15.5, "status": "pushed"}, {"Origin": "BOS", "event_time": "2024-03-01T04:00:00+01:00", "avg_delay": 7}]""");

        var result = await FeaturePush.PushAsync(repository, "airport_delays", rows, PushRoot, store);

        Assert.Equal((2, 2L), (result.Rows, result.OnlineWritten));
        Assert.True(File.Exists(result.OfflineFile));
        Assert.Equal(15.5, store.Row("airport_delays", "SFO")!.Values["avg_delay"]);
        Assert.Equal(new DateTimeOffset(Day.AddHours(3)), store.Row("airport_delays", "BOS")!.EventTime);
        Assert.Null(store.Row("airport_delays", "BOS")!.Values["status"]);
        Tables.Write(_folder.File("entities.parquet"), [("Origin", "VARCHAR"), ("event_timestamp", "TIMESTAMP")],
            [["SFO", Day.AddHours(2)], ["SFO", Day.AddHours(4)], ["SFO", Day.AddHours(6)], ["BOS", Day.AddHours(3.5)]]);
        await PointInTimeJoiner.JoinAsync(repository, [FeatureReference.Parse("airport_delays:avg_delay"), FeatureReference.Parse("airport_delays:status")],
            _folder.File("entities.parquet"), _folder.File("train.parquet"), new PointInTimeOptions { PushLogRoot = PushRoot });
        var (_, train) = Tables.Read(_folder.File("train.parquet"));
        Assert.Equal([10.0, 15.5, 20.0, 7.0], train.Select(r => r[2]));
        Assert.Equal(["ok", "pushed", "busy", null], train.Select(r => r[3]));
    }

    [Fact]
    public async Task MaterializeThenPush_RecordTheViewsStateInTheOnlineStore_NewestEventTimeOnlyMovingForward()
    {
        var repository = Airports();
        var store = new MemoryOnlineStore();
        var end = new DateTimeOffset(Day.AddDays(1));

        await FeatureMaterializer.MaterializeAsync(repository, store, null, new DateTimeOffset(Day), end);
        var materialized = await store.GetViewStateAsync("airport_delays");
        await FeaturePush.PushAsync(repository, "airport_delays", Json("""[{"Origin": "JFK", "event_time": "2024-03-01T09:00:00Z", "avg_delay": 1}]"""), PushRoot, store);
        var pushed = await store.GetViewStateAsync("airport_delays");
        await FeaturePush.PushAsync(repository, "airport_delays", Json("""[{"Origin": "JFK", "event_time": "2024-03-01T07:00:00Z", "avg_delay": 2}]"""), PushRoot, store);

        Assert.Equal(new OnlineViewState(end, new DateTimeOffset(Day.AddHours(5))), materialized); // SFO's 05:00 row is the newest in the source
        Assert.Equal(new OnlineViewState(end, new DateTimeOffset(Day.AddHours(9))), pushed);
        Assert.Equal(pushed, await store.GetViewStateAsync("airport_delays")); // a late push leaves it
    }

    [Fact]
    public async Task APushedRow_WinsATieWithASourceRow_AndLaterPushesWinEarlierOnes()
    {
        var repository = Airports();
        var clock = new SteppingClock(new DateTimeOffset(2024, 3, 2, 0, 0, 0, TimeSpan.Zero));
        await FeaturePush.PushAsync(repository, "airport_delays", Json("""[{"Origin": "SFO", "event_time": "2024-03-01T05:00:00Z", "avg_delay": 21}]"""), PushRoot, null, clock);
        await FeaturePush.PushAsync(repository, "airport_delays", Json("""[{"Origin": "SFO", "event_time": "2024-03-01T05:00:00Z", "avg_delay": 22}]"""), PushRoot, null, clock);
        var store = new MemoryOnlineStore();

        await FeatureMaterializer.MaterializeAsync(repository, store, null, new DateTimeOffset(Day), new DateTimeOffset(Day.AddDays(1)), new MaterializeOptions { PushLogRoot = PushRoot });

        Assert.Equal(22.0, store.Row("airport_delays", "SFO")!.Values["avg_delay"]);
        var stats = await FeatureStatistics.ComputeAsync(repository, "airport_delays", pushLogRoot: PushRoot);
        Assert.Equal(5, stats.Rows);
    }

    private sealed class SteppingClock(DateTimeOffset start) : TimeProvider
    {
        private int _calls;
        public override DateTimeOffset GetUtcNow() => start.AddSeconds(_calls++);
    }

    public static TheoryData<string, string> BadPushes() => new()
    {
        { """[{"Origin": "SFO", "avg_delay": 1}]""", "no value for 'event_time'" },
        { """[{"event_time": "2024-03-01T05:00:00Z", "avg_delay": 1}]""", "no value for 'Origin'" },
        { """[{"Origin": "SFO", "event_time": "2024-03-01T05:00:00", "avg_delay": 1}]""", "'event_time' must be an ISO 8601 instant with an offset" },
        { """[{"Origin": "SFO", "event_time": "2024-03-01T05:00:00Z", "avg_delay": "fast"}]""", "'avg_delay' must be a number, got \"fast\"" },
        { """[{"Origin": 12, "event_time": "2024-03-01T05:00:00Z"}]""", "'Origin' must be a string, got 12" },
        { """[{"Origin": "SFO", "event_time": "2024-03-01T05:00:00Z", "<script>": 1}]""", "has no column '<script>'" },
        { """[]""", "1 to 10000 rows" },
    };

    [Theory]
    [MemberData(nameof(BadPushes))]
    public async Task ABadPush_IsRefusedBeforeAnythingIsWritten(string rows, string message)
    {
        var store = new MemoryOnlineStore();

        var error = await Assert.ThrowsAsync<CairnException>(() => FeaturePush.PushAsync(Airports(), "airport_delays", Json(rows), PushRoot, store));

        Assert.Contains(message, error.Message);
        Assert.Empty(store.Writes);
        Assert.False(Directory.Exists(PushRoot));
    }

    [Fact]
    public async Task AnUnknownView_IsRefused_AndAFailingOnlineStore_LeavesThePushInTheOfflineLog()
    {
        var repository = Airports();
        var rows = Json("""[{"Origin": "SFO", "event_time": "2024-03-01T05:00:00Z", "avg_delay": 1}]""");

        var unknown = await Assert.ThrowsAsync<CairnException>(() => FeaturePush.PushAsync(repository, "../../etc", rows, PushRoot, null));
        await Assert.ThrowsAsync<IOException>(() => FeaturePush.PushAsync(repository, "airport_delays", rows, PushRoot, new MemoryOnlineStore { FailAfter = 0 }));

        Assert.Contains("Unknown feature view '../../etc'", unknown.Message);
        Assert.Single(Directory.GetFiles(Path.Combine(PushRoot, "airport_delays"), "push-*.parquet"));
    }
}
