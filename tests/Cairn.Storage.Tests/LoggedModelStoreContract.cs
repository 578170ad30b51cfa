using Cairn.Rest;
using Cairn.Storage.Sqlite;
using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Storage.Tests;

/// <summary>What every logged-model store must do (MLflow 3's logged models); run on SQLite, PostgreSQL and through the REST client.</summary>
public abstract class LoggedModelStoreContract : IAsyncLifetime
{
    protected ITrackingStore Tracking { get; private set; } = null!;
    protected ILoggedModelStore Store { get; private set; } = null!;

    protected abstract Task<(ITrackingStore Tracking, ILoggedModelStore Models)> OpenStoresAsync();
    protected abstract Task CloseStoresAsync();

    public async Task InitializeAsync() => (Tracking, Store) = await OpenStoresAsync();

    public Task DisposeAsync() => CloseStoresAsync();

    private async Task<string> NewExperimentAsync() => await Tracking.CreateExperimentAsync($"lm-{Guid.NewGuid():N}");

    private static async Task Fails(string code, Func<Task> action) =>
        Assert.Equal(code, (await Assert.ThrowsAsync<CairnException>(action)).ErrorCode);

    private static Metric ModelMetric(string key, double value, string modelId, long timestamp, string? dataset = null, string? digest = null, long step = 0) =>
        new(key, value, timestamp, step) { ModelId = modelId, DatasetName = dataset, DatasetDigest = digest };

    private async Task<IReadOnlyList<string>> SearchNamesAsync(string experimentId, string? filter = null, IReadOnlyList<LoggedModelDataset>? datasets = null,
        IReadOnlyList<LoggedModelOrderBy>? orderBy = null) =>
        (await Store.SearchLoggedModelsAsync(new LoggedModelQuery([experimentId], filter, datasets, OrderBy: orderBy))).Items.Select(m => m.Info.Name).ToList();

