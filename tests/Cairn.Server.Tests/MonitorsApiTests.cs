using System.Text.Json.Nodes;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>The monitor and feedback endpoints as raw JSON: the shapes docs/rest-api.md shows, and 400s for bad bodies.</summary>
public sealed class MonitorsApiTests : IAsyncLifetime
{
    private RunningServer _server = null!;
    private HttpClient Http => _server.Http;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static void AssertError((int Status, JsonNode? Body) response, string code, string messagePart)
    {
        Assert.Equal(400, response.Status);
        Assert.Equal(code, Json.Str(response.Body!["error_code"]));
        Assert.Contains(messagePart, Json.Str(response.Body["message"]));
    }

    [Fact]
    public async Task Create_SpecAsBody_AnswersTheMonitor()
    {
        var body = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/cairn/monitors/create", """
            {"name": "delay-drift", "model": "models:/delay@champion", "window": "1h",
             "alerts": [{"name": "drift", "rule": "drift_share > 0.3", "severity": "critical"}],
             "destinations": [{"type": "webhook", "url": "https://hooks.example.com/x"}]}
            """));

        var monitor = body["monitor"]!;
        Assert.Equal("delay-drift", Json.Str(monitor["spec"]!["name"]));
        Assert.True(monitor["enabled"]!.GetValue<bool>());
        Assert.Equal("1h", Json.Str(monitor["spec"]!["alerts"]![0]!["cooldown"]));
        var listed = await Json.OkAsync(Json.GetAsync(Http, "/api/2.0/cairn/monitors/list"));
        Assert.Single(listed["monitors"]!.AsArray());
        var disabled = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/cairn/monitors/disable", """{"name": "delay-drift"}"""));
        Assert.False(disabled["monitor"]!["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Create_UnknownKeyOrBadValue_Is400()
    {
        AssertError(await Json.PostAsync(Http, "/api/2.0/cairn/monitors/create", """{"name": "m", "model": "models:/delay/1", "windw": "1h"}"""),
            "BAD_REQUEST", "windw");
        AssertError(await Json.PostAsync(Http, "/api/2.0/cairn/monitors/create", """{"name": "m", "model": "models:/delay/1", "window": "soon"}"""),
            "INVALID_PARAMETER_VALUE", "window");
        AssertError(await Json.PostAsync(Http, "/api/2.0/cairn/monitors/create", """{"name": "m"}"""), "INVALID_PARAMETER_VALUE", "model");
    }

    [Fact]
    public async Task Feedback_DefaultsRowAndTimestamp_AnswersHowManyWereStored()
    {
        var body = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/cairn/feedback", """
            {"labels": [{"request_id": "r1", "label": 1}, {"request_id": "r1", "row": 2, "label": 0, "timestamp": 5}]}
            """));
        Assert.Equal(2, body["stored"]!.GetValue<int>());

        var got = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/cairn/feedback/get", """{"request_ids": ["r1", "r2"]}"""));
        var labels = got["labels"]!.AsArray();
        Assert.Equal(2, labels.Count);
        Assert.Equal(0, labels[0]!["row"]!.GetValue<int>());
        Assert.True(labels[0]!["timestamp"]!.GetValue<long>() > 1_600_000_000_000);
        Assert.Equal(5, labels[1]!["timestamp"]!.GetValue<long>());
    }

    [Fact]
    public async Task Feedback_BadBodies_Are400()
    {
        AssertError(await Json.PostAsync(Http, "/api/2.0/cairn/feedback", """{"labels": [{"request_id": "r1"}]}"""), "INVALID_PARAMETER_VALUE", "labels[0].label");
        AssertError(await Json.PostAsync(Http, "/api/2.0/cairn/feedback", """{"labels": [{"label": 1}]}"""), "INVALID_PARAMETER_VALUE", "labels[0].request_id");
        AssertError(await Json.PostAsync(Http, "/api/2.0/cairn/feedback", """{}"""), "INVALID_PARAMETER_VALUE", "labels");
        AssertError(await Json.PostAsync(Http, "/api/2.0/cairn/feedback", """{"labels": [{"request_id": "r1", "label": }]}"""), "BAD_REQUEST", "Malformed JSON");
        var tooMany = "{\"labels\": [" + string.Join(",", Enumerable.Range(0, 10_001).Select(i => $"{{\"request_id\": \"r\", \"row\": {i}, \"label\": 1}}")) + "]}";
        AssertError(await Json.PostAsync(Http, "/api/2.0/cairn/feedback", tooMany), "INVALID_PARAMETER_VALUE", "10000");
    }

    [Fact]
    public async Task ClaimRun_Taken_AnswersWithoutARun()
    {
        const string claim = """{"monitor_name": "m", "run_key": "k", "window_start": 0, "window_end": 1, "owner": "a"}""";
        var first = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/cairn/monitors/runs/claim", claim));
        var second = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/cairn/monitors/runs/claim", claim));

        Assert.Equal("running", Json.Str(first["run"]!["status"]));
        Assert.Null(second["run"]);
    }
}
