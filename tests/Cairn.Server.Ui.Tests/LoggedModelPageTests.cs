using System.Net;
using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Server.Ui.Tests;

/// <summary>MLflow 3's logged models in the UI: a run lists the models it produced, a model page shows its metrics per dataset.</summary>
public sealed class LoggedModelPageTests : IAsyncLifetime
{
    private RunningServer _server = null!;
    private string _runId = "";
    private LoggedModel _model = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync();
        var experiment = await _server.Store.CreateExperimentAsync("logged-models-ui");
        _runId = (await _server.Store.CreateRunAsync(new NewRun(experiment, "ci", 1_760_000_000_000L, "train-forest"))).Info.RunId;
        _model = await _server.Stores.LoggedModels.CreateLoggedModelAsync(new NewLoggedModel(experiment, "forest", "sklearn", _runId,
            [new LoggedModelParameter("n_estimators", "200")], [new LoggedModelTag("team", "delays")]));
        var id = _model.Info.ModelId;
        await _server.Store.LogBatchAsync(_runId, new LogBatch(
        [
            new Metric("rmse", 0.91, 1_760_000_001_000L, 0) { ModelId = id, DatasetName = "eval-2025", DatasetDigest = "d1" },
            new Metric("rmse", 0.42, 1_760_000_002_000L, 1) { ModelId = id, DatasetName = "eval-2025", DatasetDigest = "d1" },
            new Metric("rmse", 0.57, 1_760_000_002_000L, 1) { ModelId = id, DatasetName = "eval-2026", DatasetDigest = "d2" },
        ], [], []));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task RunPage_ListsTheModelsItProduced_WithALinkToEach()
    {
        var html = await _server.Http.GetStringAsync($"/runs/{_runId}");

        Assert.Contains("Outputs: logged models", html);
        Assert.Contains($"href=\"/logged-models/{_model.Info.ModelId}\"", html);
        Assert.Contains(">forest<", html);
    }

    [Fact]
    public async Task ModelPage_ShowsTheLatestValueOfEachMetricOnEachDataset()
    {
        var html = await _server.Http.GetStringAsync($"/logged-models/{_model.Info.ModelId}");

        Assert.Contains(_model.ModelUri, html);
        Assert.Contains("eval-2025 (d1)", html);
        Assert.Contains("eval-2026 (d2)", html);
        Assert.Contains("0.42", html);
        Assert.Contains("0.57", html);
        Assert.DoesNotContain("0.91", html); // an older value on the same dataset
        Assert.Contains("n_estimators", html);
        Assert.Contains($"href=\"/runs/{_runId}\"", html);
    }

    [Theory]
    [InlineData("m-00000000000000000000000000000000")]
    [InlineData("%3Cscript%3Ealert(1)%3C%2Fscript%3E")]
    public async Task AnUnknownModel_IsA404WithAMessage_NeverAStackTrace(string id)
    {
        using var response = await _server.Http.GetAsync($"/logged-models/{id}");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("class=\"error", html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("   at ", html);
    }
}