    [Fact]
    public async Task Create_IsPendingUnderTheExperimentsArtifactRoot_AndGetRoundTripsEveryField()
    {
        var experimentId = await NewExperimentAsync();
        var experiment = await Tracking.GetExperimentAsync(experimentId);
        var run = await Tracking.CreateRunAsync(new NewRun(experimentId));

        var created = await Store.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "model", "sklearn", run.Info.RunId,
            [new LoggedModelParameter("alpha", "0.5")], [new LoggedModelTag("mlflow.user", "ana"), new LoggedModelTag("team", "delay")]));

        var info = created.Info;
        Assert.True(LoggedModelIds.IsModelId(info.ModelId), info.ModelId);
        Assert.Equal(experiment.ArtifactLocation.TrimEnd('/') + "/models/" + info.ModelId + "/artifacts", info.ArtifactUri);
        Assert.Equal((experimentId, "model", "sklearn", run.Info.RunId, LoggedModelStatus.LoggedModelPending),
            (info.ExperimentId, info.Name, info.ModelType, info.SourceRunId, info.Status));
        Assert.True(info.CreationTimestampMs > 0);
        Assert.Equal("models:/" + info.ModelId, created.ModelUri);

        var got = await Store.GetLoggedModelAsync(info.ModelId);
        Assert.Equal(info with { Tags = [] }, got.Info with { Tags = [] });
        Assert.Equal([new LoggedModelTag("mlflow.user", "ana"), new LoggedModelTag("team", "delay")], got.Info.Tags);
        Assert.Equal([new LoggedModelParameter("alpha", "0.5")], got.Data.Params);
        Assert.Empty(got.Data.Metrics);
    }

    [Fact]
    public async Task Create_WithoutName_GetsOne_AndRefusesUnknownOrDeletedExperimentsAndRuns()
    {
        var experimentId = await NewExperimentAsync();
        var unnamed = await Store.CreateLoggedModelAsync(new NewLoggedModel(experimentId));
        Assert.False(string.IsNullOrEmpty(unnamed.Info.Name));
        Assert.Null(unnamed.Info.SourceRunId);

        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.CreateLoggedModelAsync(new NewLoggedModel("987654")));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "m", SourceRunId: "0123456789abcdef0123456789abcdef")));
        await Tracking.DeleteExperimentAsync(experimentId);
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "m")));
    }

    [Fact]
    public async Task Finalize_SetsTheStatus_AndUnknownModelsAreNotFound()
    {
        var model = await Store.CreateLoggedModelAsync(new NewLoggedModel(await NewExperimentAsync(), "model"));

        var ready = await Store.FinalizeLoggedModelAsync(model.Info.ModelId, LoggedModelStatus.LoggedModelReady);

        Assert.Equal(LoggedModelStatus.LoggedModelReady, ready.Info.Status);
        Assert.Equal(LoggedModelStatus.LoggedModelReady, (await Store.GetLoggedModelAsync(model.Info.ModelId)).Info.Status);
        Assert.True(ready.Info.LastUpdatedTimestampMs >= model.Info.CreationTimestampMs);
        var failed = await Store.FinalizeLoggedModelAsync(model.Info.ModelId, LoggedModelStatus.LoggedModelUploadFailed);
        Assert.Equal(LoggedModelStatus.LoggedModelUploadFailed, failed.Info.Status);
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.GetLoggedModelAsync("m-00000000000000000000000000000000"));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.FinalizeLoggedModelAsync("m-00000000000000000000000000000000", LoggedModelStatus.LoggedModelReady));
    }

    [Fact]
    public async Task Delete_HidesTheModelFromGetAndSearch()
    {
        var experimentId = await NewExperimentAsync();
        var kept = await Store.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "kept"));
        var gone = await Store.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "gone"));

        await Store.DeleteLoggedModelAsync(gone.Info.ModelId);

        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.GetLoggedModelAsync(gone.Info.ModelId));
        Assert.Equal(["kept"], await SearchNamesAsync(experimentId));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.DeleteLoggedModelAsync(gone.Info.ModelId));
        Assert.Equal("kept", (await Store.GetLoggedModelAsync(kept.Info.ModelId)).Info.Name);
    }

    [Fact]
    public async Task Tags_AreSetOverwrittenAndDeleted()
    {
        var id = (await Store.CreateLoggedModelAsync(new NewLoggedModel(await NewExperimentAsync(), "model", Tags: [new LoggedModelTag("a", "1")]))).Info.ModelId;

        await Store.SetLoggedModelTagsAsync(id, [new LoggedModelTag("a", "2"), new LoggedModelTag("mlflow.modelVersions", "[{\"name\": \"delay\", \"version\": \"1\"}]")]);
        Assert.Equal([new LoggedModelTag("a", "2"), new LoggedModelTag("mlflow.modelVersions", "[{\"name\": \"delay\", \"version\": \"1\"}]")],
            (await Store.GetLoggedModelAsync(id)).Info.Tags);

        await Store.DeleteLoggedModelTagAsync(id, "a");
        Assert.Equal(["mlflow.modelVersions"], (await Store.GetLoggedModelAsync(id)).Info.Tags.Select(t => t.Key));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.DeleteLoggedModelTagAsync(id, "a"));
    }

    [Fact]
    public async Task Params_AreLoggedAndOverwritten()
    {
        var id = (await Store.CreateLoggedModelAsync(new NewLoggedModel(await NewExperimentAsync(), "model", Params: [new LoggedModelParameter("alpha", "1")]))).Info.ModelId;

        await Store.LogLoggedModelParamsAsync(id, [new LoggedModelParameter("alpha", "2"), new LoggedModelParameter("depth", "6")]);

        Assert.Equal([new LoggedModelParameter("alpha", "2"), new LoggedModelParameter("depth", "6")], (await Store.GetLoggedModelAsync(id)).Data.Params);
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.LogLoggedModelParamsAsync("m-00000000000000000000000000000000", [new LoggedModelParameter("a", "b")]));
    }

    [Fact]
    public async Task MetricsLoggedOnARunWithAModelId_BecomeTheModelsMetrics_WithoutDoublingTheRunsHistory()
    {
        var experimentId = await NewExperimentAsync();
        var run = await Tracking.CreateRunAsync(new NewRun(experimentId));
        var id = (await Store.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "model", SourceRunId: run.Info.RunId))).Info.ModelId;
        await Tracking.LogMetricAsync(run.Info.RunId, new Metric("rmse", 0.5, 1000, 0));

        // What MLflow's client does when it logs a model: the run's metrics again, with the model's id.
        await Tracking.LogBatchAsync(run.Info.RunId, new LogBatch(Metrics: [ModelMetric("rmse", 0.5, id, 1000), ModelMetric("auc", 0.9, id, 2000, "eval", "d1", step: 3)]));

        var metrics = (await Store.GetLoggedModelAsync(id)).Data.Metrics;
        Assert.Equal(
            [("auc", 0.9, 2000L, 3L, "eval", "d1", run.Info.RunId), ("rmse", 0.5, 1000L, 0L, (string?)null, (string?)null, run.Info.RunId)],
            metrics.Select(m => (m.Key, m.Value, m.Timestamp, m.Step, m.DatasetName, m.DatasetDigest, m.RunId)).ToList());
        Assert.All(metrics, m => Assert.Equal(id, m.ModelId));
        Assert.Single((await Tracking.GetMetricHistoryAsync(run.Info.RunId, "rmse")).Items);
        Assert.Single((await Tracking.GetMetricHistoryAsync(run.Info.RunId, "auc")).Items);
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Tracking.LogBatchAsync(run.Info.RunId,
            new LogBatch(Metrics: [ModelMetric("x", 1, "m-00000000000000000000000000000000", 1)])));
    }

    [Fact]
    public async Task Search_FiltersOnAttributesParamsAndTags()
    {
        var experimentId = await NewExperimentAsync();
        var run = await Tracking.CreateRunAsync(new NewRun(experimentId));
        var a = await Store.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "alpha", "sklearn", run.Info.RunId, [new LoggedModelParameter("depth", "6")], [new LoggedModelTag("team", "delay")]));
        await Store.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "beta", "onnx", Params: [new LoggedModelParameter("depth", "8")]));
        await Store.FinalizeLoggedModelAsync(a.Info.ModelId, LoggedModelStatus.LoggedModelReady);
        var other = await NewExperimentAsync();
        await Store.CreateLoggedModelAsync(new NewLoggedModel(other, "alpha"));

        Assert.Equal(["alpha"], await SearchNamesAsync(experimentId, "name = 'alpha'"));
        Assert.Equal(["alpha", "beta"], (await SearchNamesAsync(experimentId, "name LIKE '%a'")).Order());
        Assert.Equal(["alpha"], await SearchNamesAsync(experimentId, "status = 'READY'"));
        Assert.Equal(["beta"], await SearchNamesAsync(experimentId, "status = 'LOGGED_MODEL_PENDING'"));
        Assert.Equal(["alpha"], await SearchNamesAsync(experimentId, $"source_run_id = '{run.Info.RunId}'"));
        Assert.Equal(["beta"], await SearchNamesAsync(experimentId, "model_type = 'onnx'"));
        Assert.Equal(["beta"], await SearchNamesAsync(experimentId, "params.depth = '8'"));
        Assert.Equal(["alpha"], await SearchNamesAsync(experimentId, "tags.team = 'delay' AND name != 'beta'"));
        Assert.Equal(["alpha"], await SearchNamesAsync(experimentId, $"model_id = '{a.Info.ModelId}'"));
        Assert.Equal(2, (await Store.SearchLoggedModelsAsync(new LoggedModelQuery([experimentId, other], "name = 'alpha'"))).Items.Count);
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.SearchLoggedModelsAsync(new LoggedModelQuery([experimentId], "colour = 'red'")));
    }

    [Fact]
    public async Task Search_OnMetrics_UsesTheLatestValuePerDataset_AndOnlyTheDatasetsAsked()
    {
        var experimentId = await NewExperimentAsync();
        var run = await Tracking.CreateRunAsync(new NewRun(experimentId));
        var good = (await Store.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "good"))).Info.ModelId;
        var poor = (await Store.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "poor"))).Info.ModelId;
        await Store.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "unscored"));
        await Tracking.LogBatchAsync(run.Info.RunId, new LogBatch(Metrics:
        [
            ModelMetric("accuracy", 0.3, good, 1000, "eval", "d1"), ModelMetric("accuracy", 0.9, good, 2000, "eval", "d1"),
            ModelMetric("accuracy", 0.2, good, 1000, "train", "d2"),
            ModelMetric("accuracy", 0.6, poor, 1000, "eval", "d1"), ModelMetric("accuracy", 0.95, poor, 1000, "train", "d2"),
        ]));

        // Only good's latest eval value (0.9) and poor's train value pass; its stale 0.3 does not fail it.
        Assert.Equal(["good", "poor"], (await SearchNamesAsync(experimentId, "metrics.accuracy > 0.8")).Order());
        Assert.Equal(["good"], await SearchNamesAsync(experimentId, "metrics.accuracy > 0.8", [new LoggedModelDataset("eval")]));
        Assert.Equal(["good"], await SearchNamesAsync(experimentId, "metrics.accuracy > 0.8", [new LoggedModelDataset("eval", "d1")]));
        Assert.Empty(await SearchNamesAsync(experimentId, "metrics.accuracy > 0.8", [new LoggedModelDataset("eval", "other-digest")]));
        Assert.Equal(["good"], await SearchNamesAsync(experimentId, "metrics.accuracy < 0.5", [new LoggedModelDataset("train")]));

        Assert.Equal(["good", "poor", "unscored"], await SearchNamesAsync(experimentId, orderBy: [new LoggedModelOrderBy("metrics.accuracy", false, "eval")]));
        Assert.Equal(["poor", "good", "unscored"], await SearchNamesAsync(experimentId, orderBy: [new LoggedModelOrderBy("metrics.accuracy", true, "eval")]));
        Assert.Equal(["good", "poor", "unscored"], await SearchNamesAsync(experimentId, orderBy: [new LoggedModelOrderBy("name")]));
    }

    [Fact]
    public async Task Search_IsNewestFirst_AndPagesWithTokens()
    {
        var experimentId = await NewExperimentAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add((await Store.CreateLoggedModelAsync(new NewLoggedModel(experimentId, $"m{i}"))).Info.ModelId);

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Store.SearchLoggedModelsAsync(new LoggedModelQuery([experimentId], MaxResults: 2, PageToken: token));
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items.Select(m => m.Info.ModelId));
            token = page.NextPageToken;
            pages++;
        } while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(ids.Order().ToList(), seen.Order().ToList());
        var byCreation = (await Store.SearchLoggedModelsAsync(new LoggedModelQuery([experimentId]))).Items;
        Assert.True(byCreation.Zip(byCreation.Skip(1)).All(p => p.First.Info.CreationTimestampMs >= p.Second.Info.CreationTimestampMs));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.SearchLoggedModelsAsync(new LoggedModelQuery([experimentId], PageToken: "not a token")));
    }

    [Fact]
    public async Task Search_OfALargePage_ReadsEveryModelsOwnTags()
    {
        var experimentId = await NewExperimentAsync();
        const int count = 520; // more than one statement's worth of ids (the store reads tags in chunks of 500)
        for (var i = 0; i < count; i++)
            await Store.CreateLoggedModelAsync(new NewLoggedModel(experimentId, $"m{i}", Tags: [new LoggedModelTag("index", i.ToString())]));

        var page = await Store.SearchLoggedModelsAsync(new LoggedModelQuery([experimentId], MaxResults: 1000));

        Assert.Equal(count, page.Items.Count);
        Assert.Null(page.NextPageToken);
        Assert.All(page.Items, m => Assert.Equal("m" + Assert.Single(m.Info.Tags).Value, m.Info.Name));
    }

    [Fact]
    public async Task LogOutputs_ShowInTheRun_OnceEach()
    {
        var experimentId = await NewExperimentAsync();
        var run = await Tracking.CreateRunAsync(new NewRun(experimentId));
        var id = (await Store.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "model", SourceRunId: run.Info.RunId))).Info.ModelId;
        Assert.Empty((await Tracking.GetRunAsync(run.Info.RunId)).Outputs?.ModelOutputs ?? []);

        await Store.LogOutputsAsync(run.Info.RunId, [new LoggedModelOutput(id, 3)]);
        await Store.LogOutputsAsync(run.Info.RunId, [new LoggedModelOutput(id, 3)]);

        Assert.Equal([new LoggedModelOutput(id, 3)], (await Tracking.GetRunAsync(run.Info.RunId)).Outputs!.ModelOutputs);
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.LogOutputsAsync(run.Info.RunId, [new LoggedModelOutput("m-00000000000000000000000000000000")]));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.LogOutputsAsync("0123456789abcdef0123456789abcdef", [new LoggedModelOutput(id)]));
    }
}

