using Cairn.Tracking;

namespace Cairn.Storage.Tests;

/// <summary>
/// What every tracking store must do. Each backend (SQLite, the REST client against a real
/// server, PostgreSQL) runs this same suite through a subclass.
/// </summary>
public abstract partial class TrackingStoreContract : IAsyncLifetime
{
    protected ITrackingStore Store { get; private set; } = null!;

    protected abstract Task<ITrackingStore> OpenStoreAsync();
    protected abstract Task CloseStoreAsync();

    public async Task InitializeAsync() => Store = await OpenStoreAsync();
    public Task DisposeAsync() => CloseStoreAsync();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private async Task<Run> NewRunAsync(string? experimentId = null, string? name = null)
    {
        experimentId ??= await Store.CreateExperimentAsync(Unique("exp"));
        return await Store.CreateRunAsync(new NewRun(experimentId, "tester", 1000, name));
    }

    // ------------------------------------------------------------------ experiments

    [Fact]
    public async Task CreateExperiment_ThenGet_ReturnsIt()
    {
        var name = Unique("exp");
        var id = await Store.CreateExperimentAsync(name, tags: [new ExperimentTag("team", "ml")]);

        var byId = await Store.GetExperimentAsync(id);
        var byName = await Store.GetExperimentByNameAsync(name);

        Assert.Equal(name, byId.Name);
        Assert.Equal("active", byId.LifecycleStage);
        Assert.Equal(id, byName!.ExperimentId);
        Assert.Contains(new ExperimentTag("team", "ml"), byId.Tags);
        Assert.False(string.IsNullOrEmpty(byId.ArtifactLocation));
    }

    [Fact]
    public async Task DefaultExperiment_Exists()
    {
        var experiment = await Store.GetExperimentAsync("0");
        Assert.Equal("Default", experiment.Name);
    }

    [Fact]
    public async Task CreateExperiment_DuplicateName_IsAlreadyExists()
    {
        var name = Unique("exp");
        await Store.CreateExperimentAsync(name);

        var error = await Assert.ThrowsAsync<CairnException>(() => Store.CreateExperimentAsync(name));
        Assert.Equal(ErrorCodes.ResourceAlreadyExists, error.ErrorCode);
    }

