using System.Text.Json.Nodes;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>The feature definition API as raw JSON: snake_case shapes, and 4xx (never 500) for hostile bodies.</summary>
public sealed class FeaturesApiTests : IAsyncLifetime
{
    private const string Base = "/api/2.0/cairn/features";
    private const string Repository = """
        {"entities": [{"name": "origin_airport", "join_keys": [{"name": "Origin", "type": "STRING"}]}],
         "sources": [{"name": "flights", "kind": "file", "path": "f.parquet", "timestamp_field": "event_time"}],
         "views": [{"name": "airport_delays", "entities": ["origin_airport"], "source": "flights", "features": [{"name": "avg_delay_7d", "type": "DOUBLE"}]}]}
        """;
    private RunningServer _server = null!;
    private HttpClient Http => _server.Http;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task AssertRefusedAsync(string body, string messagePart)
    {
        var (status, json) = await Json.PostAsync(Http, Base + "/apply", body);
        Assert.True(status is 400, $"expected 400, got {status}: {json?.ToJsonString()}");
        Assert.Contains(messagePart, Json.Str(json!["message"]));
    }

    [Fact]
    public async Task ApplyThenRead_AnswersSnakeCaseShapes()
    {
        var applied = await Json.OkAsync(Json.PostAsync(Http, Base + "/apply", $$"""{"repository": {{Repository}}}"""));
        Assert.Equal(1, applied["result"]!["apply"]!.GetValue<long>());
        Assert.Equal(3, applied["result"]!["versions"]!.AsArray().Count);

        var view = await Json.OkAsync(Json.GetAsync(Http, Base + "/definitions/get?kind=feature_view&name=airport_delays&version=1"));
        Assert.Equal("DOUBLE", Json.Str(view["definition"]!["view"]!["features"]![0]!["type"]));
        var repository = await Json.OkAsync(Json.GetAsync(Http, Base + "/repository"));
        Assert.Equal("Origin", Json.Str(repository["repository"]!["entities"]![0]!["join_keys"]![0]!["name"]));
        Assert.Empty(repository["repository"]!["services"]!.AsArray());
    }

    [Fact]
    public async Task ClientFeatures_OverHttp_ReachTheServersStore()
    {
        using var client = _server.Client();
        var repository = new Features.FeatureRepository([new("airport", [new("origin", Features.FeatureType.String)])], [], [], []);
        Assert.Equal(1, (await client.Features.ApplyAsync(repository)).Apply);
        Assert.Equal("airport", Assert.Single((await _server.Stores.Features.GetRepositoryAsync()).Entities).Name);
    }

    [Theory]
    [InlineData("""{"repository": {"entities": [null]}}""", "empty entry")]
    [InlineData("""{"repository": {"views": [{"name": "v", "entities": [null]}]}}""", "")]
    [InlineData("""{"repository": {"services": [{"name": "s", "features": [{"view": null}]}]}}""", "")]
    [InlineData("""{"repository": {"entitys": []}}""", "entitys")]
    [InlineData("""{"force": true}""", "repository")]
    [InlineData("""{"repository": {"entities": "x"}}""", "Malformed JSON")]
    public async Task Apply_HostileBody_Is400(string body, string messagePart) => await AssertRefusedAsync(body, messagePart);

    [Fact]
    public async Task RecordStatisticsThenList_AnswersSnakeCaseShapes()
    {
        await Json.OkAsync(Json.PostAsync(Http, Base + "/apply", $$"""{"repository": {{Repository}}}"""));
        var recorded = await Json.OkAsync(Json.PostAsync(Http, Base + "/statistics/record", """
            {"view": "airport_delays", "view_version": 1, "start": "2024-01-01T00:00:00Z",
             "statistics": {"view": "airport_delays", "rows": 7, "features": [{"feature": "avg_delay_7d", "type": "DOUBLE", "count": 7, "nulls": 1, "distinct": 5, "mean": 2.5}]}}
            """));
        Assert.Equal(1, recorded["snapshot"]!["number"]!.GetValue<long>());

        var listed = await Json.OkAsync(Json.GetAsync(Http, Base + "/statistics/list?view=airport_delays"));
        var snapshot = Assert.Single(listed["snapshots"]!.AsArray())!;
        Assert.Equal((1, 7L, 2.5), (snapshot["view_version"]!.GetValue<int>(), snapshot["statistics"]!["rows"]!.GetValue<long>(),
            snapshot["statistics"]!["features"]![0]!["mean"]!.GetValue<double>()));
        Assert.StartsWith("2024-01-01T00:00:00", Json.Str(snapshot["start"]));
    }

    [Theory]
    [InlineData("""{"view_version": 1, "statistics": {"view": "airport_delays", "rows": 1, "features": []}}""", "view")]
    [InlineData("""{"view": "airport_delays", "statistics": {"view": "airport_delays", "rows": 1, "features": []}}""", "view_version")]
    [InlineData("""{"view": "airport_delays", "view_version": 1}""", "statistics")]
    [InlineData("""{"view": "airport_delays", "view_version": 1, "statistics": {"view": "airport_delays", "rows": 1, "features": [null]}}""", "declares no feature")]
    [InlineData("""{"view": "airport_delays", "view_version": 1, "statistics": {"view": "airport_delays", "rows": 1}}""", "at most one entry per feature")]
    [InlineData("""{"view": "airport_delays", "view_version": 1, "statistics": {"view": "airport_delays", "rows": 1, "features": [], "colour": 1}}""", "colour")]
    public async Task RecordStatistics_HostileBody_Is400(string body, string messagePart)
    {
        await Json.OkAsync(Json.PostAsync(Http, Base + "/apply", $$"""{"repository": {{Repository}}}"""));
        var (status, json) = await Json.PostAsync(Http, Base + "/statistics/record", body);
        Assert.True(status is 400, $"expected 400, got {status}: {json?.ToJsonString()}");
        Assert.Contains(messagePart, Json.Str(json!["message"]));
        var (listStatus, _) = await Json.GetAsync(Http, Base + "/statistics/list?view=airport_delays&max_results=0");
        Assert.Equal(400, listStatus);
    }

    [Fact]
    public async Task Get_BadQuery_Is4xx()
    {
        var (status, _) = await Json.GetAsync(Http, Base + "/definitions/get?kind=feature_view&name=airport_delays&version=x");
        Assert.Equal(400, status);
        (status, _) = await Json.GetAsync(Http, Base + "/definitions/get?kind=feature_view&name=nope");
        Assert.Equal(404, status);
    }
}
