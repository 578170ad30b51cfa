using Cairn.Models;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Cairn.Examples.Earthquakes;

/// <summary>What one run of the example produced.</summary>
/// <param name="ModelUri">The registered model with its alias: <c>models:/earthquakes@champion</c>.</param>
/// <param name="TestRows">The held-out events the metrics were computed on.</param>
/// <param name="MissingDepthMagnitude">The champion's prediction for an event whose depth is missing.</param>
public sealed record EarthquakesResult(string RunId, string ModelName, int Version, string ModelUri, double Rmse, double Mae, double RSquared,
    IReadOnlyList<Quake> TestRows, float MissingDepthMagnitude);

/// <summary>
/// The example's body, callable from a test: a magnitude regression on a catalogue with missing
/// values, tracked, registered, promoted to champion and scored through the registry.
/// </summary>
public static class EarthquakesExample
{
    /// <summary>The experiment the run goes to.</summary>
    public const string Experiment = "earthquakes";
    /// <summary>The registered model's name.</summary>
    public const string ModelName = "earthquakes";
    /// <summary>The alias the new version gets.</summary>
    public const string Alias = "champion";

    /// <summary>Runs the whole example against <paramref name="cairn"/> (embedded store or server), narrating to <paramref name="output"/>.</summary>
    public static async Task<EarthquakesResult> RunAsync(CairnClient cairn, TextWriter output, CancellationToken ct = default)
    {
        var quakes = EarthquakeCatalogue.Generate();
        var train = quakes.Where((_, i) => i % 5 != 0).ToList();
        var test = quakes.Where((_, i) => i % 5 == 0).ToList();
        output.WriteLine($"Catalogue: {quakes.Count} events, {quakes.Count(q => float.IsNaN(q.DepthKm))} without a depth, "
            + $"{quakes.Count(q => float.IsNaN(q.StationCount))} without a station count; {test.Count} held out.");

        // The data set is identified by the digest of its CSV, so the run records exactly which catalogue trained it.
        var folder = Directory.CreateTempSubdirectory("cairn-earthquakes-");
        try
        {
            var csv = Path.Combine(folder.FullName, "earthquakes.csv");
            await File.WriteAllTextAsync(csv, EarthquakeCatalogue.ToCsv(quakes), ct);
            var digest = ModelPackage.Digest(csv);

            var ml = new MLContext(seed: 42);
            var trainData = ml.Data.LoadFromEnumerable(train);
            const int Trees = 200, Leaves = 16;
            const double LearningRate = 0.1;
            // Missing numbers: an indicator column says which were missing, then the training mean fills them in,
            // so the trees can learn both from the value and from its absence.
            var pipeline = ml.Transforms.IndicateMissingValues([new("depth_missing", "depth_km"), new("stations_missing", "station_count")])
                .Append(ml.Transforms.Conversion.ConvertType([new("depth_missing_f", "depth_missing"), new("stations_missing_f", "stations_missing")], DataKind.Single))
                .Append(ml.Transforms.ReplaceMissingValues([new("depth_filled", "depth_km"), new("stations_filled", "station_count")], MissingValueReplacingEstimator.ReplacementMode.Mean))
                .Append(ml.Transforms.Categorical.OneHotEncoding("region_code", "region"))
                .Append(ml.Transforms.Concatenate("Features", "latitude", "longitude", "depth_filled", "depth_missing_f", "stations_filled", "stations_missing_f", "gap_degrees", "region_code"))
                .Append(ml.Regression.Trainers.FastTree(labelColumnName: "magnitude", numberOfLeaves: Leaves, numberOfTrees: Trees, minimumExampleCountPerLeaf: 10, learningRate: LearningRate));

            using var run = cairn.StartRun(Experiment, runName: "fasttree-magnitude");
            run.LogParams(new Dictionary<string, object?> { ["missing_values"] = "indicator + mean", ["training_rows"] = train.Count, ["test_rows"] = test.Count });
            run.SetTag("example", "earthquakes");
            run.LogInput("earthquakes", digest, "examples/Earthquakes (generated, seed 42)", context: "training");

            // Autologging: the trainer's options as params, the train/validation RMSE by number of trees, feature
            // importance, and the model package (signature, input example) registered as the next version, in one call.
            var testData = ml.Data.LoadFromEnumerable(test);
            var trained = run.TrainAndLog(ml, pipeline, trainData, validation: testData, new AutologOptions { RegisteredModelName = ModelName });
            var metrics = run.EvaluateAndLog(ml, trained.Model, testData, "magnitude", prefix: "test_");
            double rmse = metrics["test_root_mean_squared_error"], mae = metrics["test_mean_absolute_error"], r2 = metrics["test_r_squared"];
            output.WriteLine($"Run {run.RunId}: rmse {rmse:0.000}, mae {mae:0.000}, r2 {r2:0.000}");

            var version = trained.Logged!.RegisteredVersion!.Version;
            cairn.SetAlias(ModelName, Alias, version);
            var uri = $"models:/{ModelName}@{Alias}";
            output.WriteLine($"Registered {ModelName} version {version} as {uri}");

            using var champion = await cairn.LoadModelAsync(uri, ct: ct);
            var unknownDepth = new Dictionary<string, object?>
            {
                ["latitude"] = 35.7f, ["longitude"] = 139.7f, ["depth_km"] = null, ["station_count"] = 40f, ["gap_degrees"] = 60f, ["region"] = "japan",
            };
            var magnitude = (float)champion.Predict(unknownDepth)["Score"]!;
            output.WriteLine($"An event near Tokyo with no depth, recorded by 40 stations: magnitude {magnitude:0.00}");
            return new EarthquakesResult(run.RunId, ModelName, version, uri, rmse, mae, r2, test, magnitude);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
