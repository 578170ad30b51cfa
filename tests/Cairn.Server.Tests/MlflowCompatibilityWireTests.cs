using System.Net.Http.Headers;
using System.Text;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>
/// What MLflow 3's Python client and web UI send beyond the basics, over a socket and as raw JSON:
/// errors in MLflow's words, the /ajax-api aliases, the endpoints added for compatibility, and the
/// GenAI endpoints Cairn does not serve.
/// </summary>
public class MlflowCompatibilityWireTests : IAsyncLifetime
{
    private const string ApiDocs = " See the API docs for more information about request parameters.";

    private RunningServer _server = null!;
    private HttpClient Http => _server.Http;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<string> NewRunAsync() =>
        Json.Str((await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/create", """{"experiment_id": "0"}""")))["run"]!["info"]!["run_id"]);

    private static void AssertError((int Status, System.Text.Json.Nodes.JsonNode? Body) response, int status, string code, string message)
    {
        Assert.Equal(status, response.Status);
        Assert.Equal(code, Json.Str(response.Body!["error_code"]));
        Assert.Equal(message, Json.Str(response.Body["message"]));
    }

    // ------------------------------------------------------------------ errors in MLflow's words

    [Fact]
    public async Task AFieldOfTheWrongJsonType_IsInvalidParameterValueInMlflowsWords_NamingNoDotNetType()
    {
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-metric", """{"run_id": 31, "key": "m", "value": 1, "timestamp": 1}"""),
            400, "INVALID_PARAMETER_VALUE", "Invalid value 31 for parameter 'run_id' supplied:  Hint: Value was of type 'int'." + ApiDocs);
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/experiments/create", """{"name": ["a", {"z": 1, "b": true}]}"""),
            400, "INVALID_PARAMETER_VALUE", """Invalid value ["a",{"b":true,"z":1}] for parameter 'name' supplied:  Hint: Value was of type 'list'.""" + ApiDocs);
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-batch", """{"run_id": "r", "metrics": [{"key": "m", "value": "high"}]}"""),
            400, "INVALID_PARAMETER_VALUE", """Invalid value [{"key":"m","value":"high"}] for parameter 'metrics' supplied:  Hint: Value was of type 'list'.""" + ApiDocs);
    }

    [Fact]
    public async Task ABodyThatIsNotAnObject_IsMalformed_WithoutADotNetTypeName()
    {
        var (status, body) = await Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-metric", "[1, 2]");

        Assert.Equal(400, status);
        Assert.Equal("BAD_REQUEST", Json.Str(body!["error_code"]));
        Assert.DoesNotContain("Cairn.", Json.Str(body["message"]));
        Assert.DoesNotContain("System.", Json.Str(body["message"]));
    }

    [Fact]
    public async Task AMissingRequiredField_IsMlflowsMissingValueMessage()
    {
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/experiments/create", "{}"),
            400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'name'." + ApiDocs);
        AssertError(await Json.GetAsync(Http, "/api/2.0/mlflow/registered-models/get"),
            400, "INVALID_PARAMETER_VALUE", "Missing value for required parameter 'name'." + ApiDocs);
        AssertError(await Json.GetAsync(Http, "/api/2.0/mlflow/registered-models/search?max_results=ten"),
            400, "INVALID_PARAMETER_VALUE", "Invalid value \"ten\" for parameter 'max_results' supplied:  Hint: Value was of type 'str'." + ApiDocs);
    }

    // ------------------------------------------------------------------ /ajax-api and out of scope

    [Fact]
    public async Task AjaxApiAliases_ServeTheSameEndpoints()
    {
        var experiment = await Json.OkAsync(Json.GetAsync(Http, "/ajax-api/2.0/mlflow/experiments/get?experiment_id=0"));
        Assert.Equal("0", Json.Str(experiment["experiment"]!["experiment_id"]));
        var runId = await NewRunAsync();
        var found = await Json.OkAsync(Json.PostAsync(Http, "/ajax-api/2.0/mlflow/runs/search", """{"experiment_ids": ["0"]}"""));
        Assert.Equal(runId, Json.Str(found["runs"]![0]!["info"]!["run_id"]));
        await Json.OkAsync(Json.GetAsync(Http, "/ajax-api/2.0/mlflow/registered-models/search?filter=" + Uri.EscapeDataString("tag.`mlflow.prompt.is_prompt` != 'true'")));
    }

    [Theory]
    [InlineData("POST", "/api/3.0/mlflow/traces")]
    [InlineData("POST", "/api/2.0/mlflow/traces")]
    [InlineData("GET", "/ajax-api/3.0/mlflow/traces/search")]
    [InlineData("POST", "/api/3.0/mlflow/scorers/register")]
    [InlineData("POST", "/api/3.0/mlflow/datasets/create")]
    public async Task GenAiEndpoints_AnswerEndpointNotFound(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        using var response = await Http.SendAsync(request);
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("ENDPOINT_NOT_FOUND", Json.Str(body["error_code"]));
        Assert.Contains(path, Json.Str(body["message"]));
    }

    // ------------------------------------------------------------------ tracking endpoints

    [Fact]
    public async Task DeleteExperimentTag_AsMlflowsClientSendsIt()
    {
        var id = Json.Str((await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/experiments/create",
            """{"name": "tagged", "tags": [{"key": "team", "value": "ml"}]}""")))["experiment_id"]);

        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/experiments/delete-experiment-tag", $$"""{"experiment_id": "{{id}}", "key": "team"}"""));

        var experiment = await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/experiments/get?experiment_id={id}"));
        Assert.Null(experiment["experiment"]!["tags"]?.AsArray().FirstOrDefault(t => Json.Str(t!["key"]) == "team"));
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/experiments/delete-experiment-tag", $$"""{"experiment_id": "{{id}}", "key": "team"}"""),
            404, "RESOURCE_DOES_NOT_EXIST", $"No tag with name: team in experiment with id {id}");
    }

    [Fact]
    public async Task GetHistoryBulkInterval_SamplesStepsAsMlflowsServerDoes()
    {
        var first = await NewRunAsync();
        var second = await NewRunAsync();
        var metrics = string.Join(",", Enumerable.Range(0, 10).Select(s => $$"""{"key": "loss", "value": {{s}}, "timestamp": {{1000 + s}}, "step": {{s}}}"""));
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-batch", $$"""{"run_id": "{{first}}", "metrics": [{{metrics}}]}"""));
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-batch", $$"""{"run_id": "{{second}}", "metrics": [{"key": "loss", "value": 7, "timestamp": 1, "step": 4}]}"""));

        // Steps 0..9, 3 samples: indexes 0, 3, 6 and the last (9), plus each run's first and last step (0, 9; 4).
        var answer = await Json.OkAsync(Json.GetAsync(Http, $"/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids={first}&run_ids={second}&metric_key=loss&max_results=3"));

        var points = answer["metrics"]!.AsArray().Select(m => (Json.Str(m!["run_id"]), m["step"]!.GetValue<long>())).ToList();
        Assert.Equal([(first, 0L), (first, 3L), (first, 4L), (first, 6L), (first, 9L), (second, 4L)], points);

        var ranged = await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids={first}&metric_key=loss&start_step=2&end_step=5&max_results=10"));
        Assert.Equal([2L, 3L, 4L, 5L], ranged["metrics"]!.AsArray().Select(m => m!["step"]!.GetValue<long>()));

        AssertError(await Json.GetAsync(Http, $"/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids={first}&metric_key=loss&start_step=2"),
            400, "INVALID_PARAMETER_VALUE", "If either start step or end step are specified, both must be specified.");
        AssertError(await Json.GetAsync(Http, $"/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids={first}&metric_key=loss&max_results=2501"),
            400, "INVALID_PARAMETER_VALUE", "max_results must be between 1 and 2500.");
    }

    [Fact]
    public async Task UploadArtifact_FromTheWebUi_LandsInTheRunsArtifacts_AndStaysInside()
    {
        var runId = await NewRunAsync();
        using var content = new ByteArrayContent("hello"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using (var response = await Http.PostAsync($"/ajax-api/2.0/mlflow/upload-artifact?run_uuid={runId}&path=notes/readme.txt", content))
            Assert.Equal(200, (int)response.StatusCode);

        Assert.Equal("hello", await Http.GetStringAsync($"/api/2.0/mlflow-artifacts/artifacts/0/{runId}/artifacts/notes/readme.txt"));
        using var escape = new ByteArrayContent("x"u8.ToArray());
        using (var response = await Http.PostAsync($"/ajax-api/2.0/mlflow/upload-artifact?run_uuid={runId}&path=../../escape.txt", escape))
            Assert.Equal(400, (int)response.StatusCode);
        using var plain = new ByteArrayContent("x"u8.ToArray());
        using (var response = await Http.PostAsync($"/api/2.0/mlflow/upload-artifact?run_uuid={runId}&path=a.txt", plain))
            Assert.Equal(404, (int)response.StatusCode);
    }

    // ------------------------------------------------------------------ registry

    [Fact]
    public async Task SearchRegisteredModels_WithTheFilterMlflow3Sends_FindsModelsWithoutThePromptTag()
    {
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/registered-models/create", """{"name": "delay"}"""));
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/registered-models/create", """{"name": "greeting", "tags": [{"key": "mlflow.prompt.is_prompt", "value": "true"}]}"""));

        var filter = Uri.EscapeDataString("tags.`mlflow.prompt.is_prompt` != 'true'");
        var models = await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/registered-models/search?filter={filter}&max_results=100"));
        Assert.Equal(["delay"], models["registered_models"]!.AsArray().Select(m => Json.Str(m!["name"])));
        var versions = await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/model-versions/search?filter={filter}&max_results=10000"));
        Assert.Null(versions["next_page_token"]);
    }

    [Fact]
    public async Task UnsetDescription_IsAnEmptyString_OnTheWire()
    {
        var model = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/registered-models/create", """{"name": "plain"}"""));
        Assert.Equal("", Json.Str(model["registered_model"]!["description"]));
        var runId = await NewRunAsync();
        var version = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/model-versions/create", $$"""{"name": "plain", "source": "runs:/{{runId}}/model", "run_id": "{{runId}}"}"""));
        Assert.Equal("", Json.Str(version["model_version"]!["description"]));
    }

    [Fact]
    public async Task TransitionStage_AsMlflowsClientSendsIt()
    {
        var runId = await NewRunAsync();
        for (var i = 0; i < 2; i++)
            await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/model-versions/create", $$"""{"name": "staged", "source": "runs:/{{runId}}/model", "run_id": "{{runId}}"}"""));

        var moved = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/model-versions/transition-stage",
            """{"name": "staged", "version": "1", "stage": "staging", "archive_existing_versions": false}"""));
        Assert.Equal("Staging", Json.Str(moved["model_version"]!["current_stage"]));
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/model-versions/transition-stage", """{"name": "staged", "version": "2", "stage": "Staging", "archive_existing_versions": true}"""));

        var latest = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/registered-models/get-latest-versions", """{"name": "staged", "stages": ["Staging"]}"""));
        Assert.Equal("2", Json.Str(Assert.Single(latest["model_versions"]!.AsArray())!["version"]));
        var viaGet = await Json.OkAsync(Json.GetAsync(Http, "/api/2.0/mlflow/registered-models/get-latest-versions?name=staged&stages=Staging&stages=None"));
        Assert.Equal(["2"], viaGet["model_versions"]!.AsArray().Select(v => Json.Str(v!["version"])));
        Assert.Equal("Archived", Json.Str((await Json.OkAsync(Json.GetAsync(Http, "/api/2.0/mlflow/model-versions/get?name=staged&version=1")))["model_version"]!["current_stage"]));
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/model-versions/transition-stage", """{"name": "staged", "version": "1", "stage": "Live"}"""),
            400, "INVALID_PARAMETER_VALUE", "Invalid Model Version stage: Live. Value must be one of None, Staging, Production, Archived.");
    }

    [Fact]
    public async Task CopiedModelVersion_DownloadsWhatItsOriginalDoes()
    {
        var runId = await NewRunAsync();
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/model-versions/create", $$"""{"name": "original", "source": "runs:/{{runId}}/model", "run_id": "{{runId}}"}"""));
        // copy_model_version registers the copy with the original's models:/ URI as its source.
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/model-versions/create", $$"""{"name": "copy", "source": "models:/original/1", "run_id": "{{runId}}"}"""));

        var uri = await Json.OkAsync(Json.GetAsync(Http, "/api/2.0/mlflow/model-versions/get-download-uri?name=copy&version=1"));

        Assert.Equal($"mlflow-artifacts:/0/{runId}/artifacts/model", Json.Str(uri["artifact_uri"]));
    }

    [Theory]
    [InlineData("file:///tmp/model")]
    [InlineData("/tmp/model")]
    public async Task LocalModelSource_IsRefusedInMlflowsWords(string source)
    {
        var runId = await NewRunAsync();
        AssertError(await Json.PostAsync(Http, "/api/2.0/mlflow/model-versions/create", $$"""{"name": "local", "source": "{{source}}", "run_id": "{{runId}}"}"""),
            400, "INVALID_PARAMETER_VALUE",
            $"Invalid model version source: '{source}'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.");
    }
}
