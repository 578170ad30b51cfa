using System.Net.Http.Json;
using System.Text;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>MLflow's model registry API as its clients call it: methods, paths, JSON shapes and errors.</summary>
public class MlflowRegistryWireTests : IAsyncLifetime
{
    private RunningServer _server = null!;
    private HttpClient Http => _server.Http;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(int, System.Text.Json.Nodes.JsonNode?)> Send(HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : System.Text.Json.Nodes.JsonNode.Parse(text));
    }

    [Fact]
    public async Task RegistryLifecycle_InMlflowShapes()
    {
        var runId = Json.Str((await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/create", """{"experiment_id": "0"}""")))["run"]!["info"]!["run_id"]);

        var model = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/registered-models/create", """{"name": "delay", "description": "d", "tags": [{"key": "team", "value": "ml"}]}"""));
        Assert.Equal("delay", Json.Str(model["registered_model"]!["name"]));

        var created = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/model-versions/create",
            $$"""{"name": "delay", "source": "runs:/{{runId}}/model", "run_id": "{{runId}}"}"""));
        var version = created["model_version"]!;
        Assert.Equal("1", Json.Str(version["version"]));
        Assert.Equal("READY", Json.Str(version["status"]));
        Assert.Equal("None", Json.Str(version["current_stage"]));
        Assert.Equal(runId, Json.Str(version["run_id"]));

        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/registered-models/alias", """{"name": "delay", "alias": "champion", "version": "1"}"""));
        var byAlias = await Json.OkAsync(Json.GetAsync(Http, "/api/2.0/mlflow/registered-models/alias?name=delay&alias=champion"));
        Assert.Equal("champion", Json.Str(byAlias["model_version"]!["aliases"]![0]));

        var uri = await Json.OkAsync(Json.GetAsync(Http, "/api/2.0/mlflow/model-versions/get-download-uri?name=delay&version=1"));
        Assert.Equal($"mlflow-artifacts:/0/{runId}/artifacts/model", Json.Str(uri["artifact_uri"]));

        var (status, updated) = await Send(HttpMethod.Patch, "/api/2.0/mlflow/model-versions/update", """{"name": "delay", "version": "1", "description": "v1"}""");
        Assert.Equal(200, status);
        Assert.Equal("v1", Json.Str(updated!["model_version"]!["description"]));

        var latest = await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/registered-models/get-latest-versions", """{"name": "delay"}"""));
        Assert.Equal("1", Json.Str(latest["model_versions"]![0]!["version"]));

        var search = await Json.OkAsync(Json.GetAsync(Http, "/api/2.0/mlflow/registered-models/search?filter=name%20LIKE%20%27del%25%27"));
        var found = search["registered_models"]![0]!;
        Assert.Equal("champion", Json.Str(found["aliases"]![0]!["alias"]));
        Assert.Equal("1", Json.Str(found["aliases"]![0]!["version"]));

        var versions = await Json.OkAsync(Json.GetAsync(Http, $"/api/2.0/mlflow/model-versions/search?filter=run_id%3D%27{runId}%27"));
        Assert.Single(versions["model_versions"]!.AsArray());

        Assert.Equal(200, (await Send(HttpMethod.Delete, "/api/2.0/mlflow/registered-models/alias", """{"name": "delay", "alias": "champion"}""")).Item1);
        Assert.Equal(404, (await Json.GetAsync(Http, "/api/2.0/mlflow/registered-models/alias?name=delay&alias=champion")).Status);
        Assert.Equal(200, (await Send(HttpMethod.Delete, "/api/2.0/mlflow/model-versions/delete", """{"name": "delay", "version": "1"}""")).Item1);
        Assert.Equal(200, (await Send(HttpMethod.Delete, "/api/2.0/mlflow/registered-models/delete", """{"name": "delay"}""")).Item1);
    }

    [Fact]
    public async Task RegistryErrors_UseMlflowCodesAndStatuses()
    {
        var missing = await Json.GetAsync(Http, "/api/2.0/mlflow/registered-models/get?name=nope");
        Assert.Equal(404, missing.Status);
        Assert.Equal("RESOURCE_DOES_NOT_EXIST", Json.Str(missing.Body!["error_code"]));

        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/registered-models/create", """{"name": "dup"}"""));
        var again = await Json.PostAsync(Http, "/api/2.0/mlflow/registered-models/create", """{"name": "dup"}""");
        Assert.Equal(400, again.Status);
        Assert.Equal("RESOURCE_ALREADY_EXISTS", Json.Str(again.Body!["error_code"]));

        var noSource = await Json.PostAsync(Http, "/api/2.0/mlflow/model-versions/create", """{"name": "dup"}""");
        Assert.Equal(400, noSource.Status);
        Assert.Contains("'source'", Json.Str(noSource.Body!["message"]));

        var badAlias = await Json.PostAsync(Http, "/api/2.0/mlflow/registered-models/alias", """{"name": "dup", "alias": "v1", "version": "1"}""");
        Assert.Equal(400, badAlias.Status);
    }

    [Fact]
    public async Task FiftyConcurrentVersionCreates_OverHttp_AreOneToFifty()
    {
        var versions = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var http = new HttpClient { BaseAddress = _server.BaseUri };
            var body = await Json.OkAsync(Json.PostAsync(http, "/api/2.0/mlflow/model-versions/create", """{"name": "concurrent", "source": "mlflow-artifacts:/0/x/artifacts/model"}"""));
            return int.Parse(Json.Str(body["model_version"]!["version"]));
        }));
        Assert.Equal(Enumerable.Range(1, 50), versions.Order());
    }
}
