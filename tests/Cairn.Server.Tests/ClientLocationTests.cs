using Cairn.Storage.Sql;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>
/// Locations a client gives (an experiment's artifact_location, a model version's source) are
/// refused unless this server serves them itself, and a stored one it does not serve is never
/// handed out or read.
/// </summary>
public class ClientLocationTests : IAsyncLifetime
{
    private RunningServer _server = null!;
    private HttpClient Http => _server.Http;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();
    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static void AssertInvalid((int Status, System.Text.Json.Nodes.JsonNode? Body) response, string field)
    {
        Assert.Equal(400, response.Status);
        Assert.Equal("INVALID_PARAMETER_VALUE", Json.Str(response.Body!["error_code"]));
        Assert.Contains(field, Json.Str(response.Body["message"]));
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("/etc")]
    [InlineData("s3://another-bucket/stolen")]
    public async Task CreateExperiment_ArtifactLocationOutsideTheServersArtifacts_Is400(string location)
    {
        AssertInvalid(await Json.PostAsync(Http, "/api/2.0/mlflow/experiments/create", $$"""{"name": "hostile", "artifact_location": "{{location}}"}"""), "artifact_location");
        Assert.Equal(404, (await Json.GetAsync(Http, "/api/2.0/mlflow/experiments/get-by-name?experiment_name=hostile")).Status);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("https://attacker.example/model.zip")]
    public async Task CreateModelVersion_SourceOutsideTheServersArtifacts_Is400(string source)
    {
        AssertInvalid(await Json.PostAsync(Http, "/api/2.0/mlflow/model-versions/create", $$"""{"name": "hostile", "source": "{{source}}"}"""), "source");
    }

    [Fact]
    public async Task CreateModelVersion_SourcesMlflowClientsSend_AreAccepted()
    {
        var runId = Json.Str((await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/runs/create", """{"experiment_id": "0"}""")))["run"]!["info"]!["run_id"]);
        foreach (var source in new[] { $"runs:/{runId}/model", $"mlflow-artifacts:/0/{runId}/artifacts/model", "models:/other/1" })
            await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/model-versions/create", $$"""{"name": "friendly", "source": "{{source}}", "run_id": "{{runId}}"}"""));
        var download = await Json.OkAsync(Json.GetAsync(Http, "/api/2.0/mlflow/model-versions/get-download-uri?name=friendly&version=1"));
        Assert.Equal($"mlflow-artifacts:/0/{runId}/artifacts/model", Json.Str(download["artifact_uri"]));
    }

    [Fact]
    public async Task StoredSourceFromBeforeTheCheck_IsNeverHandedOutNorRead()
    {
        await Json.OkAsync(Json.PostAsync(Http, "/api/2.0/mlflow/model-versions/create", """{"name": "legacy", "source": "mlflow-artifacts:/0/x/artifacts/model"}"""));
        using (var c = _server.Stores.Database.Open())
            SqlCommands.Exec(c, null, "UPDATE model_versions SET source = 'file:///etc/passwd' WHERE name = 'legacy'");

        AssertInvalid(await Json.GetAsync(Http, "/api/2.0/mlflow/model-versions/get-download-uri?name=legacy&version=1"), "source");
        using var page = await Http.GetAsync("/models/legacy/versions/1");
        Assert.DoesNotContain("root:x:0:0", await page.Content.ReadAsStringAsync());
    }
}
