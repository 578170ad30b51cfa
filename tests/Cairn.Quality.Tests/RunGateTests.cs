using Cairn.Models;
using Cairn.Quality.Gates;
using Cairn.Testing;

namespace Cairn.Quality.Tests;

/// <summary>Gates over a run's metrics against registered model versions, on a real embedded store.</summary>
public sealed class RunGateTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Store => _folder.File("store");

    /// <summary>A finished run with the given metrics and a (minimal) model package, registered as the next version of 'delay'.</summary>
    private static async Task<(string RunId, string Version)> Register(CairnClient client, double auc, double latency)
    {
        string runId;
        using (var run = client.StartRun("delay"))
        {
            run.LogMetric("auc", auc);
            run.LogMetric("latency_ms", latency);
            run.LogParam("trees", 40);
            run.LogText("artifact_path: model\nflavors:\n  onnx:\n    data: model.onnx\n", "model/MLmodel");
            runId = run.RunId;
        }
        var version = await new ModelRegistry(client).RegisterAsync($"runs:/{runId}/model", "delay");
        return (runId, version.Version);
    }

    private static string NewRun(CairnClient client, double auc)
    {
        using var run = client.StartRun("delay");
        run.LogMetric("auc", auc);
        run.LogMetric("latency_ms", 5);
        return run.RunId;
    }

    [Fact]
    public async Task Gate_AgainstTheChampion_PassesWithinTheMarginAndFailsBelowIt()
    {
        using var client = CairnClient.Open(Store);
        var (_, version) = await Register(client, auc: 0.80, latency: 9);
        await new ModelRegistry(client).SetAliasAsync("delay", "champion", version);

        var close = await RunGate.EvaluateAsync(client, NewRun(client, 0.797), "metrics.auc >= models:/delay@champion.metrics.auc - 0.005");
        Assert.True(close.Passed, close.Summary);
        Assert.Contains("0.797 >= 0.795, passes", close.Summary);

        var worse = await RunGate.EvaluateAsync(client, NewRun(client, 0.79), "metrics.auc >= models:/delay@champion.metrics.auc - 0.005 and metrics.latency_ms <= models:/delay/1.metrics.latency_ms");
        Assert.False(worse.Passed);
        Assert.Contains("0.79 >= 0.795, fails", worse.Details[0]);
        Assert.Contains("5 <= 9, passes", worse.Details[1]);
    }

    [Fact]
    public async Task Gate_NoHolderOrNoModelYet_ComparisonsReadingItPass()
    {
        using var client = CairnClient.Open(Store);
        var first = NewRun(client, 0.7);
        var noModel = await RunGate.EvaluateAsync(client, first, "metrics.auc >= models:/delay@champion.metrics.auc");
        Assert.True(noModel.Passed);
        Assert.Contains("no current holder of models:/delay@champion, passes", noModel.Summary);

        await Register(client, 0.9, 1); // registered, but nobody holds champion
        var noHolder = await RunGate.EvaluateAsync(client, first, "metrics.auc >= models:/delay@champion.metrics.auc and metrics.auc > 0.8");
        Assert.False(noHolder.Passed); // the comparison not reading the alias still counts
        Assert.Contains("passes", noHolder.Details[0]);
        Assert.Contains("0.7 > 0.8, fails", noHolder.Details[1]);
    }

    [Fact]
    public async Task Gate_BadInput_IsRefusedWithAReason()
    {
        using var client = CairnClient.Open(Store);
        await Register(client, 0.8, 1);
        var run = NewRun(client, 0.8);

        var typo = await Assert.ThrowsAsync<CairnException>(() => RunGate.EvaluateAsync(client, run, "metrics.acu > 0.5"));
        Assert.Contains("no metric 'acu' was logged", typo.Message);
        Assert.Contains("auc, latency_ms", typo.Message);

        var champion = await Assert.ThrowsAsync<CairnException>(() => RunGate.EvaluateAsync(client, run, "metrics.auc >= champion.metrics.auc"));
        Assert.Contains("models:/<name>@champion.metrics.auc", champion.Message);

        var missingVersion = await Assert.ThrowsAsync<CairnException>(() => RunGate.EvaluateAsync(client, run, "metrics.auc >= models:/delay/7.metrics.auc"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, missingVersion.ErrorCode);

        var missingRun = await Assert.ThrowsAsync<CairnException>(() => RunGate.EvaluateAsync(client, new string('a', 32), "metrics.auc > 0"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, missingRun.ErrorCode);

        await Assert.ThrowsAsync<CairnException>(() => RunGate.EvaluateAsync(client, run, "metrics.auc >>= 1"));
    }

    [Fact]
    public async Task PromotionGate_WithAModelReference_IsRefusedByPromote()
    {
        using var client = CairnClient.Open(Store);
        var (_, version) = await Register(client, 0.8, 1);
        var error = await Assert.ThrowsAsync<CairnException>(() => new ModelRegistry(client).PromoteAsync("delay", version, "champion", "metrics.auc >= models:/other@champion.metrics.auc"));
        Assert.Contains("cairn gate", error.Message);
    }
}
