// The Cairn quickstart: train flight-delay classifiers (FastTree and LightGbm, three settings
// each) on real flights, track every run, and compare them. No server, no set-up: runs go to
// ./.cairn unless CAIRN_TRACKING_URI says otherwise.
using System.Globalization;
using Cairn;
using Cairn.Examples.Quickstart;
using Cairn.Models;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;
using Spectre.Console;

const string Experiment = "quickstart-delay";
var dataPath = Path.Combine(AppContext.BaseDirectory, "data", "flights-sample.csv");
var work = Directory.CreateTempSubdirectory("cairn-quickstart-");

var datasetDigest = ModelPackage.Digest(dataPath); // BLAKE3 of the data file: which data trained each run
var ml = new MLContext(seed: 1);
var flights = Flights.Load(dataPath);
var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(flights), testFraction: 0.2, seed: 1);
var featurizer = ml.Transforms.Categorical.OneHotEncoding([new("OriginCode", "Origin"), new("DestinationCode", "Destination")])
    .Append(ml.Transforms.Concatenate("Features", "Hour", "DayOfWeek", "Month", "Distance", "OriginCode", "DestinationCode"))
    .Fit(split.TrainSet);
var train = featurizer.Transform(split.TrainSet);
var test = featurizer.Transform(split.TestSet);
var testRows = ml.Data.CreateEnumerable<FeaturizedFlight>(test, reuseRowObject: false).ToList();
VBuffer<ReadOnlyMemory<char>> slotNames = default;
train.Schema["Features"].GetSlotNames(ref slotNames);
var featureNames = slotNames.DenseValues().Select(n => n.ToString()).ToArray();

if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 160; // keep run ids on one line in logs
using var cairn = CairnClient.FromEnvironment();
AnsiConsole.MarkupLine($"[bold]Cairn quickstart[/]: {flights.Count:N0} flights, {testRows.Count:N0} held out; tracking to {Markup.Escape(cairn.Describe())}");

var settings = new (string Trainer, int Trees, int Leaves, double LearningRate)[]
{
    ("FastTree", 50, 16, 0.2), ("FastTree", 100, 31, 0.1), ("FastTree", 200, 63, 0.05),
    ("LightGbm", 50, 16, 0.2), ("LightGbm", 100, 31, 0.1), ("LightGbm", 200, 63, 0.05),
};
var runIds = new List<string>();
foreach (var (trainer, trees, leaves, learningRate) in settings)
{
    using var run = cairn.StartRun(Experiment, runName: $"{trainer.ToLowerInvariant()}-{trees}x{leaves}");
    run.LogParams(new Dictionary<string, object?>
    {
        ["trainer"] = trainer, ["number_of_trees"] = trees, ["number_of_leaves"] = leaves, ["learning_rate"] = learningRate,
        ["minimum_example_count_per_leaf"] = 20, ["training_rows"] = flights.Count - testRows.Count, ["test_rows"] = testRows.Count,
        ["label"] = "delay > 15 min", ["dataset"] = "flights-sample.csv",
    });
    run.SetTag("example", "quickstart");
    run.LogInput("flights-sample", datasetDigest, "examples/Quickstart/data/flights-sample.csv", context: "training");

    var started = DateTime.UtcNow;
    ITransformer model;
    RegressionTreeEnsemble ensemble;
    VBuffer<float> gains = default;
    if (trainer == "FastTree")
    {
        var fitted = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            LabelColumnName = "Late", NumberOfTrees = trees, NumberOfLeaves = leaves, LearningRate = learningRate, MinimumExampleCountPerLeaf = 20,
        }).Fit(train);
        model = fitted;
        ensemble = fitted.Model.SubModel.TrainedTreeEnsemble;
        fitted.Model.SubModel.GetFeatureWeights(ref gains);
    }
    else
    {
        var fitted = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            LabelColumnName = "Late", NumberOfIterations = trees, NumberOfLeaves = leaves, LearningRate = learningRate, MinimumExampleCountPerGroup = 20,
        }).Fit(train);
        model = fitted;
        ensemble = fitted.Model.SubModel.TrainedTreeEnsemble;
        fitted.Model.SubModel.GetFeatureWeights(ref gains);
    }
    run.LogMetric("training_seconds", (DateTime.UtcNow - started).TotalSeconds);

    // Per-iteration metrics: the held-out AUC after every 10 trees.
    foreach (var (treeCount, auc) in BoostingCurve.AucByIteration(ensemble, testRows, every: 10))
        run.LogMetric("test_auc_by_iteration", auc, step: treeCount);

    var metrics = ml.BinaryClassification.Evaluate(model.Transform(test), labelColumnName: "Late");
    run.LogMetrics(new Dictionary<string, double>
    {
        ["auc"] = metrics.AreaUnderRocCurve, ["accuracy"] = metrics.Accuracy, ["f1"] = metrics.F1Score,
        ["log_loss"] = metrics.LogLoss, ["precision"] = metrics.PositivePrecision, ["recall"] = metrics.PositiveRecall,
    });

    // The model package: model.zip, MLmodel (signature, input example) and file digests.
    run.LogModel("model", ml, featurizer.Append(model), split.TrainSet.Schema, flights.Take(3).ToList(), labelColumn: "Late");
    var importance = Path.Combine(work.FullName, "feature_importance.csv");
    var gainValues = gains.DenseValues().ToArray();
    File.WriteAllLines(importance, gainValues.Select((g, i) => (Name: featureNames[i], Gain: g)).Where(f => f.Gain > 0)
        .OrderByDescending(f => f.Gain).Select(f => $"{f.Name.Replace(',', ';')},{f.Gain.ToString("R", CultureInfo.InvariantCulture)}").Prepend("feature,gain"));
    run.LogArtifact(importance);

    runIds.Add(run.RunId);
    AnsiConsole.MarkupLine($"  {trainer,-8} {trees,3} trees x {leaves,2} leaves, lr {learningRate,-4}: AUC [green]{metrics.AreaUnderRocCurve:F4}[/]  run {run.RunId}");
}

