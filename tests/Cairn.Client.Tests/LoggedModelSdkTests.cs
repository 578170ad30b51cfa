using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Client.Tests;

/// <summary>MLflow 3's logged models through the SDK, on the embedded store and against a server, with the same code.</summary>
public class LoggedModelSdkTests
{
    /// <summary>The user's code, written once: a run that logs a model, links a metric to it and lists what it produced.</summary>
    private static async Task<(string RunId, string ModelId, IReadOnlyList<LoggedModel> Produced)> LogModelAsync(CairnClient cairn)
    {
        string runId, experimentId;
        using (var run = cairn.StartRun(experiment: "delay"))
        {
            runId = run.RunId;
            experimentId = (await cairn.Tracking.GetRunAsync(runId)).Info.ExperimentId;
        }
        var model = await cairn.LoggedModels.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "model", SourceRunId: runId));
        var other = await cairn.LoggedModels.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "elsewhere"));
        await cairn.LoggedModels.LogOutputsAsync(runId, [new LoggedModelOutput(other.Info.ModelId, 1)]);
        await cairn.Tracking.LogBatchAsync(runId, new LogBatch(Metrics: [new Metric("auc", 0.91, 1000, 0) { ModelId = model.Info.ModelId, DatasetName = "eval" }]));
        await cairn.LoggedModels.FinalizeLoggedModelAsync(model.Info.ModelId, LoggedModelStatus.LoggedModelReady);
        await cairn.LoggedModels.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "unrelated"));
        return (runId, model.Info.ModelId, await cairn.ListRunModelsAsync(runId));
    }

    private static void AssertProduced(string modelId, IReadOnlyList<LoggedModel> produced)
    {
        Assert.Equal(["elsewhere", "model"], produced.Select(m => m.Info.Name).Order());
        var model = produced.Single(m => m.Info.Name == "model");
        Assert.Equal((modelId, LoggedModelStatus.LoggedModelReady), (model.Info.ModelId, model.Info.Status));
        var auc = Assert.Single(model.Data.Metrics);
        Assert.Equal(("auc", 0.91, "eval"), (auc.Key, auc.Value, auc.DatasetName));
    }

    [Fact]
    public async Task ListRunModels_OnEmbeddedStore_FindsTheRunsSourceAndOutputModels()
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.Path);

        var (_, modelId, produced) = await LogModelAsync(cairn);

        AssertProduced(modelId, produced);
    }

    [Fact]
    public async Task ListRunModels_AgainstAServer_FindsTheSame()
    {
        await using var server = await RunningServer.StartAsync();
        using var cairn = CairnClient.Open(server.BaseUri.ToString());

        var (_, modelId, produced) = await LogModelAsync(cairn);

        AssertProduced(modelId, produced);
        Assert.Equal(LoggedModelStatus.LoggedModelReady, (await server.Stores.LoggedModels.GetLoggedModelAsync(modelId)).Info.Status); // it really is on the server
    }
}
