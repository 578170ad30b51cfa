using System.Diagnostics;
using Cairn.Models;
using Microsoft.ML;

namespace Cairn.Bench;

/// <summary>
/// ML.NET autologging's cost: FastTree (binary, 100 trees x 31 leaves) on the quickstart's 29,697
/// flights, 80 % to train and 20 % to validate, fitted plainly and through <c>TrainAndLog</c> (params,
/// train and validation log-loss every 4 trees on their first 5,000 rows, feature importance, model package) on the embedded
/// store, same seed. Rounds alternate (other work on the shared cores moves a run by more than the 5 % looked for);
/// each figure is the median of the rounds' overheads. The run exists already (TrainAndLog
/// extends it); its end, which flushes the metrics, is timed.
/// </summary>
public static class AutologBenchmark
{
    private const int Rounds = 7;

    /// <summary>Flights of ../shared/data/flights-3m.parquet timed when it is beside the repository (a longer fit).</summary>
    private const int LargeFlights = 300_000;

    public static void Run(Report report)
    {
        Measure(report, RegistryBenchmark.LoadFlights(), "29.7k flights", Rounds);
        if (LargeSample() is { } large) Measure(report, large, $"{large.Count / 1000}k flights of flights-3m", 3);
    }

    private static List<RegistryBenchmark.Flight>? LargeSample()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cairn.slnx"))) dir = dir.Parent;
        var path = dir?.Parent is { } parent ? Path.Combine(parent.FullName, "shared", "data", "flights-3m.parquet") : null;
        if (path is null || !File.Exists(path)) return null;
        return LoadAsync(path).GetAwaiter().GetResult();

        static async Task<List<RegistryBenchmark.Flight>> LoadAsync(string path)
        {
            var flights = new List<RegistryBenchmark.Flight>(LargeFlights);
            await using var reader = await Cairn.Quality.Tables.ParquetTableReader.OpenAsync(path);
            int Field(string name) => reader.Fields.Select((f, i) => (f.Name, i)).First(f => f.Name == name).i;
            var (date, delay, distance, origin, destination) = (Field("date"), Field("delay"), Field("distance"), Field("origin"), Field("destination"));
            await foreach (var batch in reader.ReadAsync(new HashSet<int> { date, delay, distance, origin, destination }))
                for (var row = 0; row < batch.RowCount && flights.Count < LargeFlights; row++)
                {
                    if (!batch[date].TryGetTimestamp(row, out var when) || !batch[delay].TryGetNumber(row, out var minutes)
                        || !batch[distance].TryGetNumber(row, out var miles)) continue;
                    flights.Add(new RegistryBenchmark.Flight
                    {
                        Hour = when.Hour, DayOfWeek = (float)when.DayOfWeek, Distance = (float)miles,
                        Origin = batch[origin].GetText(row) ?? "", Destination = batch[destination].GetText(row) ?? "", Late = minutes > 15,
                    });
                }
            return flights;
        }
    }

    private static void Measure(Report report, List<RegistryBenchmark.Flight> flights, string data, int rounds)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-autolog-");
        try
        {
            using var cairn = CairnClient.Open(folder.FullName);
            (IEstimator<ITransformer> Pipeline, IDataView Train, IDataView Validation, MLContext Ml) Setup()
            {
                var ml = new MLContext(seed: 1);
                var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(flights), testFraction: 0.2, seed: 1);
                var pipeline = ml.Transforms.Categorical.OneHotEncoding([new("OriginCode", "Origin"), new("DestinationCode", "Destination")])
                    .Append(ml.Transforms.Concatenate("Features", "Hour", "DayOfWeek", "Distance", "OriginCode", "DestinationCode"))
                    .Append(ml.BinaryClassification.Trainers.FastTree(labelColumnName: "Late", numberOfLeaves: 31, numberOfTrees: 100));
                return (pipeline, split.TrainSet, split.TestSet, ml);
            }
            double Plain()
            {
                var (pipeline, train, _, _) = Setup();
                var clock = Stopwatch.StartNew();
                pipeline.Fit(train);
                return clock.Elapsed.TotalSeconds;
            }
            double Logged(AutologOptions options)
            {
                var (pipeline, train, validation, ml) = Setup();
                var run = cairn.StartRun("autolog-bench");
                var clock = Stopwatch.StartNew();
                run.TrainAndLog(ml, pipeline, train, validation, options);
                run.Dispose(); // the metrics flushed
                return clock.Elapsed.TotalSeconds;
            }

            var full = new AutologOptions(); // the defaults: a curve point every 4 trees, the curves on the first 5,000 rows of each set
            var withoutPackage = full with { LogModel = false };
            Plain();
            Logged(full); // warm-up: JIT and the store's first writes
            var plain = new List<double>();
            var logged = new List<double>();
            var unpackaged = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                plain.Add(Plain());
                logged.Add(Logged(full));
                unpackaged.Add(Logged(withoutPackage));
            }
            void Add(string what, List<double> times)
            {
                var overhead = Report.Median(plain.Zip(times, (p, l) => (l - p) / p));
                report.Add($"SDK: TrainAndLog {what} vs plain Fit (FastTree 100 trees x 31 leaves, {data} 80/20, default curve: every 4 trees; median of {rounds} rounds)",
                    $"{Report.Median(times):F2} s", $"{Report.Median(plain):F2} s", $"+{overhead * 100:F1} %", "< 5 %", overhead < 0.05);
            }
            Add("with the model package", logged);
            Add("without the model package (params, curves, importance)", unpackaged);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
