using System.Text;
using System.Text.Json.Nodes;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>
/// MLflow 3's logged models as MLflow 3.6's Python client calls them, in its order:
/// <c>mlflow.pyfunc.log_model</c> (create, outputs, the run's metrics linked, upload through the
/// artifact proxy, finalize), <c>mlflow.register_model</c> (from <c>runs:/</c> and from
/// <c>models:/&lt;id&gt;</c>), <c>mlflow.pyfunc.load_model("models:/name/1")</c>, and
/// <c>MlflowClient.list_artifacts(run_id, "model/...")</c>.
/// </summary>
public class MlflowLoggedModelsWireTests : IAsyncLifetime
{
    private RunningServer _server = null!;
    private HttpClient Http => _server.Http;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(int Status, JsonNode? Body)> Send(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private async Task<JsonNode> Ok(HttpMethod method, string path, string? json = null)
    {
        var (status, body) = await Send(method, path, json);
        Assert.True(status == 200, $"{method} {path}: expected 200, got {status}: {body?.ToJsonString()}");
        return body!;
    }

    private async Task Put(string path, string content)
    {
        using var response = await Http.PutAsync(path, new StringContent(content));
        Assert.True(response.IsSuccessStatusCode, $"PUT {path}: {(int)response.StatusCode}");
    }

    private async Task<(string ExperimentId, string RunId)> StartRunAsync()
    {
        var experimentId = Json.Str((await Ok(HttpMethod.Post, "/api/2.0/mlflow/experiments/create", $$"""{"name": "lm-{{Guid.NewGuid():N}}"}"""))["experiment_id"]);
        var run = await Ok(HttpMethod.Post, "/api/2.0/mlflow/runs/create", $$"""{"experiment_id": "{{experimentId}}", "start_time": "1700000000000", "tags": []}""");
        return (experimentId, Json.Str(run["run"]!["info"]!["run_id"]));
    }

    /// <summary>What <c>mlflow.pyfunc.log_model(name="model", ...)</c> sends inside a run that logged <c>rmse</c> at step 0.</summary>
    private async Task<(string ModelId, string ArtifactUri)> LogModelAsync(string experimentId, string runId)
    {
        await Ok(HttpMethod.Post, "/api/2.0/mlflow/runs/log-metric", $$"""{"run_id": "{{runId}}", "key": "rmse", "value": 0.25, "timestamp": "1700000000100", "step": "0"}""");
        await Ok(HttpMethod.Get, $"/api/2.0/mlflow/runs/get?run_uuid={runId}&run_id={runId}");

        var created = await Ok(HttpMethod.Post, "/api/2.0/mlflow/logged-models", $$"""
            {"experiment_id": "{{experimentId}}", "name": "model", "source_run_id": "{{runId}}", "params": [{"key": "alpha", "value": "0.5"}],
             "tags": [{"key": "mlflow.user", "value": "ada"}, {"key": "mlflow.source.type", "value": "LOCAL"}]}
            """)!;
        var info = created["model"]!["info"]!;
        var modelId = Json.Str(info["model_id"]);
        Assert.Equal("LOGGED_MODEL_PENDING", Json.Str(info["status"]));
        Assert.Equal($"mlflow-artifacts:/{experimentId}/models/{modelId}/artifacts", Json.Str(info["artifact_uri"]));
        Assert.Equal(runId, Json.Str(info["source_run_id"]));
        Assert.Equal("alpha", Json.Str(created["model"]!["data"]!["params"]![0]!["key"]));

        await Ok(HttpMethod.Post, "/api/2.0/mlflow/runs/outputs", $$"""{"run_id": "{{runId}}", "models": [{"model_id": "{{modelId}}", "step": "0"}]}""");
        // log_model_metrics_for_step: the run's metrics at that step, logged again with the model's id.
        await Ok(HttpMethod.Get, $"/api/2.0/mlflow/metrics/get-history?run_uuid={runId}&run_id={runId}&metric_key=rmse");
        await Ok(HttpMethod.Post, "/api/2.0/mlflow/runs/log-batch", $$"""
            {"run_id": "{{runId}}", "metrics": [{"key": "rmse", "value": 0.25, "timestamp": "1700000000100", "step": "0", "model_id": "{{modelId}}", "run_id": "{{runId}}"}]}
            """);

        // log_model_artifacts: the model's artifact location, then uploads through the proxy.
        var artifactUri = Json.Str((await Ok(HttpMethod.Get, $"/api/2.0/mlflow/logged-models/{modelId}"))["model"]!["info"]!["artifact_uri"]);
        var proxied = artifactUri["mlflow-artifacts:/".Length..];
        await Put($"/api/2.0/mlflow-artifacts/artifacts/{proxied}/MLmodel", "flavors:\n  python_function: {}\n");
        await Put($"/api/2.0/mlflow-artifacts/artifacts/{proxied}/python_model.pkl", "pickled");
        await Put($"/api/2.0/mlflow-artifacts/artifacts/{proxied}/code/helper.py", "print(1)");

        var ready = await Ok(HttpMethod.Patch, $"/api/2.0/mlflow/logged-models/{modelId}", $$"""{"model_id": "{{modelId}}", "status": "LOGGED_MODEL_READY"}""");
        Assert.Equal("LOGGED_MODEL_READY", Json.Str(ready["model"]!["info"]!["status"]));
        return (modelId, artifactUri);
    }

    [Fact]
    public async Task LogModel_RegisterFromRunsUri_AndLoadModelsNameVersion_AsMlflow36Does()
    {
        var (experimentId, runId) = await StartRunAsync();
        var (modelId, artifactUri) = await LogModelAsync(experimentId, runId);

        var model = (await Ok(HttpMethod.Get, $"/api/2.0/mlflow/logged-models/{modelId}"))["model"]!;
        var metric = Assert.Single(model["data"]!["metrics"]!.AsArray())!;
        Assert.Equal(("rmse", 0.25, modelId, runId), (Json.Str(metric["key"]), metric["value"]!.GetValue<double>(), Json.Str(metric["model_id"]), Json.Str(metric["run_id"])));
        Assert.Single((await Ok(HttpMethod.Get, $"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=rmse"))["metrics"]!.AsArray());
        var run = (await Ok(HttpMethod.Get, $"/api/2.0/mlflow/runs/get?run_id={runId}"))["run"]!;
        Assert.Equal(modelId, Json.Str(run["outputs"]!["model_outputs"]![0]!["model_id"]));

        // mlflow.register_model(f"runs:/{run_id}/model", "delay"): the run has no folder "model",
        // so the client looks for the run's logged model named "model" and registers models:/<id>.
        await Ok(HttpMethod.Post, "/api/2.0/mlflow/registered-models/create", """{"name": "delay"}""");
        // (RunsArtifactRepository._is_directory: the run's own folder "model", through the proxy.)
        var runFolder = Json.Str(run["info"]!["artifact_uri"])["mlflow-artifacts:/".Length..];
        var listed = await Ok(HttpMethod.Get, $"/api/2.0/mlflow-artifacts/artifacts?path={Uri.EscapeDataString(runFolder + "/model")}");
        Assert.Empty(listed["files"]?.AsArray() ?? []);
        var search = await Ok(HttpMethod.Post, "/api/2.0/mlflow/logged-models/search", $$"""{"experiment_ids": ["{{experimentId}}"]}""");
        var found = Assert.Single(search["models"]!.AsArray())!;
        Assert.Equal((modelId, "model", runId), (Json.Str(found["info"]!["model_id"]), Json.Str(found["info"]!["name"]), Json.Str(found["info"]!["source_run_id"])));
        var version = (await Ok(HttpMethod.Post, "/api/2.0/mlflow/model-versions/create",
            $$"""{"name": "delay", "source": "models:/{{modelId}}", "run_id": "{{runId}}", "model_id": "{{modelId}}"}"""))["model_version"]!;
        Assert.Equal(("1", modelId, $"models:/{modelId}"), (Json.Str(version["version"]), Json.Str(version["model_id"]), Json.Str(version["source"])));
        var got = (await Ok(HttpMethod.Get, "/api/2.0/mlflow/model-versions/get?name=delay&version=1"))["model_version"]!;
        Assert.Equal(("READY", modelId), (Json.Str(got["status"]), Json.Str(got["model_id"])));
        await Ok(HttpMethod.Get, $"/api/2.0/mlflow/logged-models/{modelId}");
        await Ok(HttpMethod.Patch, $"/api/2.0/mlflow/logged-models/{modelId}/tags",
            """{"tags": [{"key": "mlflow.modelVersions", "value": "[{\"name\": \"delay\", \"version\": \"1\"}]"}]}""");
        var tags = (await Ok(HttpMethod.Get, $"/api/2.0/mlflow/logged-models/{modelId}"))["model"]!["info"]!["tags"]!.AsArray();
        Assert.Contains(tags, t => Json.Str(t!["key"]) == "mlflow.modelVersions" && Json.Str(t["value"]).Contains("\"delay\"", StringComparison.Ordinal));

        // mlflow.pyfunc.load_model("models:/delay/1"): the download URI is the logged model's folder, read through the proxy.
        var download = Json.Str((await Ok(HttpMethod.Get, "/api/2.0/mlflow/model-versions/get-download-uri?name=delay&version=1"))["artifact_uri"]);
        Assert.Equal(artifactUri, download);
        var proxied = download["mlflow-artifacts:/".Length..];
        var files = (await Ok(HttpMethod.Get, $"/api/2.0/mlflow-artifacts/artifacts?path={Uri.EscapeDataString(proxied)}"))["files"]!.AsArray();
        Assert.Equal(["MLmodel", "code", "python_model.pkl"], files.Select(f => Json.Str(f!["path"])).Order(StringComparer.Ordinal));
        Assert.Equal("flavors:\n  python_function: {}\n", await Http.GetStringAsync($"/api/2.0/mlflow-artifacts/artifacts/{proxied}/MLmodel"));
    }

    [Fact]
    public async Task RegisterFromModelsUri_HandsOutTheLoggedModelsFolder()
    {
        var (experimentId, runId) = await StartRunAsync();
        var (modelId, artifactUri) = await LogModelAsync(experimentId, runId);

        // mlflow.register_model(model_info.model_uri, ...) with model_uri = models:/<model id>: no run id sent.
        var version = (await Ok(HttpMethod.Post, "/api/2.0/mlflow/model-versions/create",
            $$"""{"name": "by-id", "source": "models:/{{modelId}}", "model_id": "{{modelId}}"}"""))["model_version"]!;
        Assert.Equal(modelId, Json.Str(version["model_id"]));
        Assert.Equal(artifactUri, Json.Str((await Ok(HttpMethod.Get, "/api/2.0/mlflow/model-versions/get-download-uri?name=by-id&version=1"))["artifact_uri"]));
        var bySearch = await Ok(HttpMethod.Get, $"/api/2.0/mlflow/model-versions/search?filter=name%3D%27by-id%27");
        Assert.Equal(modelId, Json.Str(bySearch["model_versions"]![0]!["model_id"]));
    }

    [Fact]
    public async Task ListArtifactsUnderAModelName_FindsTheRunsLoggedModel_AsMlflow36Does()
    {
        var (experimentId, runId) = await StartRunAsync();
        var (modelId, artifactUri) = await LogModelAsync(experimentId, runId);

        // MlflowClient.list_artifacts(run_id, "model/code"): the run's own listing (empty), then the
        // logged models named "model" of the run's experiment, then that model's folder "code".
        // (Older clients list through the tracking API, newer ones through the proxy: both are empty.)
        var runListing = await Ok(HttpMethod.Get, $"/api/2.0/mlflow/artifacts/list?run_id={runId}&path=model%2Fcode");
        Assert.Empty(runListing["files"]?.AsArray() ?? []);
        var run = (await Ok(HttpMethod.Get, $"/api/2.0/mlflow/runs/get?run_uuid={runId}&run_id={runId}"))["run"]!;
        var runFolder = Json.Str(run["info"]!["artifact_uri"])["mlflow-artifacts:/".Length..];
        Assert.Empty((await Ok(HttpMethod.Get, $"/api/2.0/mlflow-artifacts/artifacts?path={Uri.EscapeDataString(runFolder + "/model/code")}"))["files"]?.AsArray() ?? []);
        var search = await Ok(HttpMethod.Post, "/api/2.0/mlflow/logged-models/search", $$"""{"experiment_ids": ["{{experimentId}}"], "filter": "name = 'model'"}""");
        var model = Assert.Single(search["models"]!.AsArray())!["info"]!;
        Assert.Equal((runId, artifactUri), (Json.Str(model["source_run_id"]), Json.Str(model["artifact_uri"])));
        var proxied = Json.Str(model["artifact_uri"])["mlflow-artifacts:/".Length..];
        var code = (await Ok(HttpMethod.Get, $"/api/2.0/mlflow-artifacts/artifacts?path={Uri.EscapeDataString(proxied + "/code")}"))["files"]!.AsArray();
        Assert.Equal(("helper.py", false), (Json.Str(code.Single()!["path"]), code.Single()!["is_dir"]!.GetValue<bool>()));

        // The same through the logged-model artifact endpoints MLflow's UI uses.
        var directories = await Ok(HttpMethod.Get, $"/api/2.0/mlflow/logged-models/{modelId}/artifacts/directories?artifact_directory_path=code");
        Assert.Equal((artifactUri, "code/helper.py"), (Json.Str(directories["root_uri"]), Json.Str(directories["files"]![0]!["path"])));
        Assert.Equal("print(1)", await Http.GetStringAsync($"/ajax-api/2.0/mlflow/logged-models/{modelId}/artifacts/files?artifact_file_path=code%2Fhelper.py"));
        Assert.Equal(400, (await Send(HttpMethod.Get, $"/api/2.0/mlflow/logged-models/{modelId}/artifacts/files?artifact_file_path=..%2Fsecret")).Status);
    }

    [Fact]
    public async Task LoggedModelEndpoints_FinalizeByNumber_TagsParamsSearchAndDelete_InMlflowShapes()
    {
        var (experimentId, runId) = await StartRunAsync();
        var modelId = Json.Str((await Ok(HttpMethod.Post, "/api/2.0/mlflow/logged-models", $$"""{"experiment_id": "{{experimentId}}", "name": "m"}"""))["model"]!["info"]!["model_id"]);

        var failed = await Ok(HttpMethod.Patch, $"/api/2.0/mlflow/logged-models/{modelId}", $$"""{"model_id": "{{modelId}}", "status": 3}""");
        Assert.Equal("LOGGED_MODEL_UPLOAD_FAILED", Json.Str(failed["model"]!["info"]!["status"]));
        Assert.Equal(400, (await Send(HttpMethod.Patch, $"/api/2.0/mlflow/logged-models/{modelId}", """{"status": "DONE"}""")).Status);

        await Ok(HttpMethod.Post, $"/api/2.0/mlflow/logged-models/{modelId}/params", $$"""{"model_id": "{{modelId}}", "params": [{"key": "depth", "value": "6"}]}""");
        await Ok(HttpMethod.Patch, $"/api/2.0/mlflow/logged-models/{modelId}/tags", """{"tags": [{"key": "team", "value": "delay"}]}""");
        await Ok(HttpMethod.Delete, $"/api/2.0/mlflow/logged-models/{modelId}/tags/team");
        var (tagStatus, tagError) = await Send(HttpMethod.Delete, $"/api/2.0/mlflow/logged-models/{modelId}/tags/team");
        Assert.Equal((404, "RESOURCE_DOES_NOT_EXIST"), (tagStatus, Json.Str(tagError!["error_code"])));

        await Ok(HttpMethod.Post, "/api/2.0/mlflow/runs/log-batch", $$"""
            {"run_id": "{{runId}}", "metrics": [{"key": "acc", "value": 0.9, "timestamp": 5, "step": 0, "model_id": "{{modelId}}", "dataset_name": "eval", "dataset_digest": "d1"}]}
            """);
        // mlflow.log_metric("loss", 0.1, model_id=..., dataset=...) goes through log-metric.
        await Ok(HttpMethod.Post, "/api/2.0/mlflow/runs/log-metric", $$"""
            {"run_id": "{{runId}}", "key": "loss", "value": 0.1, "timestamp": "6", "step": "1", "model_id": "{{modelId}}", "dataset_name": "eval", "dataset_digest": "d1"}
            """);
        var loss = (await Ok(HttpMethod.Get, $"/api/2.0/mlflow/logged-models/{modelId}"))["model"]!["data"]!["metrics"]!.AsArray().Single(m => Json.Str(m!["key"]) == "loss")!;
        Assert.Equal((0.1, 1L, "eval", modelId), (loss["value"]!.GetValue<double>(), loss["step"]!.GetValue<long>(), Json.Str(loss["dataset_name"]), Json.Str(loss["model_id"])));

        var hit = await Ok(HttpMethod.Post, "/api/2.0/mlflow/logged-models/search", $$"""
            {"experiment_ids": ["{{experimentId}}"], "filter": "metrics.acc > 0.5 AND params.depth = '6'", "datasets": [{"dataset_name": "eval", "dataset_digest": "d1"}],
             "order_by": [{"field_name": "metrics.acc", "ascending": false, "dataset_name": "eval"}], "max_results": 10}
            """);
        var metric = hit["models"]![0]!["data"]!["metrics"]!.AsArray().Single(m => Json.Str(m!["key"]) == "acc")!;
        Assert.Equal(("eval", "d1"), (Json.Str(metric["dataset_name"]), Json.Str(metric["dataset_digest"])));
        var miss = await Ok(HttpMethod.Post, "/api/2.0/mlflow/logged-models/search", $$"""
            {"experiment_ids": ["{{experimentId}}"], "filter": "metrics.acc > 0.5", "datasets": [{"dataset_name": "train"}]}
            """);
        Assert.Empty(miss["models"]?.AsArray() ?? []);
        Assert.Equal(400, (await Send(HttpMethod.Post, "/api/2.0/mlflow/logged-models/search", """{"experiment_ids": []}""")).Status);

        await Ok(HttpMethod.Delete, $"/api/2.0/mlflow/logged-models/{modelId}");
        var (status, error) = await Send(HttpMethod.Get, $"/api/2.0/mlflow/logged-models/{modelId}");
        Assert.Equal((404, "RESOURCE_DOES_NOT_EXIST"), (status, Json.Str(error!["error_code"])));
        Assert.Equal(404, (await Send(HttpMethod.Post, "/api/2.0/mlflow/runs/outputs", $$"""{"run_id": "{{runId}}", "models": [{"model_id": "{{modelId}}", "step": 0}]}""")).Status);
    }
}
