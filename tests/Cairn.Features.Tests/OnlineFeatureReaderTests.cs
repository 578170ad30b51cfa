using System.Text.Json;

namespace Cairn.Features.Tests;

/// <summary>Online lookups: Feast's column layout and statuses, over an online store holding materialized rows.</summary>
public sealed class OnlineFeatureReaderTests
{
    private static readonly DateTimeOffset Now = new(2024, 3, 2, 12, 0, 0, TimeSpan.Zero);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly FeatureRepository Repository = new(
        [new EntityDefinition("airport", [new FeatureField("Origin", FeatureType.String)]), new EntityDefinition("carrier", [new FeatureField("Carrier", FeatureType.Int64)])],
        [new FeatureSourceDefinition("flights", FeatureSourceKinds.File, "event_time", Path: "unused.parquet")],
        [
            new FeatureViewDefinition("airport_delays", ["airport"], "flights", [new FeatureField("avg_delay", FeatureType.Double), new FeatureField("status", FeatureType.String)], Ttl: TimeSpan.FromDays(1)),
            new FeatureViewDefinition("carrier_stats", ["carrier"], "flights", [new FeatureField("avg_delay", FeatureType.Double)]),
        ],
        [new FeatureServiceDefinition("delay_v1", [new FeatureReference("airport_delays", "avg_delay"), new FeatureReference("carrier_stats", "avg_delay")])]);

    private static async Task<MemoryOnlineStore> StoreAsync()
    {
        var store = new MemoryOnlineStore();
        FeatureField[] airport = [new("avg_delay", FeatureType.Double), new("status", FeatureType.String)];
        await store.WriteAsync("airport_delays", airport, [
            new OnlineFeatureRow(["SFO"], Now.AddHours(-1), new Dictionary<string, object?> { ["avg_delay"] = 12.5, ["status"] = "busy" }),
            new OnlineFeatureRow(["JFK"], Now.AddDays(-3), new Dictionary<string, object?> { ["avg_delay"] = 40.0, ["status"] = "stale" }),
            new OnlineFeatureRow(["BOS"], Now.AddHours(-2), new Dictionary<string, object?> { ["avg_delay"] = null, ["status"] = "quiet" }),
        ]);
        await store.WriteAsync("carrier_stats", [new("avg_delay", FeatureType.Double)], [
            new OnlineFeatureRow([7L], Now.AddDays(-30), new Dictionary<string, object?> { ["avg_delay"] = 3.0 }), // no TTL: never too old
        ]);
        return store;
    }

    private static OnlineFeatureReader Reader(IOnlineFeatureStore store) => new(Repository, store, new FixedClock(Now));

    [Fact]
    public async Task AServiceLookup_ReturnsJoinKeysThenFeatures_WithAStatusAndAnEventTimePerValue()
    {
        var reader = Reader(await StoreAsync());
        var entities = new Dictionary<string, IReadOnlyList<object?>> { ["Origin"] = ["SFO", "JFK", "BOS", "LAX"], ["Carrier"] = [7L, 7L, 8L, 7L] };

        var response = await reader.ReadAsync(new OnlineFeatureRequest(null, "delay_v1", entities, FullFeatureNames: true));

        Assert.Equal(["Origin", "Carrier", "airport_delays__avg_delay", "carrier_stats__avg_delay"], response.FeatureNames);
        Assert.Equal(["SFO", "JFK", "BOS", "LAX"], response.Results[0].Values);
        var airport = response.Results[2];
        Assert.Equal([12.5, null, null, null], airport.Values);
        Assert.Equal(["PRESENT", "OUTSIDE_MAX_AGE", "NULL_VALUE", "NOT_FOUND"], airport.Statuses);
        Assert.Equal([Now.AddHours(-1), Now.AddDays(-3), Now.AddHours(-2), DateTimeOffset.UnixEpoch], airport.EventTimestamps);
        var carrier = response.Results[3];
        Assert.Equal([3.0, 3.0, null, 3.0], carrier.Values);
        Assert.Equal(["PRESENT", "PRESENT", "NOT_FOUND", "PRESENT"], carrier.Statuses);
    }

    [Fact]
    public async Task JsonEntityValues_AreAccepted_AndFeaturesComeInRequestOrder()
    {
        var reader = Reader(await StoreAsync());
        using var json = JsonDocument.Parse("""{"Origin": ["SFO"], "Carrier": [7]}""");
        var entities = json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (IReadOnlyList<object?>)[.. p.Value.EnumerateArray().Select(v => (object?)v.Clone())]);

