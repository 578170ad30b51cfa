using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Client.Tests;

/// <summary>The SDK's run lifecycle, on the embedded store and against a server, with the same code.</summary>
public class ActiveRunTests
{
    /// <summary>The user's training code, written once.</summary>
    private static string Train(CairnClient cairn, int steps)
    {
        using var run = cairn.StartRun(experiment: "delay", runName: "fasttree-1");
        run.LogParam("learning_rate", 0.1);
        run.LogParam("trees", 100);
        run.SetTag("team", "ml");
        for (var step = 0; step < steps; step++) run.LogMetric("loss", 1.0 / (step + 1), step);
        run.LogMetric("auc", 0.91);
        return run.RunId;
    }

    private static async Task AssertTrained(CairnClient cairn, string runId, int steps)
    {
        var run = await cairn.Tracking.GetRunAsync(runId);
        Assert.Equal(RunStatus.Finished, run.Info.Status);
        Assert.NotNull(run.Info.EndTime);
        Assert.Contains(new Param("learning_rate", "0.1"), run.Data.Params);
        Assert.Contains(new Param("trees", "100"), run.Data.Params);
        Assert.Contains(new RunTag("team", "ml"), run.Data.Tags);
        Assert.Contains(run.Data.Tags, t => t.Key == RunContext.Runtime && t.Value.StartsWith(".NET"));
        Assert.Contains(run.Data.Tags, t => t.Key == RunContext.Host && t.Value == Environment.MachineName);
        Assert.Contains(run.Data.Tags, t => t.Key == RunContext.CommandLine);
        var history = await cairn.Tracking.GetMetricHistoryAsync(runId, "loss");
        Assert.Equal(Enumerable.Range(0, steps).Select(s => (long)s), history.Items.Select(m => m.Step));
        Assert.Equal(0.91, run.Data.Metrics.Single(m => m.Key == "auc").Value);
    }