// Compare: the runs of this experiment, best first, as a user would with `cairn runs search`.
var best = cairn.SearchRuns(Experiment, filter: $"attributes.run_id IN ({string.Join(", ", runIds.Select(id => $"'{id}'"))})", orderBy: "metrics.auc DESC");
var table = new Table().Title("Runs, best AUC first").AddColumns("Run", "Trainer", "Trees", "Leaves", "LR", "AUC", "Accuracy", "F1", "Log loss", "Train s");
foreach (var r in best)
{
    string P(string key) => r.Params.GetValueOrDefault(key, "");
    string M(string key) => r.Metrics.TryGetValue(key, out var value) ? value.ToString("F4", CultureInfo.InvariantCulture) : "";
    table.AddRow(Markup.Escape(r.RunName), P("trainer"), P("number_of_trees"), P("number_of_leaves"), P("learning_rate"),
        M("auc"), M("accuracy"), M("f1"), M("log_loss"), M("training_seconds"));
}
AnsiConsole.Write(table);

// Register the best run's model and promote it to champion behind a metric gate.
var version = cairn.RegisterModel($"runs:/{best[0].RunId}/model", Experiment, "Flags US domestic flights likely to arrive more than 15 minutes late.");
var promotion = cairn.Promote(Experiment, version.Version, "champion", gate: "metrics.auc >= champion.metrics.auc - 0.005", comment: "quickstart: best AUC");
AnsiConsole.MarkupLine($"Registered models:/{Experiment}/{version.Version}; promotion to champion: [bold]{promotion.Outcome}[/] ({Markup.Escape(promotion.Gate?.Summary ?? "")}).");
using var champion = await cairn.LoadModelAsync($"models:/{Experiment}@champion");
var sample = flights[0];
var prediction = champion.Predict(new Dictionary<string, object?>
{
    ["Hour"] = sample.Hour, ["DayOfWeek"] = sample.DayOfWeek, ["Month"] = sample.Month, ["Distance"] = sample.Distance,
    ["Origin"] = sample.Origin, ["Destination"] = sample.Destination,
});
AnsiConsole.MarkupLine($"models:/{Experiment}@champion on {sample.Origin}->{sample.Destination} at {sample.Hour}h: P(late) = {(float)prediction["Probability"]!:F3}");
AnsiConsole.MarkupLine($"Stored in {Markup.Escape(cairn.Describe())}.");
AnsiConsole.MarkupLine($"Each run has params, metrics (test_auc_by_iteration per 10 trees), tags (git commit, machine, .NET) and artifacts: the model package model/ and feature_importance.csv.");
AnsiConsole.MarkupLine($"Next: [bold]./cairn runs list -e {Experiment}[/], [bold]./cairn runs compare {runIds[0]} {runIds[3]}[/], [bold]./cairn models lineage models:/{Experiment}@champion[/], [bold]./cairn models card models:/{Experiment}@champion[/]");
work.Delete(recursive: true);