        var response = await reader.ReadAsync(new OnlineFeatureRequest([FeatureReference.Parse("airport_delays:status"), FeatureReference.Parse("carrier_stats:avg_delay")], null, entities));

        Assert.Equal(["Origin", "Carrier", "status", "avg_delay"], response.FeatureNames);
        Assert.Equal("busy", response.Results[2].Values[0]);
        Assert.Equal(3.0, response.Results[3].Values[0]);
    }

    public static TheoryData<OnlineFeatureRequest, string> BadRequests() => new()
    {
        { new(null, null, new Dictionary<string, IReadOnlyList<object?>> { ["Origin"] = ["SFO"] }), "Give the features to read" },
        { new([FeatureReference.Parse("airport_delays:status")], "delay_v1", new Dictionary<string, IReadOnlyList<object?>> { ["Origin"] = ["SFO"] }), "not both" },
        { new(null, "nope", new Dictionary<string, IReadOnlyList<object?>> { ["Origin"] = ["SFO"] }), "Unknown feature service 'nope'" },
        { new([FeatureReference.Parse("airport_delays:nope")], null, new Dictionary<string, IReadOnlyList<object?>> { ["Origin"] = ["SFO"] }), "has no feature 'nope'" },
        { new([FeatureReference.Parse("airport_delays:status")], null, new Dictionary<string, IReadOnlyList<object?>> { ["Carrier"] = [7L] }), "looked up by 'Origin', which the entities do not have" },
        { new([FeatureReference.Parse("airport_delays:status")], null, new Dictionary<string, IReadOnlyList<object?>> { ["Origin"] = ["SFO", "JFK"], ["Carrier"] = [7L] }), "different lengths" },
        { new([FeatureReference.Parse("airport_delays:status")], null, new Dictionary<string, IReadOnlyList<object?>> { ["Origin"] = [42L] }), "'Origin' must be a string, got 42" },
        { new([FeatureReference.Parse("carrier_stats:avg_delay")], null, new Dictionary<string, IReadOnlyList<object?>> { ["Carrier"] = ["<script>"] }), "'Carrier' must be an integer" },
        { new([FeatureReference.Parse("airport_delays:status")], null, new Dictionary<string, IReadOnlyList<object?>> { ["Origin"] = [] }), "1 to 10000 entity rows" },
        { new(null, "delay_v1", new Dictionary<string, IReadOnlyList<object?>> { ["Origin"] = ["SFO"], ["Carrier"] = [null] }, FullFeatureNames: true), "'Carrier' must be an integer, got null" },
        { new([FeatureReference.Parse("airport_delays:status")], null, new Dictionary<string, IReadOnlyList<object?>>()), "No entities given" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadRequests_AreRefusedWithAClearMessage_BeforeTheStoreIsRead(OnlineFeatureRequest request, string message)
    {
        var store = new CountingStore(await StoreAsync());

        var error = await Assert.ThrowsAsync<CairnException>(() => Reader(store).ReadAsync(request));

        Assert.Contains(message, error.Message);
        Assert.Equal(0, store.Reads);
    }

    private sealed class CountingStore(IOnlineFeatureStore inner) : IOnlineFeatureStore
    {
        public int Reads { get; private set; }
        public Task<long> WriteAsync(string view, IReadOnlyList<FeatureField> features, IReadOnlyList<OnlineFeatureRow> rows, CancellationToken ct = default) => inner.WriteAsync(view, features, rows, ct);
        public Task<IReadOnlyList<OnlineFeatureValues?>> ReadAsync(string view, IReadOnlyList<IReadOnlyList<object>> keys, IReadOnlyList<string> features, CancellationToken ct = default)
        {
            Reads++;
            return inner.ReadAsync(view, keys, features, ct);
        }
        public Task DropViewAsync(string view, CancellationToken ct = default) => inner.DropViewAsync(view, ct);
        public Task<OnlineViewState?> GetViewStateAsync(string view, CancellationToken ct = default) => inner.GetViewStateAsync(view, ct);
        public Task RecordViewStateAsync(string view, OnlineViewState state, CancellationToken ct = default) => inner.RecordViewStateAsync(view, state, ct);
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
