namespace Cairn.Features.Tests;

/// <summary>Materialization from Parquet sources through DuckDB into an online store.</summary>
public sealed class FeatureMaterializerTests : IDisposable
{
    private static readonly DateTime Day = new(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTimeOffset Start = new(Day);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>Per (Origin, Carrier) route: delay (double), flights (int64), status (string), busy (bool), observed_at (timestamp).</summary>
    private FeatureRepository Routes(IEnumerable<object?[]> rows, bool online = true)
    {
        Tables.Write(_folder.File("routes.parquet"),
            [("Origin", "VARCHAR"), ("Carrier", "BIGINT"), ("event_time", "TIMESTAMP"), ("delay", "DOUBLE"), ("flights", "BIGINT"), ("status", "VARCHAR"), ("busy", "BOOLEAN"), ("observed_at", "TIMESTAMP")],
            rows);
        return new FeatureRepository(
            [new EntityDefinition("route", [new FeatureField("Origin", FeatureType.String), new FeatureField("Carrier", FeatureType.Int64)])],
            [new FeatureSourceDefinition("routes", FeatureSourceKinds.File, "event_time", Path: _folder.File("routes.parquet"))],
            [new FeatureViewDefinition("route_stats", ["route"], "routes", [
                new FeatureField("delay", FeatureType.Double), new FeatureField("flights", FeatureType.Int64), new FeatureField("status", FeatureType.String),
                new FeatureField("busy", FeatureType.Bool), new FeatureField("observed_at", FeatureType.Timestamp)], Online: online)],
            []);
    }

    private static object?[] Row(string origin, long carrier, double hours, double? delay, long flights = 1, string? status = "ok", bool busy = false) =>
        [origin, carrier, Day.AddHours(hours), delay, flights, status, busy, Day.AddHours(hours - 0.5)];

    [Fact]
    public async Task EachKey_GetsItsLatestRowInTheInterval_WithEveryType()
    {
        var repository = Routes([
            Row("SFO", 1, 1, 5.0), Row("SFO", 1, 3, 7.5, flights: 4, status: "late", busy: true), Row("SFO", 1, 30, 99.0), // the last is after the end
            Row("SFO", 2, 2, null, status: null), Row("JFK", 1, -5, 1.0), // before the start: not materialized
            Row("JFK", 1, 4, 2.0), Row("JFK", 1, 2, 3.0), // late-arriving older row: the newer one stays
        ]);
        var store = new MemoryOnlineStore();

        var result = Assert.Single(await FeatureMaterializer.MaterializeAsync(repository, store, null, Start, Start.AddDays(1)));

        Assert.Equal(("route_stats", 3L, 3L, Start.AddHours(4)), (result.View, result.Keys, result.Written, result.NewestEventTime));
        var sfo1 = store.Row("route_stats", "SFO", 1L)!;
        Assert.Equal(Start.AddHours(3), sfo1.EventTime);
        Assert.Equal(7.5, sfo1.Values["delay"]);
        Assert.Equal(4L, sfo1.Values["flights"]);
        Assert.Equal("late", sfo1.Values["status"]);
        Assert.Equal(true, sfo1.Values["busy"]);
        Assert.Equal(Start.AddHours(2.5), sfo1.Values["observed_at"]);
        var sfo2 = store.Row("route_stats", "SFO", 2L)!;
        Assert.Null(sfo2.Values["delay"]);
        Assert.Null(sfo2.Values["status"]);
        Assert.Equal(2.0, store.Row("route_stats", "JFK", 1L)!.Values["delay"]);
    }

    [Fact]
    public async Task Ties_TheRowReadLastWins_AsForTrainingSets()
    {
        var repository = Routes([Row("SFO", 1, 3, 1.0), Row("SFO", 1, 3, 2.0), Row("SFO", 1, 3, 3.0), Row("SFO", 1, 1, 9.0)]);
        var store = new MemoryOnlineStore();

        await FeatureMaterializer.MaterializeAsync(repository, store, ["route_stats"], Start, Start.AddDays(1));

        Assert.Equal(3.0, store.Row("route_stats", "SFO", 1L)!.Values["delay"]);
    }

    [Fact]
    public async Task ManyKeys_AreWrittenInBatchesOfTheGivenSize()
    {
        var repository = Routes(Enumerable.Range(0, 2500).Select(i => Row($"A{i % 1000:D4}", i / 1000, i % 7, i)));
        var store = new MemoryOnlineStore();

        var result = Assert.Single(await FeatureMaterializer.MaterializeAsync(repository, store, null, Start, Start.AddDays(1), new MaterializeOptions { BatchSize = 400 }));

        Assert.Equal(2500, result.Keys);
        Assert.Equal(2500, store.Count("route_stats"));
        Assert.Equal(7, store.Writes.Count);
        Assert.All(store.Writes.SkipLast(1), w => Assert.Equal(400, w.Rows));
    }

    [Fact]
    public async Task AFailingStore_StopsTheMaterialization_WithItsError_InsteadOfHanging()
    {
        var repository = Routes(Enumerable.Range(0, 5000).Select(i => Row($"K{i}", 1, 1, i)));
        var store = new MemoryOnlineStore { FailAfter = 1 };

        var error = await Assert.ThrowsAsync<IOException>(() =>
            FeatureMaterializer.MaterializeAsync(repository, store, null, Start, Start.AddDays(1), new MaterializeOptions { BatchSize = 100 }).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("went away", error.Message);
        Assert.Single(store.Writes);
    }

    [Fact]
    public async Task BadRequests_AreRefusedBeforeAnythingIsWritten()
    {
        var repository = Routes([Row("SFO", 1, 1, 5.0)]);
        var offline = Routes([Row("SFO", 1, 1, 5.0)], online: false);
        var retyped = repository with { Views = [repository.Views[0] with { Features = [new FeatureField("status", FeatureType.Int64)] }] };
        var store = new MemoryOnlineStore();

        var unknown = await Assert.ThrowsAsync<CairnException>(() => FeatureMaterializer.MaterializeAsync(repository, store, ["nope"], Start, Start.AddDays(1)));
        var empty = await Assert.ThrowsAsync<CairnException>(() => FeatureMaterializer.MaterializeAsync(repository, store, null, Start, Start));
        var notOnline = await Assert.ThrowsAsync<CairnException>(() => FeatureMaterializer.MaterializeAsync(offline, store, ["route_stats"], Start, Start.AddDays(1)));
        var nothing = await Assert.ThrowsAsync<CairnException>(() => FeatureMaterializer.MaterializeAsync(offline, store, null, Start, Start.AddDays(1)));
        var schema = await Assert.ThrowsAsync<CairnException>(() => FeatureMaterializer.MaterializeAsync(retyped, store, null, Start, Start.AddDays(1)));

        Assert.Contains("Unknown feature view 'nope'", unknown.Message);
        Assert.Contains("is not after the start", empty.Message);
        Assert.Contains("not served online", notOnline.Message);
        Assert.Contains("No feature view to materialize", nothing.Message);
        Assert.Contains("feature column 'status' is VARCHAR, but the definition declares int64", schema.Message);
        Assert.Empty(store.Writes);
    }
}
