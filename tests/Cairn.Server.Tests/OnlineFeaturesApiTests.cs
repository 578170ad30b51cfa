using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Features;
using Cairn.Storage.Redis;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>A test that needs redis-server: skipped, saying why, where it is not installed.</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        if (RedisServer.Unavailable is { } reason) Skip = reason;
    }
}

/// <summary>
/// Online features over HTTP on a real server: Feast's /get-online-features shape, Cairn's route,
/// pushes, and the SDK's REST backend, over the SQLite and the Redis online stores.
/// </summary>
public sealed class OnlineFeaturesApiTests
{
    private static readonly FeatureRepository Repository = new(
        [new EntityDefinition("driver", [new FeatureField("driver_id", FeatureType.Int64)])],
        [new FeatureSourceDefinition("trips", FeatureSourceKinds.File, "event_time", Path: "unused.parquet")],
        [new FeatureViewDefinition("driver_stats", ["driver"], "trips",
            [new FeatureField("conv_rate", FeatureType.Double), new FeatureField("trips", FeatureType.Int64), new FeatureField("city", FeatureType.String)])],
        [new FeatureServiceDefinition("driver_activity", [new FeatureReference("driver_stats", "conv_rate"), new FeatureReference("driver_stats", "city")])]);

    private static async Task<RunningServer> StartAsync(IOnlineFeatureStore online, TempFolder folder)
    {
        var server = await RunningServer.StartAsync(o => o with { OnlineFeatures = new LocalOnlineFeatureService(o.Features!, online, folder.File("push")) });
        using var client = server.Client();
        await client.Features.ApplyAsync(Repository);
        await client.OnlineFeatures.PushAsync("driver_stats", [
            new Dictionary<string, object?> { ["driver_id"] = 1001L, ["event_time"] = "2024-03-01T10:00:00Z", ["conv_rate"] = 0.5, ["trips"] = 12L, ["city"] = "Zürich" },
            new Dictionary<string, object?> { ["driver_id"] = 1002L, ["event_time"] = "2024-03-01T11:00:00Z", ["conv_rate"] = null, ["trips"] = 3L, ["city"] = "<b>Oslo</b>" },
        ]);
        return server;
    }

    private static async Task AssertFeastLookupAsync(RunningServer server)
    {
        using var response = await server.Http.PostAsync("/get-online-features", new StringContent(
            """{"feature_service": "driver_activity", "entities": {"driver_id": [1001, 1002, 9999]}, "full_feature_names": true}""", Encoding.UTF8, "application/json"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var json = JsonNode.Parse(body)!;
        Assert.Equal(["driver_id", "driver_stats__conv_rate", "driver_stats__city"], json["metadata"]!["feature_names"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal([1001L, 1002L, 9999L], json["results"]![0]!["values"]!.AsArray().Select(n => n!.GetValue<long>()));
        var rate = json["results"]![1]!;
        Assert.Equal(0.5, rate["values"]![0]!.GetValue<double>());
        Assert.Equal(["PRESENT", "NULL_VALUE", "NOT_FOUND"], rate["statuses"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.Zero), rate["event_timestamps"]![0]!.GetValue<DateTimeOffset>());
        Assert.Equal(["Zürich", "<b>Oslo</b>"], json["results"]![2]!["values"]!.AsArray().Take(2).Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task FeastsRoute_AnswersInFeastsShape_FromTheSqliteOnlineStore()
    {
        using var folder = new TempFolder();
        await using var online = new SqliteOnlineFeatureStore(folder.File("online.db"));
        await using var server = await StartAsync(online, folder);

        await AssertFeastLookupAsync(server);
    }

    [RedisFact]
    public async Task FeastsRoute_AnswersInFeastsShape_FromARealRedis()
    {
        using var folder = new TempFolder();
        await using var online = await RedisOnlineFeatureStore.ConnectAsync(RedisServer.Instance.Uri, keyPrefix: $"test:{Guid.NewGuid():N}:");
        await using var server = await StartAsync(online, folder);

        await AssertFeastLookupAsync(server);
    }

    [Fact]
    public async Task TheSdksRestBackend_ReadsWhatTheServerServes_AndPushedRowsAreKeptForTrainingSets()
    {
        using var folder = new TempFolder();
        await using var online = new SqliteOnlineFeatureStore(folder.File("online.db"));
        await using var server = await StartAsync(online, folder);
        using var client = server.Client();

        var response = await client.OnlineFeatures.GetOnlineFeaturesAsync(new OnlineFeatureRequest(
            [FeatureReference.Parse("driver_stats:trips"), FeatureReference.Parse("driver_stats:city")], null,
            new Dictionary<string, IReadOnlyList<object?>> { ["driver_id"] = [1002L, 1001L] }));

        Assert.Equal(["driver_id", "trips", "city"], response.FeatureNames);
        Assert.Equal([3L, 12L], response.Results[1].Values);
        Assert.Equal(["<b>Oslo</b>", "Zürich"], response.Results[2].Values);
        Assert.Single(Directory.GetFiles(Path.Combine(folder.File("push"), "driver_stats"), "push-*.parquet"));
    }

    [Theory]
    [InlineData("/get-online-features", """{"features": ["driver_stats:conv_rate"]}""", "entities")]
    [InlineData("/get-online-features", """{"features": ["conv_rate"], "entities": {"driver_id": [1]}}""", "view:feature")]
    [InlineData("/get-online-features", """{"features": ["driver_stats:conv_rate"], "entities": {"driver_id": ["1001"]}}""", "must be an integer")]
    [InlineData("/api/2.0/cairn/features/online", """{"feature_service": "nope", "entities": {"driver_id": [1]}}""", "Unknown feature service 'nope'")]
    [InlineData("/api/2.0/cairn/features/online", """{"feature_service": "driver_activity", "entities": {"driver_id": [1]}, "project": "x"}""", "project")]
    [InlineData("/api/2.0/cairn/features/online", """[1, 2]""", "")]
    [InlineData("/api/2.0/cairn/features/push", """{"feature_view": "driver_stats", "rows": [{"driver_id": 1, "event_time": "2024-03-01T10:00:00", "trips": 1}]}""", "ISO 8601 instant with an offset")]
    [InlineData("/api/2.0/cairn/features/push", """{"feature_view": "../etc", "rows": [{"driver_id": 1}]}""", "Unknown feature view")]
    [InlineData("/api/2.0/cairn/features/push", """{"feature_view": "driver_stats"}""", "rows")]
    public async Task BadRequests_Get400_WithAMessage_NotAStackTrace(string route, string body, string message)
    {
        using var folder = new TempFolder();
        await using var online = new SqliteOnlineFeatureStore(folder.File("online.db"));
        await using var server = await StartAsync(online, folder);

        using var response = await server.Http.PostAsync(route, new StringContent(body, Encoding.UTF8, "application/json"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Matches("\"error_code\":\"(INVALID_PARAMETER_VALUE|BAD_REQUEST)\"", text); // BAD_REQUEST: the body is not the request's shape
        Assert.Contains(message, text);
        Assert.DoesNotContain("   at ", text);
    }
}
