using System.Text.Json.Nodes;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>MLflow's REST API 2.0 as its own clients speak it: paths, JSON shapes, int64 and NaN encodings.</summary>
public class MlflowWireTests : IAsyncLifetime
{
    private RunningServer _server = null!;
    private HttpClient Http => _server.Http;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(string ExperimentId, string RunId, JsonNode Run)> CreateRunAsync()
    {
        var created = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/experiments/create", $$"""{"name": "wire-{{Guid.NewGuid():N}}"}"""));
        var experimentId = Json.Str(created["experiment_id"]);
        // MLflow's Python client sends int64 fields as JSON strings (protobuf's JSON mapping).
        var run = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/create",
            $$"""{"experiment_id": "{{experimentId}}", "start_time": "1700000000000", "tags": [{"key": "mlflow.user", "value": "ada"}], "run_name": "wire"}"""));
        return (experimentId, Json.Str(run["run"]!["info"]!["run_id"]), run["run"]!);
    }

    [Fact]
    public async Task RunsCreate_ReturnsMlflowRunShapeWithProxyArtifactUri()
    {
        var (experimentId, runId, run) = await CreateRunAsync();

        var info = run["info"]!;
        Assert.Equal(runId, Json.Str(info["run_uuid"]));
        Assert.Equal(experimentId, Json.Str(info["experiment_id"]));
        Assert.Equal("RUNNING", Json.Str(info["status"]));
        Assert.Equal("active", Json.Str(info["lifecycle_stage"]));
        Assert.Equal("wire", Json.Str(info["run_name"]));
        Assert.Equal(1700000000000, info["start_time"]!.GetValue<long>());
        Assert.Equal($"mlflow-artifacts:/{experimentId}/{runId}/artifacts", Json.Str(info["artifact_uri"]));
        Assert.Contains(run["data"]!["tags"]!.AsArray(), t => Json.Str(t!["key"]) == "mlflow.runName" && Json.Str(t["value"]) == "wire");
    }

    [Fact]
    public async Task LogMetricAndBatch_ThenGetAndHistory_RoundTripValuesStepsAndNaN()
    {
        var (_, runId, _) = await CreateRunAsync();

        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-metric",
            $$"""{"run_id": "{{runId}}", "key": "loss", "value": "NaN", "timestamp": "1700000000001", "step": "0"}"""));
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-batch", $$"""
            {"run_id": "{{runId}}",
             "metrics": [{"key": "loss", "value": 0.5, "timestamp": 1700000000002, "step": 1},
                         {"key": "loss", "value": "Infinity", "timestamp": 1700000000003, "step": 2}],
             "params": [{"key": "lr", "value": "0.1"}],
             "tags": [{"key": "team", "value": "ml"}]}
            """));
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-parameter", $$"""{"run_id": "{{runId}}", "key": "depth", "value": "6"}"""));
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/set-tag", $$"""{"run_id": "{{runId}}", "key": "stage", "value": "dev"}"""));

        var run = (await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/runs/get?run_id={runId}")))["run"]!;
        var history = await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=loss"));

        var latest = Assert.Single(run["data"]!["metrics"]!.AsArray())!;
        Assert.Equal("Infinity", Json.Str(latest["value"]));
        Assert.Equal(2, latest["step"]!.GetValue<long>());
        Assert.Equal(2, run["data"]!["params"]!.AsArray().Count);
        var steps = history["metrics"]!.AsArray().Select(m => m!["step"]!.GetValue<long>()).ToArray();
        Assert.Equal([0L, 1L, 2L], steps);
        Assert.Equal("NaN", Json.Str(history["metrics"]![0]!["value"]));
    }

    [Fact]
    public async Task LogInputs_InMlflowShape_ComeBackUnderRunInputs()
    {
        var (_, runId, _) = await CreateRunAsync();
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-inputs", $$$"""
            {"run_id": "{{{runId}}}", "datasets": [{"tags": [{"key": "mlflow.data.context", "value": "training"}],
              "dataset": {"name": "flights", "digest": "abc123", "source_type": "local", "source": "data/flights.parquet", "schema": "{}"}}]}
            """));

        var run = (await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/runs/get?run_id={runId}")))["run"]!;
        var input = run["inputs"]!["dataset_inputs"]![0]!;

        Assert.Equal("flights", Json.Str(input["dataset"]!["name"]));
        Assert.Equal("abc123", Json.Str(input["dataset"]!["digest"]));
        Assert.Equal("local", Json.Str(input["dataset"]!["source_type"]));
        Assert.Equal("training", Json.Str(input["tags"]![0]!["value"]));
    }

    [Fact]
    public async Task RunsSearch_WithFilterOrderAndPaging_ReturnsMlflowShape()
    {
        var (experimentId, _, _) = await CreateRunAsync();
        for (var i = 0; i < 3; i++)
        {
            var id = Json.Str((await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/create", $$"""{"experiment_id": "{{experimentId}}"}""")))["run"]!["info"]!["run_id"]);
            await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/log-metric", $$"""{"run_id": "{{id}}", "key": "auc", "value": {{0.7 + i / 10.0}}, "timestamp": 1, "step": 0}"""));
        }

        var page = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/search",
            $$"""{"experiment_ids": ["{{experimentId}}"], "filter": "metrics.auc > 0.75", "order_by": ["metrics.auc DESC"], "max_results": 1}"""));
        var next = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/search",
            $$"""{"experiment_ids": ["{{experimentId}}"], "filter": "metrics.auc > 0.75", "order_by": ["metrics.auc DESC"], "max_results": 1, "page_token": "{{Json.Str(page["next_page_token"])}}"}"""));

        Assert.Equal(0.9, page["runs"]![0]!["data"]!["metrics"]![0]!["value"]!.GetValue<double>(), 6);
        Assert.Equal(0.8, next["runs"]![0]!["data"]!["metrics"]![0]!["value"]!.GetValue<double>(), 6);
        Assert.Null(next["next_page_token"]);
    }

    [Fact]
    public async Task ExperimentsEndpoints_GetByNameSearchUpdateDeleteRestore()
    {
        var name = $"exp-{Guid.NewGuid():N}";
        var id = Json.Str((await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/experiments/create", $$"""{"name": "{{name}}", "tags": [{"key": "k", "value": "v"}]}""")))["experiment_id"]);

        var byName = await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/experiments/get-by-name?experiment_name={name}"));
        Assert.Equal(id, Json.Str(byName["experiment"]!["experiment_id"]));
        Assert.Equal($"mlflow-artifacts:/{id}", Json.Str(byName["experiment"]!["artifact_location"]));

        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/experiments/update", $$"""{"experiment_id": "{{id}}", "new_name": "{{name}}-2"}"""));
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/experiments/delete", $$"""{"experiment_id": "{{id}}"}"""));
        var deleted = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/experiments/search", """{"view_type": "DELETED_ONLY", "max_results": 10}"""));
        Assert.Contains(deleted["experiments"]!.AsArray(), e => Json.Str(e!["name"]) == $"{name}-2");
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/experiments/restore", $$"""{"experiment_id": "{{id}}"}"""));
        var get = await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/experiments/get?experiment_id={id}"));
        Assert.Equal("active", Json.Str(get["experiment"]!["lifecycle_stage"]));
        var viaGet = await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/experiments/search?filter=name%20%3D%20%27{name}-2%27"));
        Assert.Single(viaGet["experiments"]!.AsArray());
    }

    [Fact]
    public async Task RunsUpdateDeleteRestoreAndDeleteTag()
    {
        var (_, runId, _) = await CreateRunAsync();

        var updated = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/update", $$"""{"run_id": "{{runId}}", "status": "FINISHED", "end_time": "1700000009999"}"""));
        Assert.Equal("FINISHED", Json.Str(updated["run_info"]!["status"]));
        Assert.Equal(1700000009999, updated["run_info"]!["end_time"]!.GetValue<long>());

        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/set-tag", $$"""{"run_id": "{{runId}}", "key": "t", "value": "1"}"""));
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/delete-tag", $$"""{"run_id": "{{runId}}", "key": "t"}"""));
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/delete", $$"""{"run_id": "{{runId}}"}"""));
        Assert.Equal("deleted", Json.Str((await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/runs/get?run_id={runId}")))["run"]!["info"]!["lifecycle_stage"]));
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/restore", $$"""{"run_id": "{{runId}}"}"""));
    }

    [Fact]
    public async Task ArtifactProxy_PutGetAndBothListings()
    {
        var (experimentId, runId, _) = await CreateRunAsync();
        var root = $"{experimentId}/{runId}/artifacts";

        using (var put = await Http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{root}/model/MLmodel", new StringContent("flavors: {}")))
            Assert.Equal(200, (int)put.StatusCode);
        using (var put = await Http.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/{root}/importance.csv", new StringContent("feature,gain\n")))
            Assert.Equal(200, (int)put.StatusCode);

        Assert.Equal("flavors: {}", await Http.GetStringAsync($"/api/2.0/mlflow-artifacts/artifacts/{root}/model/MLmodel"));
        var proxyList = await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow-artifacts/artifacts?path={root}"));
        Assert.Equal(["importance.csv", "model"], proxyList["files"]!.AsArray().Select(f => Json.Str(f!["path"])));
        var runList = await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/artifacts/list?run_id={runId}&path=model"));
        Assert.Equal("model/MLmodel", Json.Str(runList["files"]![0]!["path"]));
        Assert.Equal(11, runList["files"]![0]!["file_size"]!.GetValue<long>());
        Assert.Equal($"mlflow-artifacts:/{root}", Json.Str(runList["root_uri"]));
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheTrackingEndpoints()
    {
        var document = await Json.OkAsync(Json.GetAsync(Http, "/openapi/v1.json"));
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/2.0/mlflow/runs/log-batch", paths);
        Assert.Contains("/api/2.0/mlflow/experiments/search", paths);
        Assert.Contains("/api/2.0/mlflow/metrics/get-history", paths);
    }
}
