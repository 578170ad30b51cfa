using System.Net.Sockets;
using System.Text;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>
/// Every kind of bad input gets a 4xx with MLflow's error body and a message that says what was
/// wrong; the server stays up and no other run is touched.
/// </summary>
public class BadInputTests : IAsyncLifetime
{
    private RunningServer _server = null!;
    private string _runId = "";
    private string _bystanderId = "";
    private HttpClient Http => _server.Http;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync();
        _runId = await NewRunAsync();
        _bystanderId = await NewRunAsync();
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-batch", $$"""
            {"run_id": "{{_bystanderId}}", "metrics": [{"key": "m", "value": 1, "timestamp": 1, "step": 0}], "params": [{"key": "p", "value": "v"}]}
            """));
    }

    public async Task DisposeAsync()
    {
        await AssertServerUpAndBystanderIntact();
        await _server.DisposeAsync();
    }

    private async Task<string> NewRunAsync() =>
        Json.Str((await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/create", """{"experiment_id": "0"}""")))["run"]!["info"]!["run_id"]);

    private async Task AssertServerUpAndBystanderIntact()
    {
        var run = (await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/runs/get?run_id={_bystanderId}")))["run"]!;
        Assert.Single(run["data"]!["metrics"]!.AsArray());
        Assert.Equal("v", Json.Str(run["data"]!["params"]![0]!["value"]));
    }

    private static void AssertError((int Status, System.Text.Json.Nodes.JsonNode? Body) response, int status, string code, string messagePart)
    {
        Assert.Equal(status, response.Status);
        Assert.NotNull(response.Body);
        Assert.Equal(code, Json.Str(response.Body!["error_code"]));
        var message = Json.Str(response.Body["message"]);
        Assert.Contains(messagePart, message);
        Assert.DoesNotContain("   at ", message); // never a stack trace
    }

    [Fact]
    public async Task MalformedJson_Is400BadRequestNamingWhere()
    {
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-batch", """{"run_id": "x", "metrics": [{"key": "m", "value": }]}"""),
            400, "BAD_REQUEST", "Malformed JSON");
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-metric", "not json at all"), 400, "BAD_REQUEST", "Malformed JSON");
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-metric", ""), 400, "BAD_REQUEST", "Malformed JSON");
    }

    [Fact]
    public async Task WrongFieldType_Is400()
    {
        // MLflow's answer to a field of the wrong JSON type.
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-metric", $$"""{"run_id": "{{_runId}}", "key": "m", "value": "high", "timestamp": 1}"""),
            400, "INVALID_PARAMETER_VALUE", "Invalid value \"high\" for parameter 'value' supplied:  Hint: Value was of type 'str'.");
    }

    [Fact]
    public async Task UnknownRun_Is404ResourceDoesNotExist()
    {
        var missing = Ids.NewId();
        AssertError(await Json.GetAsync(Http, $"/api/2.0/mlflow/runs/get?run_id={missing}"), 404, "RESOURCE_DOES_NOT_EXIST", missing);
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-metric", $$"""{"run_id": "{{missing}}", "key": "m", "value": 1, "timestamp": 1}"""),
            404, "RESOURCE_DOES_NOT_EXIST", missing);
    }

    [Fact]
    public async Task ErrorBody_QuotesInTheMessage_AreWrittenAsThemselves()
    {
        using var response = await Http.GetAsync("/api/2.0/mlflow/experiments/get-by-name?experiment_name=it%27s");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("it's", body); // readable with curl, not it\u0027s
    }

    [Fact]
    public async Task MissingRequiredField_Is400NamingIt()
    {
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-parameter", $$"""{"run_id": "{{_runId}}", "value": "1"}"""),
            400, "INVALID_PARAMETER_VALUE", "'key'");
        AssertError(await Json.GetAsync(Http, "/api/2.0/mlflow/runs/get"), 400, "INVALID_PARAMETER_VALUE", "'run_id'");
    }

    [Fact]
    public async Task TenMegabyteParamValue_Is400WithTheLimit()
    {
        var huge = new string('x', 10 * 1024 * 1024);
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-parameter", $$"""{"run_id": "{{_runId}}", "key": "big", "value": "{{huge}}"}"""),
            400, "INVALID_PARAMETER_VALUE", "limit is 6000");
    }

    [Fact]
    public async Task ThousandCharacterKey_Is400()
    {
        var key = new string('k', 1000);
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-metric", $$"""{"run_id": "{{_runId}}", "key": "{{key}}", "value": 1, "timestamp": 1}"""),
            400, "INVALID_PARAMETER_VALUE", "limit is 250");
    }

    [Fact]
    public async Task ControlCharacters_Are400()
    {
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/set-tag", $$"""{"run_id": "{{_runId}}", "key": "bad\u0007key", "value": "v"}"""),
            400, "INVALID_PARAMETER_VALUE", "U+0007");
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/set-tag", $$"""{"run_id": "{{_runId}}", "key": "k", "value": "nul\u0000here"}"""),
            400, "INVALID_PARAMETER_VALUE", "U+0000");
    }

    [Fact]
    public async Task ChangedParam_Is400AndKeepsTheFirstValue()
    {
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-parameter", $$"""{"run_id": "{{_runId}}", "key": "lr", "value": "0.1"}"""));
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-parameter", $$"""{"run_id": "{{_runId}}", "key": "lr", "value": "0.2"}"""),
            400, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed");
    }

    [Fact]
    public async Task OversizedBatch_Is400InvalidParameterValue()
    {
        var metrics = string.Join(',', Enumerable.Range(0, 1001).Select(i => $$"""{"key": "m", "value": {{i}}, "timestamp": 1, "step": {{i}}}"""));
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-batch", $$"""{"run_id": "{{_runId}}", "metrics": [{{metrics}}]}"""),
            400, "INVALID_PARAMETER_VALUE", "at most 1000 metrics");
        var history = await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/metrics/get-history?run_id={_runId}&metric_key=m"));
        Assert.Empty(history["metrics"]?.AsArray() ?? []); // nothing of the refused batch was stored
    }

    [Fact]
    public async Task DotDotArtifactPaths_Are400AndWriteNothingOutside()
    {
        AssertError(await Json.GetAsync(Http, $"/api/2.0/mlflow/artifacts/list?run_id={_runId}&path=../../etc"), 400, "INVALID_PARAMETER_VALUE", "'..'");
        AssertError(await Json.GetAsync(Http, "/api/2.0/mlflow-artifacts/artifacts?path=../.."), 400, "INVALID_PARAMETER_VALUE", "'..'");

        // Send the raw request line, so no client library normalizes the dots away first.
        var status = await RawPutStatusAsync("/api/2.0/mlflow-artifacts/artifacts/0/x/%2E%2E/%2E%2E/%2E%2E/escaped.txt");
        Assert.InRange(status, 400, 404);
        Assert.Empty(Directory.EnumerateFiles(_server.Folder, "escaped.txt", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task UnknownEndpoint_Is404Json()
    {
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/frobnicate", "{}"), 404, "ENDPOINT_NOT_FOUND", "frobnicate");
    }

    [Fact]
    public async Task BadFilter_Is400WithPosition()
    {
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/search", """{"experiment_ids": ["0"], "filter": "metrics.auc >"}"""),
            400, "INVALID_PARAMETER_VALUE", "position 14");
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/search", """{"experiment_ids": ["0"], "page_token": "garbage"}"""),
            400, "INVALID_PARAMETER_VALUE", "page token");
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/search", """{"experiment_ids": ["0"], "max_results": 0}"""),
            400, "INVALID_PARAMETER_VALUE", "max_results");
    }

    [Theory]
    [InlineData("order_by", "the limit is 10")]
    [InlineData("comparisons", "the limit is 100")]
    [InlineData("experiment_ids", "the limit is 1000")]
    [InlineData("IN values", "the limit is 1000")]
    public async Task SearchRuns_BeyondASearchLimit_Is400NamingTheLimit(string limit, string named)
    {
        static string Quoted(IEnumerable<int> items, string prefix = "") => string.Join(',', items.Select(i => $"\"{prefix}{i}\""));
        var body = limit switch
        {
            "order_by" => $$"""{"experiment_ids": ["0"], "order_by": [{{Quoted(Enumerable.Range(0, 64), "params.p")}}]}""",
            "comparisons" => $$"""{"experiment_ids": ["0"], "filter": "{{string.Join(" AND ", Enumerable.Range(0, 1000).Select(i => $"params.p{i} = 'v'"))}}"}""",
            "experiment_ids" => $$"""{"experiment_ids": [{{Quoted(Enumerable.Range(0, 32_767))}}]}""",
            _ => $$"""{"experiment_ids": ["0"], "filter": "params.p IN ({{string.Join(',', Enumerable.Range(0, 32_765).Select(i => $"'v{i}'"))}})"}""",
        };
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/search", body), 400, "INVALID_PARAMETER_VALUE", named);
    }

    [Fact]
    public async Task LogBatch_TwoHundredThousandMetrics_Is400AtTheLimitBeforeReadingTheRest()
    {
        var metrics = string.Join(',', Enumerable.Range(0, 200_000).Select(i => $$"""{"key": "m", "value": {{i}}, "timestamp": 1, "step": {{i}}}"""));
        // Malformed far past the limit: reaching it would be a JSON error, not the limit.
        var body = $$"""{"run_id": "{{_runId}}", "metrics": [{{metrics}}, this is not JSON""";

        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-batch", body), 400, "INVALID_PARAMETER_VALUE", "at most 1000 metrics");
        var history = await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/metrics/get-history?run_id={_runId}&metric_key=m"));
        Assert.Empty(history["metrics"]?.AsArray() ?? []);
    }

    [Theory]
    [InlineData("params", 101, "at most 100 params")]
    [InlineData("tags", 101, "at most 100 tags")]
    public async Task LogBatch_OverTheParamOrTagLimit_Is400NamingIt(string field, int count, string named)
    {
        var items = string.Join(',', Enumerable.Range(0, count).Select(i => $$"""{"key": "k{{i}}", "value": "v"}"""));
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-batch", $$"""{"run_id": "{{_runId}}", "{{field}}": [{{items}}]}"""),
            400, "INVALID_PARAMETER_VALUE", named);
    }

    [Fact]
    public async Task LogBatch_OverTheTotalLimit_Is400NamingIt()
    {
        var metrics = string.Join(',', Enumerable.Range(0, 950).Select(i => $$"""{"key": "m", "value": {{i}}, "timestamp": 1, "step": {{i}}}"""));
        var tags = string.Join(',', Enumerable.Range(0, 60).Select(i => $$"""{"key": "t{{i}}", "value": "v"}"""));
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-batch", $$"""{"run_id": "{{_runId}}", "metrics": [{{metrics}}], "tags": [{{tags}}]}"""),
            400, "INVALID_PARAMETER_VALUE", "at most 1000 metrics, params and tags in total");
    }

    private async Task<int> RawPutStatusAsync(string target)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_server.BaseUri.Host, _server.BaseUri.Port);
        await using var stream = tcp.GetStream();
        var request = $"PUT {target} HTTP/1.1\r\nHost: {_server.BaseUri.Authority}\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var reader = new StreamReader(stream, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync() ?? "";
        return int.Parse(statusLine.Split(' ')[1]);
    }
}
