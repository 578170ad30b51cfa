using Cairn.Models;
using Cairn.Registry;
using Cairn.Testing;
using Cairn.Tracking;
using Parquet.Serialization;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// A real server with what the pages show: an experiment of 30 runs shaped like the quickstart's
/// (two trainers, nine params of which five are the same in every run, nine metrics of which one
/// is constant, a loss curve each, the context tags the SDK adds: git commit, command line...),
/// one run with a 100,000-point metric, artifacts of every preview kind, dataset inputs (one
/// named by its 64-character BLAKE3 digest, as <c>LogInput</c> records it), and a registered
/// model version promoted through a failed gate and an approval.
/// </summary>
public sealed class SeededServer : IAsyncLifetime
{
    public const string Experiment = "ui-flights";
    public const string Model = "flight-delay";
    public const string QuickstartModel = "quickstart-delay";
    public const string Dataset = "flights";
    public const int Runs = 30;
    public const int BigMetricPoints = 100_000;
    /// <summary>When the first run started; run i starts i minutes later.</summary>
    public const long FirstStart = 1_760_000_000_000L;
    /// <summary>The digest the showcase run's <c>flights-sample</c> input was logged with (BLAKE3, hex).</summary>
    public const string SampleDigest = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809";
    public const string GitCommit = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c";
    public const string CommandLine = "/usr/share/dotnet/dotnet /home/ci/src/cairn/examples/Quickstart/bin/Release/net10.0/Cairn.Examples.Quickstart.dll --data /home/ci/src/cairn/examples/Quickstart/data/flights-sample.csv --experiment quickstart-delay";

