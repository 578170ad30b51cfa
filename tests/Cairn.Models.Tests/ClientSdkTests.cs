using Cairn.Registry;
using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Models.Tests;

/// <summary>
/// The registry and run search from <see cref="CairnClient"/> (MLflow's Python client in C#), each
/// scenario against the embedded store and against a server.
/// </summary>
public class ClientSdkTests
{
    private static LoggedModel LogModel(CairnClient cairn, double auc, string? registeredModelName)
    {
        var flights = FlightsModel.Instance;
        using var run = cairn.StartRun("quakes");
        run.LogMetric("auc", auc);
        return run.LogModel("model", flights.Ml, flights.Model, flights.InputSchema, labelColumn: "Late", registeredModelName: registeredModelName);
    }

    private static void RegistryScenario(CairnClient cairn)
    {
        var first = LogModel(cairn, 0.80, "quake");
        var second = LogModel(cairn, 0.85, "quake");
        var unregistered = LogModel(cairn, 0.90, registeredModelName: null);

        Assert.Null(unregistered.RegisteredVersion);
        Assert.Equal(1, first.RegisteredVersion!.Version);
        Assert.Equal(2, second.RegisteredVersion!.Version);
        Assert.Equal("quake", second.RegisteredVersion.Name);
        Assert.Equal(RunUri.Split(second.ModelUri).RunId, second.RegisteredVersion.RunId);
        Assert.Equal("models:/quake/2", second.RegisteredVersion.Uri);

        cairn.SetAlias("quake", "champion", 2);
        var champion = cairn.GetModelVersion("models:/quake@champion");
        Assert.Equal(2, champion.Version);
        Assert.Contains("champion", champion.Aliases);

        // Version 1's auc (0.80) is below the champion's (0.85): the gate fails and the alias stays.
        var refused = cairn.Promote("quake", 1, "champion", gate: "metrics.auc >= champion.metrics.auc", comment: "try v1");
        Assert.Equal(PromotionOutcome.PendingApproval, refused.Outcome);
        Assert.False(refused.Gate!.Passed);
        Assert.Equal(2, cairn.GetModelVersion("models:/quake@champion").Version);

        var promoted = cairn.Promote("quake", 1, "challenger");
        Assert.Equal(PromotionOutcome.Promoted, promoted.Outcome);
        Assert.Equal(1, cairn.GetModelVersion("models:/quake@challenger").Version);

        Assert.Equal(1, cairn.GetModelVersion("models:/quake/1").Version);
        Assert.Equal(2, cairn.GetModelVersion("models:/quake/latest").Version);
        Assert.Equal(["champion"], cairn.GetModelVersion("quake", 2).Aliases);

        cairn.DeleteAlias("quake", "champion");
        var gone = Assert.Throws<CairnException>(() => cairn.GetModelVersion("models:/quake@champion"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, gone.ErrorCode);
        Assert.Empty(cairn.GetModelVersion("quake", 2).Aliases);
        var removal = cairn.Registry.ListTransitionsAsync("quake", "2").GetAwaiter().GetResult().Last();
        Assert.Equal((TransitionAction.AliasDeleted, "champion"), (removal.Action, removal.Alias));

        var other = cairn.RegisterModel(unregistered.ModelUri, "tremor", "Another model.");
        Assert.Equal(1, other.Version);
        Assert.Equal("Another model.", other.Description);

        var quakes = cairn.SearchModelVersions("name='quake'");
        Assert.Equal([1, 2], quakes.Select(v => v.Version).Order());
        Assert.All(quakes, v => Assert.Equal("quake", v.Name));
        Assert.Equal(3, cairn.SearchModelVersions().Count);
        Assert.Single(cairn.SearchModelVersions(maxResults: 1));

        Assert.Equal(2, cairn.GetLatestVersion("quake")!.Version);
        Assert.Equal(1, cairn.GetLatestVersion("tremor")!.Version);
    }

    private static async Task RegistryErrorsScenario(CairnClient cairn)
    {
        var logged = LogModel(cairn, 0.80, "quake");

        Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => cairn.GetModelVersion("quake/1")).ErrorCode);
        Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => cairn.GetModelVersion("models:/quake")).ErrorCode);
        Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => cairn.GetModelVersion("quake", 0)).ErrorCode);
        Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => cairn.SetAlias("quake", "champion", 0)).ErrorCode);
        Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => cairn.Promote("quake", -1, "champion")).ErrorCode);
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, Assert.Throws<CairnException>(() => cairn.GetModelVersion("models:/quake/9")).ErrorCode);
        var unknown = Assert.Throws<CairnException>(() => cairn.GetModelVersion("models:/nope/latest"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, unknown.ErrorCode);
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, Assert.Throws<CairnException>(() => cairn.GetLatestVersion("nope")).ErrorCode);
        Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => cairn.RegisterModel(logged.ModelUri, "bad:name")).ErrorCode);

        // A bad name is refused before the package is logged: the run keeps no model folder.
        var flights = FlightsModel.Instance;
        string runId;
        using (var run = cairn.StartRun("quakes"))
        {
            runId = run.RunId;
            Assert.Throws<CairnException>(() => run.LogModel("model", flights.Ml, flights.Model, flights.InputSchema, labelColumn: "Late", registeredModelName: "bad@name"));
        }
        Assert.Empty(await cairn.ListArtifactsAsync(new RunUri(runId, "")));

        // The async twins answer as the synchronous calls do.
        Assert.Equal(1, (await cairn.GetModelVersionAsync("models:/quake/latest")).Version);
        Assert.Equal(1, (await cairn.GetLatestVersionAsync("quake"))!.Version);
    }

    private static async Task LoggedModelScenario(CairnClient cairn)
    {
        var experimentId = await cairn.Tracking.GetOrCreateExperimentAsync("quakes");
        var model = await cairn.LoggedModels.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "model"));

        var version = await cairn.RegisterModelAsync(model.ModelUri, "logged");

        Assert.Equal(1, version.Version);
        Assert.Equal(model.ModelUri, version.Source);
        var read = await cairn.GetModelVersionAsync("logged", 1);
        Assert.Equal((version.Name, version.Version, version.Source), (read.Name, read.Version, read.Source));
    }

    [Fact]
    public async Task LogModelAsync_ToAnExistingRun_RegistersWhenNamed()
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.Path);
        var flights = FlightsModel.Instance;
        string runId;
        using (var run = cairn.StartRun("quakes")) runId = run.RunId;

        var plain = await cairn.LogModelAsync(runId, "plain", flights.Ml, flights.Model, flights.InputSchema, labelColumn: "Late");
        var registered = await cairn.LogModelAsync(runId, "model", flights.Ml, flights.Model, flights.InputSchema, labelColumn: "Late", registeredModelName: "quake");

        Assert.Null(plain.RegisteredVersion);
        Assert.Equal(1, registered.RegisteredVersion!.Version);
        Assert.Equal(runId, registered.RegisteredVersion.RunId);
        Assert.Equal(1, cairn.GetLatestVersion("quake")!.Version);
    }

    [Fact]
    public async Task LogOnnxModel_WithARegisteredModelName_RegistersThePackage()
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.File("store"));
        var mlnet = LogModel(cairn, 0.8, registeredModelName: null);
        var registry = new ModelRegistry(cairn);
        await registry.DownloadPackageAsync((await registry.ResolveAsync(mlnet.ModelUri)).PackagePath, folder.File("pkg"));
        OnnxExport.AddOnnxFlavor(ModelPackage.Open(folder.File("pkg")));

        using var run = cairn.StartRun("quakes");
        Assert.Throws<CairnException>(() => run.LogOnnxModel("refused", folder.File("pkg/model.onnx"), registeredModelName: "bad:name"));
        var logged = run.LogOnnxModel("onnx-model", folder.File("pkg/model.onnx"), registeredModelName: "quake-onnx");

        Assert.Equal(1, logged.RegisteredVersion!.Version);
        Assert.Equal(run.RunId, logged.RegisteredVersion.RunId);
        Assert.Equal(logged.ModelUri, cairn.GetModelVersion("models:/quake-onnx/1").Source);
        Assert.Equal(["onnx-model"], (await cairn.ListArtifactsAsync(new RunUri(run.RunId, ""))).Select(f => f.Path));
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("v2")]
    [InlineData("0")]
    public void RegisteredVersion_AVersionThatIsNotAPositiveWholeNumber_IsAClearError(string version)
    {
        var answered = new ModelVersion("quake", version, 0, 0, null, "None", "", "runs:/abc/model", "abc", ModelVersionStatus.Ready, null, [], null, []);

        var error = Assert.Throws<CairnException>(() => RegisteredVersion.From(answered));

        Assert.Equal(ErrorCodes.InvalidState, error.ErrorCode);
        Assert.Contains($"'{version}'", error.Message);
    }

    [Fact]
    public void RegisteredVersion_FromTheStoreRecord_KeepsItsFields()
    {
        var answered = new ModelVersion("quake", "12", 1_700_000_000_000, 0, "ada", "None", "desc", "runs:/abc/model", "abc", ModelVersionStatus.Ready, null,
            [new ModelVersionTag("validated", "true")], null, ["champion"]);

        var version = RegisteredVersion.From(answered);

        Assert.Equal(12, version.Version);
        Assert.Equal(("quake", "runs:/abc/model", "abc", "desc"), (version.Name, version.Source, version.RunId, version.Description));
        Assert.Equal(["champion"], version.Aliases);
        Assert.Equal("true", version.Tags["validated"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), version.CreationTime);
        Assert.Equal("models:/quake/12", version.Uri);
    }

    private static (string Id, Dictionary<string, double> Metrics) LogRun(CairnClient cairn, string experiment, string name, int trees, params (string Key, double Value)[] metrics)
    {
        using var run = cairn.StartRun(experiment, runName: name);
        run.LogParam("trees", trees);
        run.LogMetric("rmse", 99.0); // an earlier value at step 0: searches answer the latest
        foreach (var (key, value) in metrics) run.LogMetric(key, value, step: 1);
        return (run.RunId, metrics.ToDictionary(m => m.Key, m => m.Value));
    }

    private static void SearchScenario(CairnClient cairn)
    {
        var slow = LogRun(cairn, "search", "slow", 10, ("rmse", 3.0), ("r2", 0.5));
        var best = LogRun(cairn, "search", "best", 20, ("rmse", 1.5), ("r2", 0.9));
        var middle = LogRun(cairn, "search", "middle", 20, ("rmse", 2.0), ("r2", 0.7));
        LogRun(cairn, "other", "elsewhere", 20, ("rmse", 0.1));

        var twenty = cairn.SearchRuns("search", filter: "params.trees = '20'", orderBy: "metrics.rmse");
        Assert.Equal([best.Id, middle.Id], twenty.Select(r => r.RunId));
        Assert.Equal(best.Metrics, twenty[0].Metrics);
        Assert.Equal(new Dictionary<string, string> { ["trees"] = "20" }, twenty[0].Params);
        Assert.Equal("best", twenty[0].RunName);
        Assert.Equal(RunStatus.Finished, twenty[0].Status);
        Assert.NotNull(twenty[0].EndTime);
        Assert.True(twenty[0].EndTime >= twenty[0].StartTime);

        var descending = cairn.SearchRuns("search", orderBy: "metrics.rmse DESC, attributes.start_time");
        Assert.Equal([slow.Id, middle.Id, best.Id], descending.Select(r => r.RunId));
        Assert.Equal(2, cairn.SearchRuns("search", maxResults: 2).Count);
        Assert.Equal(["elsewhere"], cairn.SearchRuns("other").Select(r => r.RunName));

        Assert.Equal(best.Id, cairn.GetBestRun("search", "rmse")!.RunId);
        Assert.Equal(slow.Id, cairn.GetBestRun("search", "rmse", higherIsBetter: true)!.RunId);
        Assert.Equal(best.Id, cairn.GetBestRun("search", "r2", higherIsBetter: true)!.RunId);
        Assert.Equal(middle.Id, cairn.GetBestRun("search", "rmse", filter: "metrics.rmse > 1.6")!.RunId);
        Assert.Null(cairn.GetBestRun("search", "accuracy"));
    }

    private static async Task SearchSkipsRunsWithoutTheMetricScenario(CairnClient cairn)
    {
        using (var run = cairn.StartRun("sparse", runName: "no-auc")) run.LogMetric("loss", 0.2);
        using (var run = cairn.StartRun("sparse", runName: "auc")) run.LogMetric("auc", 0.6);

        Assert.Equal("auc", cairn.GetBestRun("sparse", "auc", higherIsBetter: true)!.RunName);
        Assert.Equal("auc", (await cairn.GetBestRunAsync("sparse", "auc"))!.RunName);
        Assert.Equal(2, (await cairn.SearchRunsAsync("sparse")).Count);
    }

    private static void SearchErrorsScenario(CairnClient cairn)
    {
        using (var run = cairn.StartRun("search")) run.LogMetric("rmse", 1);

        var unknown = Assert.Throws<CairnException>(() => cairn.SearchRuns("no-such-experiment"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, unknown.ErrorCode);
        Assert.Contains("no-such-experiment", unknown.Message);
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, Assert.Throws<CairnException>(() => cairn.GetBestRun("no-such-experiment", "rmse")).ErrorCode);
        Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => cairn.SearchRuns("search", filter: "metrics.rmse <<< 1")).ErrorCode);
        Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => cairn.SearchRuns("search", orderBy: "metrics.rmse SIDEWAYS")).ErrorCode);
        Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => cairn.SearchRuns("search", maxResults: 0)).ErrorCode);
    }

    [Fact]
    public void Registry_Embedded() => OnEmbedded(RegistryScenario);

    [Fact]
    public Task Registry_Server() => OnServer(RegistryScenario);

    [Fact]
    public Task RegistryErrors_Embedded() => OnEmbeddedAsync(RegistryErrorsScenario);

    [Fact]
    public Task RegistryErrors_Server() => OnServerAsync(RegistryErrorsScenario);

    [Fact]
    public Task RegisterLoggedModel_Embedded() => OnEmbeddedAsync(LoggedModelScenario);

    [Fact]
    public Task RegisterLoggedModel_Server() => OnServerAsync(LoggedModelScenario);

    [Fact]
    public void SearchRuns_Embedded() => OnEmbedded(SearchScenario);

    [Fact]
    public Task SearchRuns_Server() => OnServer(SearchScenario);

    [Fact]
    public Task BestRunSkipsRunsWithoutTheMetric_Embedded() => OnEmbeddedAsync(SearchSkipsRunsWithoutTheMetricScenario);

    [Fact]
    public Task BestRunSkipsRunsWithoutTheMetric_Server() => OnServerAsync(SearchSkipsRunsWithoutTheMetricScenario);

    [Fact]
    public void SearchErrors_Embedded() => OnEmbedded(SearchErrorsScenario);

    [Fact]
    public Task SearchErrors_Server() => OnServer(SearchErrorsScenario);

    private static void OnEmbedded(Action<CairnClient> scenario)
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.Path);
        scenario(cairn);
    }

    private static async Task OnEmbeddedAsync(Func<CairnClient, Task> scenario)
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.Path);
        await scenario(cairn);
    }

    private static Task OnServer(Action<CairnClient> scenario) => OnServerAsync(cairn =>
    {
        scenario(cairn);
        return Task.CompletedTask;
    });

    private static async Task OnServerAsync(Func<CairnClient, Task> scenario)
    {
        await using var server = await RunningServer.StartAsync();
        using var cairn = server.Client();
        // The synchronous SDK blocks its thread, as a user's program does: off the test's context.
        await Task.Run(() => scenario(cairn));
    }
}