    [Fact]
    public async Task GetExperiment_Unknown_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.GetExperimentAsync("987654"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, error.ErrorCode);
        Assert.Null(await Store.GetExperimentByNameAsync(Unique("missing")));
    }

    [Fact]
    public async Task RenameDeleteRestoreExperiment_ChangeWhatSearchSees()
    {
        var id = await Store.CreateExperimentAsync(Unique("exp"));
        var renamed = Unique("renamed");
        await Store.RenameExperimentAsync(id, renamed);
        Assert.Equal(renamed, (await Store.GetExperimentAsync(id)).Name);

        await Store.DeleteExperimentAsync(id);
        Assert.Equal("deleted", (await Store.GetExperimentAsync(id)).LifecycleStage);
        var active = await Store.SearchExperimentsAsync(new ExperimentQuery(Filter: $"name = '{renamed}'"));
        Assert.Empty(active.Items);
        var deleted = await Store.SearchExperimentsAsync(new ExperimentQuery(Filter: $"name = '{renamed}'", ViewType: ViewType.DeletedOnly));
        Assert.Single(deleted.Items);

        await Store.RestoreExperimentAsync(id);
        Assert.Equal("active", (await Store.GetExperimentAsync(id)).LifecycleStage);
    }

    [Fact]
    public async Task SearchExperiments_PagesThroughAllWithTokens()
    {
        var prefix = Unique("page");
        for (var i = 0; i < 5; i++) await Store.CreateExperimentAsync($"{prefix}-{i}");

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Store.SearchExperimentsAsync(new ExperimentQuery(Filter: $"name LIKE '{prefix}%'", MaxResults: 2, PageToken: token, OrderBy: ["name ASC"]));
            seen.AddRange(page.Items.Select(e => e.Name));
            token = page.NextPageToken;
            pages++;
        } while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{prefix}-{i}"), seen);
    }

    // ------------------------------------------------------------------ runs

    [Fact]
    public async Task CreateRun_ThenGet_HasInfoAndRunNameTag()
    {
        var run = await NewRunAsync(name: "first");

        var read = await Store.GetRunAsync(run.Info.RunId);

        Assert.True(Ids.IsValid(read.Info.RunId));
        Assert.Equal(read.Info.RunId, read.Info.RunUuid);
        Assert.Equal("first", read.Info.RunName);
        Assert.Equal(RunStatus.Running, read.Info.Status);
        Assert.Equal(1000, read.Info.StartTime);
        Assert.Equal("tester", read.Info.UserId);
        Assert.EndsWith($"/{read.Info.RunId}/artifacts", read.Info.ArtifactUri);
        Assert.Contains(new RunTag("mlflow.runName", "first"), read.Data.Tags);
    }

    [Fact]
    public async Task CreateRun_WithoutName_GetsAGeneratedOne()
    {
        var run = await NewRunAsync();
        Assert.False(string.IsNullOrEmpty(run.Info.RunName));
    }

    [Fact]
    public async Task CreateRun_UnknownExperiment_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.CreateRunAsync(new NewRun("424242")));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, error.ErrorCode);
    }

    [Fact]
    public async Task UpdateRun_SetsStatusEndTimeAndName()
    {
        var run = await NewRunAsync();

        var info = await Store.UpdateRunAsync(new RunUpdate(run.Info.RunId, RunStatus.Finished, 5000, "renamed"));

        Assert.Equal(RunStatus.Finished, info.Status);
        Assert.Equal(5000, info.EndTime);
        Assert.Equal("renamed", info.RunName);
    }

    [Fact]
    public async Task GetRun_Unknown_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.GetRunAsync(Ids.NewId()));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, error.ErrorCode);
    }

    [Fact]
    public async Task DeleteRun_HidesItFromSearchAndRefusesLogging_RestoreBringsItBack()
    {
        var run = await NewRunAsync();
        await Store.DeleteRunAsync(run.Info.RunId);

        Assert.Equal("deleted", (await Store.GetRunAsync(run.Info.RunId)).Info.LifecycleStage);
        Assert.Empty((await Store.SearchRunsAsync(new RunQuery([run.Info.ExperimentId]))).Items);
        await Assert.ThrowsAsync<CairnException>(() => Store.LogParamAsync(run.Info.RunId, new Param("a", "b")));

        await Store.RestoreRunAsync(run.Info.RunId);
        Assert.Single((await Store.SearchRunsAsync(new RunQuery([run.Info.ExperimentId]))).Items);
    }

    [Fact]
    public async Task ResolveRunId_UniquePrefix_IsTheFullIdInAnyExperiment()
    {
        var run = await NewRunAsync();
        var other = await NewRunAsync();
        await Store.DeleteExperimentAsync(other.Info.ExperimentId); // deleted experiments' runs still have ids

        Assert.Equal(run.Info.RunId, await Store.ResolveRunIdAsync(run.Info.RunId[..8]));
        Assert.Equal(other.Info.RunId, await Store.ResolveRunIdAsync(other.Info.RunId[..8].ToUpperInvariant()));
        Assert.Equal(run.Info.RunId, (await Store.ResolveRunUriAsync($"runs:/{run.Info.RunId[..10]}/model")).RunId);
        var none = await Assert.ThrowsAsync<CairnException>(() => Store.ResolveRunIdAsync(NoRunStartsWith(run, other)));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, none.ErrorCode);
    }

    /// <summary>A 6-character prefix of neither run's id.</summary>
    private static string NoRunStartsWith(params Run[] runs) =>
        Enumerable.Range(0, 16).Select(i => i.ToString("x") + "00000").First(p => runs.All(r => !r.Info.RunId.StartsWith(p, StringComparison.Ordinal)));

    [Fact]
    public async Task SummarizeRuns_CountsActiveRunsAndTheNewestStartPerExperiment()
    {
        var busy = await Store.CreateExperimentAsync(Unique("exp"));
        var quiet = await Store.CreateExperimentAsync(Unique("exp"));
        var empty = await Store.CreateExperimentAsync(Unique("exp"));
        foreach (var start in new long[] { 3000, 1000, 2000 }) await Store.CreateRunAsync(new NewRun(busy, "tester", start));
        var deleted = await Store.CreateRunAsync(new NewRun(busy, "tester", 9000));
        await Store.DeleteRunAsync(deleted.Info.RunId);
        await Store.CreateRunAsync(new NewRun(quiet, "tester", 500));

        var summaries = await Store.SummarizeRunsAsync([busy, quiet, empty]);

        Assert.Equal(
            [new ExperimentRunSummary(busy, 3, 3000), new ExperimentRunSummary(quiet, 1, 500), new ExperimentRunSummary(empty, 0, null)],
            summaries);
    }

    [Fact]
    public async Task SummarizeRuns_UnknownExperimentOrNone_HasNoRuns()
    {
        Assert.Empty(await Store.SummarizeRunsAsync([]));
        Assert.Equal([new ExperimentRunSummary("987654", 0, null)], await Store.SummarizeRunsAsync(["987654"]));
    }

    [Fact]
    public async Task SummarizeRuns_TooManyExperiments_IsInvalidParameter()
    {
        var ids = Enumerable.Range(1, ExperimentRunSummary.MaxExperiments + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.SummarizeRunsAsync(ids));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
    }

    // ------------------------------------------------------------------ logging

    [Fact]
    public async Task LogBatch_MetricsParamsTags_AreAllStored()
    {
        var run = await NewRunAsync();
        await Store.LogBatchAsync(run.Info.RunId, new LogBatch(
            [new Metric("loss", 0.5, 10, 0), new Metric("loss", 0.25, 20, 1)],
            [new Param("lr", "0.1"), new Param("model", "lgbm")],
            [new RunTag("team", "ml")]));

        var read = await Store.GetRunAsync(run.Info.RunId);

        Assert.Equal(new Metric("loss", 0.25, 20, 1), Assert.Single(read.Data.Metrics));
        Assert.Contains(new Param("lr", "0.1"), read.Data.Params);
        Assert.Contains(new Param("model", "lgbm"), read.Data.Params);
        Assert.Contains(new RunTag("team", "ml"), read.Data.Tags);
    }

    [Fact]
    public async Task MetricHistory_KeepsEveryValueWithItsStepInOrder()
    {
        var run = await NewRunAsync();
        var metrics = Enumerable.Range(0, 50).Select(i => new Metric("auc", i / 100.0, 1000 + i, i)).Reverse().ToList();
        await Store.LogBatchAsync(run.Info.RunId, new LogBatch(metrics));

        var history = await Store.GetMetricHistoryAsync(run.Info.RunId, "auc");

        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), history.Items.Select(m => m.Step));
        Assert.Equal(0.49, history.Items[^1].Value);
    }

    [Fact]
    public async Task MetricHistory_Pages()
    {
        var run = await NewRunAsync();
        await Store.LogBatchAsync(run.Info.RunId, new LogBatch(Enumerable.Range(0, 25).Select(i => new Metric("m", i, i, i)).ToList()));

        var first = await Store.GetMetricHistoryAsync(run.Info.RunId, "m", maxResults: 10);
        var second = await Store.GetMetricHistoryAsync(run.Info.RunId, "m", maxResults: 10, pageToken: first.NextPageToken);
        var third = await Store.GetMetricHistoryAsync(run.Info.RunId, "m", maxResults: 10, pageToken: second.NextPageToken);

        Assert.Equal(10, first.Items.Count);
        Assert.Equal(10, second.Items[0].Step);
        Assert.Equal(5, third.Items.Count);
        Assert.Null(third.NextPageToken);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(double.MaxValue)]
    [InlineData(-0.0000001234)]
    public async Task Metric_SpecialValues_RoundTrip(double value)
    {
        var run = await NewRunAsync();
        await Store.LogMetricAsync(run.Info.RunId, new Metric("x", value, 1, 0));

        var latest = Assert.Single((await Store.GetRunAsync(run.Info.RunId)).Data.Metrics).Value;
        var history = Assert.Single((await Store.GetMetricHistoryAsync(run.Info.RunId, "x")).Items).Value;

        Assert.Equal(value, latest);
        Assert.Equal(value, history);
    }

    [Fact]
    public async Task LatestMetric_IsTheHighestStepNotTheLastLogged()
    {
        var run = await NewRunAsync();
        await Store.LogMetricAsync(run.Info.RunId, new Metric("acc", 0.9, 100, 5));
        await Store.LogMetricAsync(run.Info.RunId, new Metric("acc", 0.1, 200, 2));

        Assert.Equal(0.9, Assert.Single((await Store.GetRunAsync(run.Info.RunId)).Data.Metrics).Value);
    }

    [Fact]
    public async Task LogParam_SameValueTwice_IsAllowed_DifferentValue_IsRefused()
    {
        var run = await NewRunAsync();
        await Store.LogParamAsync(run.Info.RunId, new Param("lr", "0.1"));
        await Store.LogParamAsync(run.Info.RunId, new Param("lr", "0.1"));

        var error = await Assert.ThrowsAsync<CairnException>(() => Store.LogParamAsync(run.Info.RunId, new Param("lr", "0.2")));

        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains("Changing param values is not allowed", error.Message);
        Assert.Equal("0.1", Assert.Single((await Store.GetRunAsync(run.Info.RunId)).Data.Params).Value);
    }

    [Fact]
    public async Task LogBatch_WithAConflictingParam_StoresNothingOfTheBatch()
    {
        var run = await NewRunAsync();
        await Store.LogParamAsync(run.Info.RunId, new Param("lr", "0.1"));

        await Assert.ThrowsAsync<CairnException>(() => Store.LogBatchAsync(run.Info.RunId,
            new LogBatch([new Metric("m", 1, 1, 0)], [new Param("lr", "0.9")], [new RunTag("t", "v")])));

        var read = await Store.GetRunAsync(run.Info.RunId);
        Assert.Empty(read.Data.Metrics);
        Assert.DoesNotContain(read.Data.Tags, t => t.Key == "t");
    }

    [Fact]
    public async Task LogBatch_OverTheLimit_IsInvalidParameter()
    {
        var run = await NewRunAsync();
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.LogBatchAsync(run.Info.RunId,
            new LogBatch(Params: Enumerable.Range(0, 101).Select(i => new Param($"p{i}", "v")).ToList())));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
    }

    [Fact]
    public async Task LogMetric_UnknownRun_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.LogMetricAsync(Ids.NewId(), new Metric("m", 1, 1, 0)));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, error.ErrorCode);
    }

    [Fact]
    public async Task SetTag_Overwrites_DeleteTag_Removes()
    {
        var run = await NewRunAsync();
        await Store.SetTagAsync(run.Info.RunId, new RunTag("stage", "dev"));
        await Store.SetTagAsync(run.Info.RunId, new RunTag("stage", "prod"));
        Assert.Contains(new RunTag("stage", "prod"), (await Store.GetRunAsync(run.Info.RunId)).Data.Tags);

        await Store.DeleteTagAsync(run.Info.RunId, "stage");
        Assert.DoesNotContain((await Store.GetRunAsync(run.Info.RunId)).Data.Tags, t => t.Key == "stage");
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.DeleteTagAsync(run.Info.RunId, "stage"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, error.ErrorCode);
    }

    [Fact]
    public async Task LogInputs_AreReturnedWithTheRun_AndRelogUpdatesTags()
    {
        var run = await NewRunAsync();
        var flights = new Dataset("flights", "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85", "local", "data/flights.parquet", "{\"mlflow_colspec\": []}");
        await Store.LogInputsAsync(run.Info.RunId, [new DatasetInput([new InputTag(DatasetInput.ContextTag, "training")], flights)]);
        await Store.LogInputsAsync(run.Info.RunId, [
            new DatasetInput([new InputTag(DatasetInput.ContextTag, "validation")], flights),
            new DatasetInput([], new Dataset("weather", "abc", "s3", "s3://bucket/weather.csv")),
        ]);

        var inputs = (await Store.GetRunAsync(run.Info.RunId)).Inputs!.DatasetInputs;

        Assert.Equal(2, inputs.Count);
        var logged = inputs.Single(i => i.Dataset.Name == "flights");
        Assert.Equal(flights, logged.Dataset);
        Assert.Equal("validation", logged.Context);
        Assert.Equal("s3://bucket/weather.csv", inputs.Single(i => i.Dataset.Name == "weather").Dataset.Source);
        Assert.Empty((await NewRunAsync()).Inputs!.DatasetInputs);
    }

    [Fact]
    public async Task LogInputs_Empty_IsInvalidParameter()
    {
        var run = await NewRunAsync();
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.LogInputsAsync(run.Info.RunId, []));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
    }

    // ------------------------------------------------------------------ search

    private async Task<(string ExperimentId, Run[] Runs)> SearchFixtureAsync()
    {
        var experimentId = await Store.CreateExperimentAsync(Unique("search"));
        var runs = new Run[4];
        var specs = new (string Model, double? Auc, string Team)[] { ("lgbm", 0.91, "ml"), ("LGBM", 0.85, "ml"), ("fasttree", 0.75, "data"), ("lgbm", null, "ml") };
        for (var i = 0; i < specs.Length; i++)
        {
            runs[i] = await Store.CreateRunAsync(new NewRun(experimentId, "u", 1000 + i, $"run{i}"));
            var metrics = specs[i].Auc is { } auc ? new List<Metric> { new("auc", auc, 1, 0) } : [];
            await Store.LogBatchAsync(runs[i].Info.RunId, new LogBatch(metrics, [new Param("model", specs[i].Model)], [new RunTag("team", specs[i].Team)]));
        }
        await Store.UpdateRunAsync(new RunUpdate(runs[0].Info.RunId, RunStatus.Finished, 2000));
        return (experimentId, runs);
    }

    private async Task<string[]> SearchNamesAsync(string experimentId, string? filter, params string[] orderBy) =>
        (await Store.SearchRunsAsync(new RunQuery([experimentId], filter, OrderBy: orderBy))).Items.Select(r => r.Info.RunName).ToArray();

    [Theory]
    [InlineData("metrics.auc > 0.8", new[] { "run0", "run1" })]
    [InlineData("metrics.auc > 0.8 and params.model = 'lgbm'", new[] { "run0" })]
    [InlineData("params.model LIKE 'lg%'", new[] { "run0", "run3" })]
    [InlineData("params.model ILIKE 'lg%'", new[] { "run0", "run1", "run3" })]
    [InlineData("params.model != 'lgbm'", new[] { "run1", "run2" })]
    [InlineData("params.model IN ('fasttree', 'LGBM')", new[] { "run1", "run2" })]
    [InlineData("params.model NOT IN ('lgbm')", new[] { "run1", "run2" })]
    [InlineData("tags.team = 'data'", new[] { "run2" })]
    [InlineData("attributes.status = 'FINISHED'", new[] { "run0" })]
    [InlineData("attributes.run_name = 'run3'", new[] { "run3" })]
    [InlineData("attributes.start_time >= 1002", new[] { "run2", "run3" })]
    [InlineData("metrics.auc <= 0.75", new[] { "run2" })]
    [InlineData("params.model = 'nothing'", new string[0])]
    public async Task SearchRuns_Filter_SelectsExactlyTheMatchingRuns(string filter, string[] expected)
    {
        var (experimentId, _) = await SearchFixtureAsync();

        var names = await SearchNamesAsync(experimentId, filter);

        Assert.Equal(expected.Order(), names.Order());
    }

    [Fact]
    public async Task SearchRuns_FilterValueWithSqlInjection_IsJustAValue()
    {
        var (experimentId, _) = await SearchFixtureAsync();

        var names = await SearchNamesAsync(experimentId, "params.model = 'x'' OR 1=1 --'");

        Assert.Empty(names);
        Assert.Equal(4, (await SearchNamesAsync(experimentId, null)).Length); // and the tables are intact
    }

    [Fact]
    public async Task SearchRuns_OrderByMetric_PutsMissingValuesLast()
    {
        var (experimentId, _) = await SearchFixtureAsync();

        Assert.Equal(["run0", "run1", "run2", "run3"], await SearchNamesAsync(experimentId, null, "metrics.auc DESC"));
        Assert.Equal(["run2", "run1", "run0", "run3"], await SearchNamesAsync(experimentId, null, "metrics.auc ASC"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    public async Task SearchRuns_OrderByMetric_PagesThroughRunsWithAndWithoutTheValue(int pageSize)
    {
        var (experimentId, runs) = await SearchFixtureAsync();
        await Store.LogMetricAsync(runs[2].Info.RunId, new Metric("auc", double.NaN, 2, 1)); // NaN sorts with the missing values

        var names = new List<string>();
        string? token = null;
        do
        {
            var page = await Store.SearchRunsAsync(new RunQuery([experimentId], MaxResults: pageSize, OrderBy: ["metrics.auc DESC"], PageToken: token));
            Assert.True(page.Items.Count <= pageSize);
            names.AddRange(page.Items.Select(r => r.Info.RunName));
            token = page.NextPageToken;
        } while (token is not null);

        Assert.Equal(["run0", "run1", "run3", "run2"], names);
    }

    [Fact]
    public async Task SearchRuns_OrderByMetricWithFilter_AppliesBoth()
    {
        var (experimentId, _) = await SearchFixtureAsync();
        Assert.Equal(["run1", "run0"], await SearchNamesAsync(experimentId, "tags.team = 'ml' and metrics.auc > 0.5", "metrics.auc ASC"));
        Assert.Equal(["run1", "run0", "run3"], await SearchNamesAsync(experimentId, "tags.team = 'ml'", "tags.team DESC", "metrics.auc ASC"));
    }

    [Fact]
    public async Task SearchRuns_DefaultOrder_IsNewestFirst()
    {
        var (experimentId, _) = await SearchFixtureAsync();
        Assert.Equal(["run3", "run2", "run1", "run0"], await SearchNamesAsync(experimentId, null));
        Assert.Equal(["run0", "run1", "run2", "run3"], await SearchNamesAsync(experimentId, null, "attributes.start_time ASC"));
        // Ordinal order puts "LGBM" before "fasttree"; the two "lgbm" runs tie and fall back to newest first.
        Assert.Equal(["run1", "run2", "run3", "run0"], await SearchNamesAsync(experimentId, null, "params.model ASC"));
    }

    [Fact]
    public async Task SearchRuns_PageToken_WalksAllRunsOnce()
    {
        var (experimentId, runs) = await SearchFixtureAsync();

        var first = await Store.SearchRunsAsync(new RunQuery([experimentId], MaxResults: 3));
        var second = await Store.SearchRunsAsync(new RunQuery([experimentId], MaxResults: 3, PageToken: first.NextPageToken));

        Assert.Equal(3, first.Items.Count);
        Assert.NotNull(first.NextPageToken);
        Assert.Single(second.Items);
        Assert.Null(second.NextPageToken);
        Assert.Equal(runs.Select(r => r.Info.RunId).Order(), first.Items.Concat(second.Items).Select(r => r.Info.RunId).Order());
    }

    [Fact]
    public async Task SearchRuns_ReturnsFullRunData()
    {
        var (experimentId, _) = await SearchFixtureAsync();
        var run0 = (await Store.SearchRunsAsync(new RunQuery([experimentId], "attributes.run_name = 'run0'"))).Items.Single();
        Assert.Equal(0.91, run0.Data.Metrics.Single(m => m.Key == "auc").Value);
        Assert.Contains(new Param("model", "lgbm"), run0.Data.Params);
        Assert.Contains(new RunTag("team", "ml"), run0.Data.Tags);
    }

    [Fact]
    public async Task SearchRuns_BadFilter_IsInvalidParameterWithPosition()
    {
        var (experimentId, _) = await SearchFixtureAsync();
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.SearchRunsAsync(new RunQuery([experimentId], "metrics.auc >> 1")));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
        Assert.Contains("position", error.Message);
    }

    [Fact]
    public async Task SearchRuns_UnknownAttribute_IsInvalidParameter()
    {
        var (experimentId, _) = await SearchFixtureAsync();
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.SearchRunsAsync(new RunQuery([experimentId], "attributes.color = 'red'")));
        Assert.Contains("Invalid attribute key 'color'", error.Message);
    }
}