public sealed class SqliteLoggedModelStoreContract : LoggedModelStoreContract
{
    private readonly TempFolder _folder = new();
    private SqliteStores? _stores;

    protected override Task<(ITrackingStore Tracking, ILoggedModelStore Models)> OpenStoresAsync()
    {
        _stores = new SqliteStores(_folder.File("cairn.db"));
        return Task.FromResult<(ITrackingStore, ILoggedModelStore)>((_stores.Tracking, _stores.LoggedModels));
    }

    protected override Task CloseStoresAsync()
    {
        _stores?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class PostgresLoggedModelStoreContract : LoggedModelStoreContract
{
    private Cairn.Storage.Postgres.PostgresStores? _stores;

    protected override async Task<(ITrackingStore Tracking, ILoggedModelStore Models)> OpenStoresAsync()
    {
        _stores = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase());
        return (_stores.Tracking, _stores.LoggedModels);
    }

    protected override Task CloseStoresAsync()
    {
        _stores?.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class RestLoggedModelStoreContract : LoggedModelStoreContract
{
    private RunningServer? _server;
    private RestTransport? _transport;

    protected override async Task<(ITrackingStore Tracking, ILoggedModelStore Models)> OpenStoresAsync()
    {
        _server = await RunningServer.StartAsync();
        _transport = new RestTransport(_server.BaseUri);
        return (new RestTrackingStore(_transport), new RestLoggedModelStore(_transport));
    }

    protected override async Task CloseStoresAsync()
    {
        _transport?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}

public sealed class LoggedModelCopyTests
{
    [Fact]
    public async Task MetadataCopier_SqliteToPostgres_KeepsLoggedModelsTheirMetricsOutputsAndVersionLinks()
    {
        using var folder = new TempFolder();
        using var source = new SqliteStores(folder.File("cairn.db"));
        var experimentId = await source.Tracking.CreateExperimentAsync("copied");
        var run = await source.Tracking.CreateRunAsync(new NewRun(experimentId));
        var model = await source.LoggedModels.CreateLoggedModelAsync(new NewLoggedModel(experimentId, "model", SourceRunId: run.Info.RunId,
            Params: [new LoggedModelParameter("alpha", "1")], Tags: [new LoggedModelTag("team", "delay")]));
        var id = model.Info.ModelId;
        await source.Tracking.LogBatchAsync(run.Info.RunId, new LogBatch(Metrics: [new Metric("auc", 0.9, 1000, 0) { ModelId = id, DatasetName = "eval" }]));
        await source.LoggedModels.LogOutputsAsync(run.Info.RunId, [new LoggedModelOutput(id, 2)]);
        await source.Registry.CreateModelVersionAsync(new Cairn.Registry.NewModelVersion("delay", model.ModelUri, run.Info.RunId, ModelId: id));
        using var target = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase());

        var counts = await Cairn.Storage.Sql.MetadataCopier.CopyAsync(source.Database, target.Database);

        Assert.Equal((1, 1, 1, 1, 1), (counts["logged_models"], counts["logged_model_tags"], counts["logged_model_params"], counts["logged_model_metrics"], counts["run_outputs"]));
        var copied = await target.LoggedModels.GetLoggedModelAsync(id);
        Assert.Equal((model.Info.ArtifactUri, "delay", "1"), (copied.Info.ArtifactUri, copied.Info.Tags.Single().Value, copied.Data.Params.Single().Value));
        Assert.Equal(("auc", "eval"), (copied.Data.Metrics.Single().Key, copied.Data.Metrics.Single().DatasetName));
        Assert.Equal([new LoggedModelOutput(id, 2)], (await target.Tracking.GetRunAsync(run.Info.RunId)).Outputs!.ModelOutputs);
        Assert.Equal(id, (await target.Registry.GetModelVersionAsync("delay", "1")).ModelId);
    }
}
