using Cairn.Registry;
using Cairn.Testing;

namespace Cairn.Models.Tests;

/// <summary>Promotion gates, approvals, the audit trail, lineage and model cards, embedded and over HTTP.</summary>
public class RegistryCapabilityTests
{
    private static (string RunId, string Uri) LogModel(CairnClient cairn, double auc)
    {
        var flights = FlightsModel.Instance;
        using var run = cairn.StartRun("delay");
        run.LogParam("trees", 40);
        run.LogMetric("auc", auc);
        run.LogInput("flights-sample", "every-other-row", "examples/Quickstart/data/flights-sample.csv");
        var logged = run.LogModel("model", flights.Ml, flights.Model, flights.InputSchema, flights.Rows.Take(2).ToList(), labelColumn: "Late");
        return (run.RunId, logged.ModelUri);
    }

    private static async Task GateScenario(CairnClient cairn)
    {
        var registry = new ModelRegistry(cairn);
        var champion = await registry.RegisterAsync(LogModel(cairn, 0.80).Uri, "delay", "Predicts late arrivals.");
        var first = await registry.PromoteAsync("delay", champion.Version, "champion", "metrics.auc >= champion.metrics.auc - 0.005", actor: "ada");
        Assert.Equal(PromotionOutcome.Promoted, first.Outcome); // no holder yet

        var worse = await registry.RegisterAsync(LogModel(cairn, 0.70).Uri, "delay");
        var attempt = await registry.PromoteAsync("delay", worse.Version, "champion", "metrics.auc >= champion.metrics.auc - 0.005", actor: "bob", comment: "try v2");

        Assert.Equal(PromotionOutcome.PendingApproval, attempt.Outcome);
        Assert.False(attempt.Gate!.Passed);
        Assert.Equal(champion.Version, (await cairn.Registry.GetModelVersionByAliasAsync("delay", "champion")).Version); // not promoted
        var trail = await cairn.Registry.ListTransitionsAsync("delay", worse.Version);
        Assert.Contains(trail, t => t.Action == TransitionAction.Requested && t.Actor == "bob" && t.Comment == "try v2");
        Assert.Contains(trail, t => t.Action == TransitionAction.GateFailed && t.GateDetails!.Contains("0.7 >= 0.795, fails"));

        await registry.RejectAsync("delay", worse.Version, "champion", "AUC too low", actor: "carol");
        await Assert.ThrowsAsync<CairnException>(() => registry.ApproveAsync("delay", worse.Version, "champion", "changed my mind", actor: "carol"));

        var again = await registry.PromoteAsync("delay", worse.Version, "champion", "metrics.auc >= champion.metrics.auc", actor: "bob");
        Assert.Equal(PromotionOutcome.PendingApproval, again.Outcome);
        await registry.ApproveAsync("delay", worse.Version, "champion", "needed for the latency fix", actor: "carol");
        Assert.Equal(worse.Version, (await cairn.Registry.GetModelVersionByAliasAsync("delay", "champion")).Version);
        var actions = (await cairn.Registry.ListTransitionsAsync("delay", worse.Version)).Select(t => t.Action).ToList();
        Assert.Equal([TransitionAction.Registered, TransitionAction.Requested, TransitionAction.GateFailed, TransitionAction.Rejected,
            TransitionAction.Requested, TransitionAction.GateFailed, TransitionAction.Approved, TransitionAction.AliasMoved], actions);

        // A request whose gate failed against one holder cannot be approved once the alias has moved on.
        var weakest = await registry.RegisterAsync(LogModel(cairn, 0.60).Uri, "delay");
        Assert.Equal(PromotionOutcome.PendingApproval,
            (await registry.PromoteAsync("delay", weakest.Version, "champion", "metrics.auc >= champion.metrics.auc", actor: "bob")).Outcome);
        await registry.SetAliasAsync("delay", "champion", champion.Version, actor: "ada");
        var stale = await Assert.ThrowsAsync<CairnException>(() => registry.ApproveAsync("delay", weakest.Version, "champion", "ok", actor: "carol"));
        Assert.Contains($"moved to version {champion.Version} since version {weakest.Version} was requested", stale.Message);
        Assert.Equal(champion.Version, (await cairn.Registry.GetModelVersionByAliasAsync("delay", "champion")).Version);
        await registry.PromoteAsync("delay", weakest.Version, "champion", "metrics.auc >= champion.metrics.auc", actor: "bob");
        await registry.ApproveAsync("delay", weakest.Version, "champion", "asked again", actor: "carol");
        Assert.Equal(weakest.Version, (await cairn.Registry.GetModelVersionByAliasAsync("delay", "champion")).Version);
    }