    public RunningServer Server { get; private set; } = null!;
    public string ExperimentId { get; private set; } = "";
    /// <summary>The run with artifacts, inputs, the 100,000-point metric and the registered model.</summary>
    public string ShowcaseRunId { get; private set; } = "";
    public IReadOnlyList<string> RunIds { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Server = await RunningServer.StartAsync();
        var store = Server.Store;
        ExperimentId = await store.CreateExperimentAsync(Experiment);
        var start = FirstStart;
        var ids = new List<string>();
        for (var i = 0; i < Runs; i++)
        {
            var trainer = i % 2 == 0 ? "LightGbm" : "FastTree";
            var run = await store.CreateRunAsync(new NewRun(ExperimentId, "ci", start + i * 60_000L, $"{trainer.ToLowerInvariant()}-{i:D2}"));
            var auc = 0.6 + i * 0.01;
            var curve = Enumerable.Range(0, 50).Select(s => new Metric("loss", 1.0 / (s + 1 + i % 5), start + i * 60_000L + s * 1000L, s)).ToList();
            var at = start + i * 60_000L + 50_000;
            static string Text(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await store.LogBatchAsync(run.Info.RunId, new LogBatch(
                [new Metric("auc", auc, at, 0), new Metric("accuracy", 0.7 + (i % 7) * 0.01, at, 0), new Metric("epochs", 50, at, 0),
                    new Metric("f1", 0.4 + i * 0.005, at, 0), new Metric("log_loss", 0.6 - i * 0.004, at, 0), new Metric("precision", 0.5 + (i % 4) * 0.02, at, 0),
                    new Metric("recall", 0.3 + (i % 6) * 0.03, at, 0), new Metric("training_seconds", 2.5 + i * 0.1, at, 0), .. curve],
                [new Param("trainer", trainer), new Param("learning_rate", Text(Math.Round(0.05 * (1 + i % 4), 2))), new Param("leaves", Text(16 << (i % 3))),
                    new Param("trees", Text(50 << (i % 3))),
                    // The same in every run: shown after the params that differ.
                    new Param("dataset", "flights-sample.csv"), new Param("label", "delay > 15 min"), new Param("minimum_example_count_per_leaf", "20"),
                    new Param("test_rows", "5940"), new Param("training_rows", "23757")],
                [new RunTag("team", i % 3 == 0 ? "search" : "ads"), .. ContextTags()]));
            await store.UpdateRunAsync(new RunUpdate(run.Info.RunId, RunStatus.Finished, start + i * 60_000L + 55_000));
            ids.Add(run.Info.RunId);
        }
        RunIds = ids;
        ShowcaseRunId = ids[^1];
        await SeedShowcaseAsync(ShowcaseRunId);
    }

    /// <summary>The tags <see cref="RunContext.Capture"/> gives a run started from a checkout.</summary>
    private static IEnumerable<RunTag> ContextTags() =>
    [
        new(RunContext.GitCommit, GitCommit), new(RunContext.GitBranch, "main"), new(RunContext.GitDirty, "false"),
        new(RunContext.GitRepoUrl, "https://github.com/example/cairn.git"), new(RunContext.SourceName, "Cairn.Examples.Quickstart.dll"),
        new(RunContext.SourceType, "LOCAL"), new(RunContext.User, "ci"), new(RunContext.Host, "build-agent-07"),
        new(RunContext.Runtime, ".NET 10.0.0"), new(RunContext.CommandLine, CommandLine),
    ];

    private async Task SeedShowcaseAsync(string runId)
    {
        var store = Server.Store;
        for (var offset = 0; offset < BigMetricPoints; offset += 1000)
        {
            var batch = Enumerable.Range(offset, 1000)
                .Select(s => new Metric("grad_norm", Math.Sin(s / 500.0) + (s == 77_777 ? 25 : 0), 1_760_000_000_000L + s * 10L, s)).ToList();
            await store.LogBatchAsync(runId, new LogBatch(batch));
        }
        await store.LogInputsAsync(runId, [new DatasetInput([new InputTag(DatasetInput.ContextTag, "training")],
            new Dataset("flights-sample", SampleDigest, "local", "examples/Quickstart/data/flights-sample.csv"))]);
        var flights = await Server.Stores.Datasets.CreateVersionAsync(new Data.NewDatasetVersion(Dataset, "blake3:" + new string('9', 64), "file", 958_132, 1,
            "data/flights.csv", "0123456789abcdef0123456789abcdef01234567",
            new Data.TableSummary("csv", 29_697, [new Data.TableColumn("date", "timestamp"), new Data.TableColumn("delay", "int64")]), "the quickstart's sample", "ci"));
        await store.LogInputsAsync(runId, [new DatasetInput([new InputTag(DatasetInput.ContextTag, "training")],
            new Dataset(flights.Name, flights.Digest, ActiveRun.DatasetSourceType, flights.ToUri().ToString()))]);

        var run = await store.GetRunAsync(runId);
        var root = Artifacts.ArtifactPath.FromUri(run.Info.ArtifactUri);
        async Task Put(string path, byte[] content) => await Server.Artifacts.PutAsync(root + "/" + path, new MemoryStream(content));
        await Put("notes.txt", "Trained on the summer sample.\nSecond line."u8.ToArray());
        await Put("config.json", """{"trainer":"LightGbm","leaves":64,"features":["Hour","Distance"]}"""u8.ToArray());
        await Put("importance.csv", "feature,gain\nDistance,0.41\n\"Hour, local\",0.33\nOrigin,0.26\n"u8.ToArray());
        await Put("plots/roc.png", Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="));
        var parquet = new MemoryStream();
        await ParquetSerializer.SerializeAsync(Enumerable.Range(0, 40).Select(i => new ScoredRow { Id = i, Origin = i % 2 == 0 ? "ORD" : "SEA", Delay = i * 1.5 }), parquet);
        await Put("predictions.parquet", parquet.ToArray());
        var manifest = ModelManifest.Create("model", runId, new ModelSignature(
            [new ColumnSpec("Hour", "float"), new ColumnSpec("Origin", "string")], [new ColumnSpec("Score", "float")]));
        manifest.AddFlavor(ModelManifest.MlnetFlavor, new Dictionary<string, string> { ["model_path"] = "model.zip" });
        await Put("model/MLmodel", System.Text.Encoding.UTF8.GetBytes(manifest.ToString()));
        await Put("model/model.zip", [1, 2, 3]);

        using var client = new CairnClient(store, Server.Artifacts, Server.Registry, Server.Stores.Datasets, new EmbeddedLocation(Server.Folder, Server.Folder));
        var registry = new ModelRegistry(client);
        await registry.RegisterAsync($"runs:/{runId}/model", Model, "Predicts whether a flight arrives 15 minutes late.", actor: "ci");
        var promotion = await registry.PromoteAsync(Model, "1", "champion", "metrics.auc >= 0.99", actor: "ci");
        if (promotion.Outcome != PromotionOutcome.PendingApproval) throw new InvalidOperationException("expected the gate to fail");
        await registry.ApproveAsync(Model, "1", "champion", "AUC gate waived for the demo", actor: "reviewer");
        // Named as the quickstart names its model, with two aliases: the widest endpoints node.
        await registry.RegisterAsync($"runs:/{runId}/model", QuickstartModel, "Flags US domestic flights likely to arrive more than 15 minutes late.", actor: "ci");
        await registry.SetAliasAsync(QuickstartModel, "champion", "1", actor: "ci");
        await registry.SetAliasAsync(QuickstartModel, "production", "1", actor: "ci");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public sealed class ScoredRow
    {
        public int Id { get; set; }
        public string Origin { get; set; } = "";
        public double Delay { get; set; }
    }
}

[CollectionDefinition(Name)]
public sealed class SeededServerCollection : ICollectionFixture<SeededServer>
{
    public const string Name = "seeded server";
}