    [Fact]
    public async Task UsingBlock_OnEmbeddedStore_EndsFinishedWithEverythingLogged()
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.Path);

        var runId = Train(cairn, 2500);

        await AssertTrained(cairn, runId, 2500);
    }

    [Fact]
    public async Task SameCode_AgainstAServer_LogsTheSame()
    {
        await using var server = await RunningServer.StartAsync();
        using var cairn = CairnClient.Open(server.BaseUri.ToString());

        var runId = Train(cairn, 2500);

        await AssertTrained(cairn, runId, 2500);
        Assert.Equal(RunStatus.Finished, (await server.Store.GetRunAsync(runId)).Info.Status); // it really is on the server
    }

    [Fact]
    public async Task ExceptionInsideUsing_EndsTheRunFailed_AndKeepsItsMetrics()
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.Path);
        string? runId = null;

        var thrown = Assert.Throws<InvalidOperationException>((Action)(() =>
        {
            using var run = cairn.StartRun("delay");
            runId = run.RunId;
            run.LogMetric("loss", 0.5, 0);
            throw new InvalidOperationException("diverged");
        }));

        Assert.Equal("diverged", thrown.Message);
        var stored = await cairn.Tracking.GetRunAsync(runId!);
        Assert.Equal(RunStatus.Failed, stored.Info.Status);
        Assert.Single(stored.Data.Metrics);
    }

    [Fact]
    public async Task ExceptionInsideUsing_WhenTheStoreIsDown_TheCallersExceptionIsTheOneThatSurfaces()
    {
        var server = await RunningServer.StartAsync();
        using var cairn = CairnClient.Open(server.BaseUri.ToString());
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            using var run = cairn.StartRun("delay", options: new ActiveRunOptions { FlushAtMetrics = 1_000_000, FlushInterval = TimeSpan.FromHours(1) });
            run.LogMetric("loss", 0.5);
            await server.DisposeAsync(); // the server goes away before the run ends
            throw new InvalidOperationException("training diverged");
        });
        Assert.Equal("training diverged", thrown.Message);
    }

    [Fact]
    public async Task LogAfterEnd_IsAClearError()
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.Path);
        var run = cairn.StartRun("delay");
        run.End();

        var error = Assert.Throws<CairnException>(() => run.LogMetric("m", 1));
        Assert.Contains("has ended", error.Message);
        run.Dispose(); // ending twice does nothing
        Assert.Equal(RunStatus.Finished, (await cairn.Tracking.GetRunAsync(run.RunId)).Info.Status);
    }

    [Fact]
    public async Task LogArtifact_UploadsUnderTheRunAndRefusesEscapingPaths()
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.File("store"));
        var file = folder.File("importance.csv");
        await File.WriteAllTextAsync(file, "feature,gain\ndistance,0.4\n");

        string runId;
        using (var run = cairn.StartRun("delay"))
        {
            runId = run.RunId;
            run.LogArtifact(file);
            run.LogArtifact(file, "reports");
            Assert.Throws<CairnException>(() => run.LogArtifact(file, "../../outside"));
            Assert.Throws<CairnException>(() => run.LogArtifact(folder.File("missing.csv")));
        }

        var download = folder.File("download");
        var written = await cairn.DownloadArtifactsAsync(RunUri.Parse($"runs:/{runId}"), download);
        Assert.Equal(2, written.Count);
        Assert.Equal("feature,gain\ndistance,0.4\n", await File.ReadAllTextAsync(Path.Combine(download, "reports", "importance.csv")));
    }

    [Fact]
    public async Task FlushFailure_KeepsTheMetricsUntilTheStoreRecovers()
    {
        using var folder = new TempFolder();
        using var inner = CairnClient.Open(folder.Path);
        var flaky = new FlakyTrackingStore(inner.Tracking);
        using var cairn = new CairnClient(flaky, inner.Artifacts, inner.Registry, inner.Datasets, inner.Location);

        // No background flush during the test: only the explicit Flush and End send.
        var run = cairn.StartRun("delay", options: new ActiveRunOptions { FlushAtMetrics = 1_000_000, FlushInterval = TimeSpan.FromHours(1) });
        for (var i = 0; i < 1500; i++) run.LogMetric("m", i, i);
        flaky.FailNextBatches = 1;
        var error = Assert.Throws<CairnException>(() => run.Flush());
        Assert.Contains("still buffered", error.Message);
        run.End();

        var history = await inner.Tracking.GetMetricHistoryAsync(run.RunId, "m");
        Assert.Equal(1500, history.Items.Count);
    }

    [Fact]
    public async Task ChildThatCannotEnd_StillLetsTheParentEnd_ThenReportsTheError()
    {
        using var folder = new TempFolder();
        using var inner = CairnClient.Open(folder.Path);
        var flaky = new FlakyTrackingStore(inner.Tracking);
        using var cairn = new CairnClient(flaky, inner.Artifacts, inner.Registry, inner.Datasets, inner.Location);
        var quiet = new ActiveRunOptions { FlushAtMetrics = 1_000_000, FlushInterval = TimeSpan.FromHours(1) };
        var parent = cairn.StartRun("cv", options: quiet);
        var child = parent.StartChildRun("fold-1");
        child.LogMetric("auc", 0.8);
        flaky.FailNextBatches = 1; // the child's metrics cannot be sent

        var error = Assert.Throws<CairnException>(() => parent.End());

        Assert.Contains("still buffered", error.Message);
        Assert.Equal(RunStatus.Finished, (await inner.Tracking.GetRunAsync(parent.RunId)).Info.Status);
    }

    [Fact]
    public void GitTags_InARepository_AreCommitBranchAndDirtyFlag()
    {
        using var folder = new TempFolder();
        LibGit2Sharp.Repository.Init(folder.Path);
        using (var repo = new LibGit2Sharp.Repository(folder.Path))
        {
            File.WriteAllText(folder.File("train.cs"), "// v1");
            LibGit2Sharp.Commands.Stage(repo, "train.cs");
            var who = new LibGit2Sharp.Signature("t", "t@example.com", DateTimeOffset.UnixEpoch);
            repo.Commit("first", who, who, new LibGit2Sharp.CommitOptions());
        }
        var clean = RunContext.Git(folder.Path);
        File.WriteAllText(folder.File("train.cs"), "// v2");
        var dirty = RunContext.Git(folder.Path);

        Assert.Matches("^[0-9a-f]{40}$", clean[RunContext.GitCommit]);
        Assert.Equal("false", clean[RunContext.GitDirty]);
        Assert.Contains(clean[RunContext.GitBranch], new[] { "master", "main" });
        Assert.Equal("true", dirty[RunContext.GitDirty]);
    }

    [Fact]
    public void GitTags_OriginWithAToken_IsTaggedWithoutIt()
    {
        using var folder = new TempFolder();
        LibGit2Sharp.Repository.Init(folder.Path);
        using (var repo = new LibGit2Sharp.Repository(folder.Path))
            repo.Network.Remotes.Add("origin", "https://ci-bot:ghp_s3cretT0ken@example.com/org/repo.git");

        var tags = RunContext.Git(folder.Path);

        Assert.Equal("https://example.com/org/repo.git", tags[RunContext.GitRepoUrl]);
        Assert.Equal("git@example.com:org/repo.git", RunContext.WithoutCredentials("git@example.com:org/repo.git"));
        Assert.Equal("https://example.com/org/repo.git", RunContext.WithoutCredentials("https://example.com/org/repo.git"));
    }

    [Fact]
    public void GitTags_OutsideARepository_AreNone()
    {
        using var folder = new TempFolder();
        Assert.DoesNotContain(RunContext.GitCommit, RunContext.Git(folder.Path).Keys);
    }

    /// <summary>Fault injection: fails a set number of batch writes, then delegates.</summary>
    private sealed class FlakyTrackingStore(ITrackingStore inner) : ITrackingStore
    {
        public int FailNextBatches { get; set; }

        public Task LogBatchAsync(string runId, LogBatch batch, CancellationToken ct = default)
        {
            if (FailNextBatches > 0)
            {
                FailNextBatches--;
                throw new CairnException(ErrorCodes.TemporarilyUnavailable, "store unavailable");
            }
            return inner.LogBatchAsync(runId, batch, ct);
        }

        public Task<string> CreateExperimentAsync(string name, string? artifactLocation = null, IReadOnlyList<ExperimentTag>? tags = null, CancellationToken ct = default) => inner.CreateExperimentAsync(name, artifactLocation, tags, ct);
        public Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken ct = default) => inner.GetExperimentAsync(experimentId, ct);
        public Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken ct = default) => inner.GetExperimentByNameAsync(name, ct);
        public Task<Page<Experiment>> SearchExperimentsAsync(ExperimentQuery query, CancellationToken ct = default) => inner.SearchExperimentsAsync(query, ct);
        public Task RenameExperimentAsync(string experimentId, string newName, CancellationToken ct = default) => inner.RenameExperimentAsync(experimentId, newName, ct);
        public Task DeleteExperimentAsync(string experimentId, CancellationToken ct = default) => inner.DeleteExperimentAsync(experimentId, ct);
        public Task RestoreExperimentAsync(string experimentId, CancellationToken ct = default) => inner.RestoreExperimentAsync(experimentId, ct);
        public Task SetExperimentTagAsync(string experimentId, ExperimentTag tag, CancellationToken ct = default) => inner.SetExperimentTagAsync(experimentId, tag, ct);
        public Task<Run> CreateRunAsync(NewRun run, CancellationToken ct = default) => inner.CreateRunAsync(run, ct);
        public Task<Run> GetRunAsync(string runId, CancellationToken ct = default) => inner.GetRunAsync(runId, ct);
        public Task<RunInfo> UpdateRunAsync(RunUpdate update, CancellationToken ct = default) => inner.UpdateRunAsync(update, ct);
        public Task DeleteRunAsync(string runId, CancellationToken ct = default) => inner.DeleteRunAsync(runId, ct);
        public Task RestoreRunAsync(string runId, CancellationToken ct = default) => inner.RestoreRunAsync(runId, ct);
        public Task<Page<Run>> SearchRunsAsync(RunQuery query, CancellationToken ct = default) => inner.SearchRunsAsync(query, ct);
        public Task<IReadOnlyList<ExperimentRunSummary>> SummarizeRunsAsync(IReadOnlyList<string> experimentIds, CancellationToken ct = default) => inner.SummarizeRunsAsync(experimentIds, ct);
        public Task DeleteTagAsync(string runId, string key, CancellationToken ct = default) => inner.DeleteTagAsync(runId, key, ct);
        public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken ct = default) => inner.LogInputsAsync(runId, inputs, ct);
        public Task<Page<Metric>> GetMetricHistoryAsync(string runId, string metricKey, int? maxResults = null, string? pageToken = null, CancellationToken ct = default) => inner.GetMetricHistoryAsync(runId, metricKey, maxResults, pageToken, ct);
    }
}