    [Fact]
    public async Task Gate_WorseChallengerIsNotPromoted_AuditShowsTheAttempt_ApprovalOverrides()
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.Path);
        await GateScenario(cairn);
    }

    [Fact]
    public async Task Gate_SameScenario_AgainstAServer()
    {
        await using var server = await RunningServer.StartAsync();
        using var cairn = CairnClient.Open(server.BaseUri.ToString());
        await GateScenario(cairn);
        Assert.NotEmpty(await server.Registry.ListTransitionsAsync("delay")); // the trail is on the server
        Assert.Equal(Environment.UserName, (await server.Registry.GetModelVersionAsync("delay", "1")).UserId); // who registered it
    }

    [Fact]
    public async Task LineageAndCard_NameTheRunParamsMetricsCommitAndAliases()
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.Path);
        var registry = new ModelRegistry(cairn);
        var (runId, uri) = LogModel(cairn, 0.81);
        var version = await registry.RegisterAsync(uri, "delay", "Flags flights likely to arrive late.", actor: "ada");
        await registry.SetAliasAsync("delay", "champion", version.Version, actor: "ada");

        var lineage = await registry.LineageAsync("models:/delay@champion");
        var card = await registry.WriteCardAsync("delay", version.Version);

        Assert.Equal(runId, lineage.Run!.Info.RunId);
        Assert.Equal("delay", lineage.ExperimentName);
        Assert.Equal("ada", lineage.Version.UserId);
        Assert.Contains("champion", lineage.Version.Aliases);
        Assert.Contains(lineage.History, t => t.Action == TransitionAction.AliasMoved);
        Assert.Contains("# delay, version 1", card);
        Assert.Contains("Flags flights likely to arrive late.", card);
        Assert.Contains("| auc | 0.81 |", card);
        Assert.Contains("| trees | 40 |", card);
        Assert.Contains("| input | Origin | string |", card);
        Assert.Contains("| aliases | champion |", card);
        Assert.Contains("flights-sample@every-other-row (training, examples/Quickstart/data/flights-sample.csv)", card);
        Assert.Equal(["flights-sample@every-other-row (training, examples/Quickstart/data/flights-sample.csv)"], lineage.DataInputs);
        Assert.Contains("## Input example", card);
    }

    [Fact]
    public async Task Register_SomethingThatIsNotAPackage_IsRefused()
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.Path);
        string runId;
        using (var run = cairn.StartRun("delay")) runId = run.RunId;
        var error = await Assert.ThrowsAsync<CairnException>(() => new ModelRegistry(cairn).RegisterAsync($"runs:/{runId}/model", "delay"));
        Assert.Contains("not a model package", error.Message);
    }

    [Fact]
    public async Task LoadModel_ThroughAServer_FetchesVerifiesAndPredicts()
    {
        await using var server = await RunningServer.StartAsync();
        using var cairn = CairnClient.Open(server.BaseUri.ToString());
        var (_, uri) = LogModel(cairn, 0.8);
        await new ModelRegistry(cairn).RegisterAsync(uri, "delay");

        using var model = await cairn.LoadModelAsync("models:/delay/1");
        var score = model.Predict(FlightsModel.Instance.AsRow(FlightsModel.Instance.Rows[3]))["Score"];
        Assert.IsType<float>(score);
    }
}
