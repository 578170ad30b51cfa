using System.Diagnostics;
using System.Globalization;
using Cairn.Models;
using Microsoft.ML;

namespace Cairn.Bench;

/// <summary>
/// A FastTree flight-delay model of about 1 MB (trained on the quickstart's flights sample),
/// logged, registered and aliased champion in an embedded store. Timed: resolve + fetch + verify +
/// load of <c>models:/delay@champion</c> (the process already warm), against loading the same zip
/// straight from disk with ML.NET; and single-row prediction latency of the loaded model with the
/// ML.NET and ONNX flavors side by side.
/// </summary>
public static class RegistryBenchmark
{
    public sealed class Flight
    {
        public float Hour { get; set; }
        public float DayOfWeek { get; set; }
        public float Distance { get; set; }
        public string Origin { get; set; } = "";
        public string Destination { get; set; } = "";
        public bool Late { get; set; }
    }

    public sealed class FlightInput
    {
        public float Hour { get; set; }
        public float DayOfWeek { get; set; }
        public float Distance { get; set; }
        public string Origin { get; set; } = "";
        public string Destination { get; set; } = "";
    }

    public sealed class Prediction
    {
        public float Probability { get; set; }
    }

    public static async Task RunAsync(Report report)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-registry-");
        try
        {
            var flights = LoadFlights();
            using var cairn = CairnClient.Open(folder.FullName);
            var uri = LogDelayModel(cairn, flights, "registry-bench", leaves: 63, trees: 450);
            var registry = new ModelRegistry(cairn);
            var version = await registry.RegisterAsync(uri, "delay");
            await registry.SetAliasAsync("delay", "champion", version.Version);

            // Baseline: the zip already on local disk, loaded by ML.NET alone.
            var local = Path.Combine(folder.FullName, "local");
            var (_, packagePath) = await registry.ResolveAsync("models:/delay@champion");
            await registry.DownloadPackageAsync(packagePath, local);
            var zip = Path.Combine(local, "model.zip");
            var sizeMb = new FileInfo(zip).Length / 1e6;

            for (var i = 0; i < 3; i++) (await cairn.LoadModelAsync("models:/delay@champion")).Dispose();
            var loads = new List<double>();
            var plain = new List<double>();
            for (var i = 0; i < 20; i++)
            {
                var clock = Stopwatch.StartNew();
                using (await cairn.LoadModelAsync("models:/delay@champion")) { }
                loads.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                new MLContext().Model.Load(zip, out _);
                plain.Add(clock.Elapsed.TotalMilliseconds);
            }
            var load = Report.Median(loads);
            var baseline = Report.Median(plain);
            report.Add($"registry: resolve + fetch + verify + load models:/delay@champion ({sizeMb:F1} MB zip)", $"{load:F1} ms median",
                $"{baseline:F1} ms ML.NET Model.Load from local disk", $"{load / baseline:F2}x", "< 200 ms median", load < 200);

            // Single-row latency, both flavors of the same model.
            OnnxExport.AddOnnxFlavor(ModelPackage.Open(local));
            var package = ModelPackage.Open(local);
            using var mlnet = (MlnetPredictor)ModelLoading.Load(package, "mlnet");
            using var onnx = ModelLoading.Load(package, "onnx");
            var engine = mlnet.CreateEngine<FlightInput, Prediction>();
            var rows = flights.Skip(100).Take(2000).ToList();
            var inputs = rows.Select(f => new FlightInput { Hour = f.Hour, DayOfWeek = f.DayOfWeek, Distance = f.Distance, Origin = f.Origin, Destination = f.Destination }).ToList();
            var dicts = rows.Select(f => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
            {
                ["Hour"] = f.Hour, ["DayOfWeek"] = f.DayOfWeek, ["Distance"] = f.Distance, ["Origin"] = f.Origin, ["Destination"] = f.Destination,
            }).ToList();
            var typed = Latency(i => engine.Predict(inputs[i % inputs.Count]));
            var mlnetRows = Latency(i => mlnet.Predict([dicts[i % dicts.Count]]));
            var onnxRows = Latency(i => onnx.Predict([dicts[i % dicts.Count]]));
            report.Add("single-row predict, ML.NET flavor, typed PredictionEngine", $"{typed.Median:F1} µs median, p99 {typed.P99:F1} µs", "(the baseline)", "1.00x", "report", true);
            report.Add("single-row predict, ML.NET flavor, column values", $"{mlnetRows.Median:F1} µs median, p99 {mlnetRows.P99:F1} µs",
                $"{typed.Median:F1} µs typed ML.NET", $"{mlnetRows.Median / typed.Median:F2}x", "report", true);
            report.Add("single-row predict, ONNX flavor (ONNX Runtime), column values", $"{onnxRows.Median:F1} µs median, p99 {onnxRows.P99:F1} µs",
                $"{typed.Median:F1} µs typed ML.NET", $"{onnxRows.Median / typed.Median:F2}x", "report", true);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static (double Median, double P99) Latency(Action<int> predict)
    {
        for (var i = 0; i < 500; i++) predict(i);
        var times = new double[5000];
        for (var i = 0; i < times.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            predict(i);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        return (Report.Median(times), Report.Percentile(times, 0.99));
    }

    /// <summary>Trains a FastTree delay classifier on <paramref name="flights"/> and logs it as a package; returns its runs:/ URI.</summary>
    /// <param name="lightGbm">Train with LightGBM instead of FastTree.</param>
    public static string LogDelayModel(CairnClient cairn, List<Flight> flights, string experiment, int leaves, int trees, bool lightGbm = false)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(flights);
        var model = ml.Transforms.Categorical.OneHotEncoding([new("OriginCode", "Origin"), new("DestinationCode", "Destination")])
            .Append(ml.Transforms.Concatenate("Features", "Hour", "DayOfWeek", "Distance", "OriginCode", "DestinationCode"))
            .Append(lightGbm
                ? ml.BinaryClassification.Trainers.LightGbm(labelColumnName: "Late", numberOfLeaves: leaves, numberOfIterations: trees, minimumExampleCountPerLeaf: 5)
                : (IEstimator<ITransformer>)ml.BinaryClassification.Trainers.FastTree(labelColumnName: "Late", numberOfLeaves: leaves, numberOfTrees: trees))
            .Fit(data);
        using var run = cairn.StartRun(experiment);
        return run.LogModel("model", ml, model, data.Schema, flights.Take(2).ToList(), labelColumn: "Late").ModelUri;
    }

    public static List<Flight> LoadFlights()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cairn.slnx"))) dir = dir.Parent;
        var csv = Path.Combine(dir!.FullName, "examples", "Quickstart", "data", "flights-sample.csv");
        return File.ReadLines(csv).Skip(1).Select(line =>
        {
            var f = line.Split(',');
            var date = DateTime.Parse(f[0], CultureInfo.InvariantCulture);
            return new Flight
            {
                Hour = date.Hour, DayOfWeek = (float)date.DayOfWeek, Distance = float.Parse(f[2], CultureInfo.InvariantCulture),
                Origin = f[3], Destination = f[4], Late = int.Parse(f[1], CultureInfo.InvariantCulture) > 15,
            };
        }).ToList();
    }
}
