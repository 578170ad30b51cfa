using System.Diagnostics;
using System.Globalization;
using Cairn.Monitoring;

namespace Cairn.Bench;

/// <summary>
/// Monitoring statistics: 1,000,000 reference × 1,000,000 current rows × 10 features (7 numeric, 3 categorical, seeded,
/// with a real shift in some), fed in row groups of 65,536 rows. Timed: building both profiles and the drift and quality
/// reports, beside the exact sort-based computation of the same statistics (<see cref="ExactDrift"/>) in the same run.
/// </summary>
public static class MonitoringBenchmark
{
    private const int Rows = 1_000_000;
    private const int RowGroup = 65_536;
    private const int NumericFeatures = 7;
    private const int CategoricalFeatures = 3;

    public static void Run(Report report)
    {
        var (referenceNumbers, referenceCategories) = Generate(seed: 1, shifted: false);
        var (currentNumbers, currentCategories) = Generate(seed: 2, shifted: true);

        var sketchTimes = new List<double>();
        var exactTimes = new List<double>();
        DriftReport? drift = null;
        var profileBytes = 0;
        double largestKsGap = 0, largestWassersteinGap = 0, largestKsBound = 0, largestWassersteinBound = 0;
        // Round 0 warms the JIT and is dropped; medians of 3.
        for (var round = 0; round < 4; round++)
        {
            var clock = Stopwatch.StartNew();
            var reference = Profile(referenceNumbers, referenceCategories);
            var current = Profile(currentNumbers, currentCategories);
            drift = DriftCalculator.Compare(reference, current);
            var quality = QualityCalculator.Compare(reference, current, expectedRows: Rows);
            var values = MonitorValues.From(drift, quality);
            var sketch = clock.Elapsed.TotalSeconds;
            GC.KeepAlive(values);

            clock.Restart();
            var exact = Exact(referenceNumbers, referenceCategories, currentNumbers, currentCategories, reference);
            var exactSeconds = clock.Elapsed.TotalSeconds;
            if (round == 0)
            {
                profileBytes = current.ToJson().Length;
                for (var f = 0; f < NumericFeatures; f++)
                {
                    var feature = drift.Features[f];
                    largestKsGap = Math.Max(largestKsGap, Math.Abs(feature.Statistics["ks"] - exact[f].Ks));
                    largestWassersteinGap = Math.Max(largestWassersteinGap, Math.Abs(feature.Statistics["wasserstein"] - exact[f].Wasserstein));
                    largestKsBound = Math.Max(largestKsBound, feature.ErrorBounds["ks"]);
                    largestWassersteinBound = Math.Max(largestWassersteinBound, feature.ErrorBounds["wasserstein"]);
                }
                continue;
            }
            sketchTimes.Add(sketch);
            exactTimes.Add(exactSeconds);
        }

        var (sketchMedian, exactMedian) = (Report.Median(sketchTimes), Report.Median(exactTimes));
        report.Add("drift + quality, 1M reference × 1M current rows × 10 features: both profiles built and the reports",
            $"{sketchMedian:0.00} s", $"exact sort-based statistics (ExactDrift): {exactMedian:0.00} s",
            $"{exactMedian / sketchMedian:0.0}x faster", "< 2 s", sketchMedian < 2);
        report.Add("sketch against exact (7 numeric features)",
            $"KS off by at most {largestKsGap:G2} (largest bound {largestKsBound:0.0000}); normalised Wasserstein off by at most {largestWassersteinGap:G2} (largest bound {largestWassersteinBound:0.0000})",
            "exact values", "-", "within the bounds", largestKsGap <= largestKsBound + 1e-12 && largestWassersteinGap <= largestWassersteinBound + 1e-12);
        report.Add("current window's profile as JSON (1M rows, 10 columns)", $"{profileBytes / 1024.0:0} KiB", "-", "-", "bounded", true);
        foreach (var feature in drift!.Features)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {feature.Column}: {feature.Method} {feature.Statistic:0.0000} (bound {feature.ErrorBound:0.00000}), threshold {feature.Threshold}: {feature.Verdict}{(feature.Statistics.TryGetValue("ks", out var ks) ? $"; ks {ks:0.0000} (bound {feature.ErrorBounds["ks"]:0.00000})" : "")}"));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  drift share {drift.Dataset.DriftShare:0.00}, dataset drift: {drift.Dataset.Drifted}"));
    }

    private static DatasetProfile Profile(double[][] numbers, string?[][] categories)
    {
        var profile = new DatasetProfile();
        for (var start = 0; start < Rows; start += RowGroup)
        {
            var length = Math.Min(RowGroup, Rows - start);
            profile.AddRows(length);
            for (var f = 0; f < numbers.Length; f++) profile.Numeric($"n{f}").AddNumbers(numbers[f].AsSpan(start, length));
            for (var f = 0; f < categories.Length; f++) profile.Categorical($"c{f}").AddStrings(categories[f].AsSpan(start, length));
        }
        return profile;
    }

    private static (double Ks, double Wasserstein)[] Exact(double[][] rn, string?[][] rc, double[][] cn, string?[][] cc, DatasetProfile reference)
    {
        var results = new (double, double)[NumericFeatures];
        for (var f = 0; f < NumericFeatures; f++)
        {
            var (ks, p) = ExactDrift.KolmogorovSmirnov(rn[f], cn[f]);
            var wasserstein = ExactDrift.WassersteinNormalized(rn[f], cn[f]);
            var edges = DriftCalculator.PsiEdges(reference.NumericColumns[$"n{f}"]);
            var psi = ExactDrift.Psi(rn[f], cn[f], edges);
            var js = ExactDrift.JensenShannon(rn[f], cn[f], edges);
            var outOfRange = ExactDrift.OutOfRange(rn[f], cn[f]);
            GC.KeepAlive((p, psi, js, outOfRange));
            results[f] = (ks, wasserstein);
        }
        for (var f = 0; f < CategoricalFeatures; f++)
        {
            var chi = ExactDrift.ChiSquare(rc[f], cc[f]);
            var psi = ExactDrift.Psi(rc[f], cc[f]);
            var js = ExactDrift.JensenShannon(rc[f], cc[f]);
            GC.KeepAlive((chi, psi, js));
        }
        return results;
    }

    private static (double[][] Numbers, string?[][] Categories) Generate(int seed, bool shifted)
    {
        var random = new Random(seed);
        var numbers = new double[NumericFeatures][];
        for (var f = 0; f < NumericFeatures; f++) numbers[f] = new double[Rows];
        var airports = Names("airport", 50);
        var carriers = Names("carrier", 12);
        var routes = Names("route", 1500);
        var categories = new string?[CategoricalFeatures][];
        for (var f = 0; f < CategoricalFeatures; f++) categories[f] = new string?[Rows];
        for (var i = 0; i < Rows; i++)
        {
            double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            // Shifted in the current: n0 (mean), n3 (spread), n5 (heavier tail); the rest drawn alike.
            numbers[0][i] = 800 + 300 * Gaussian() + (shifted ? 60 : 0);
            numbers[1][i] = 15 + 10 * Gaussian();
            numbers[2][i] = Math.Exp(1 + 0.8 * Gaussian());
            numbers[3][i] = 0.5 + (shifted ? 0.4 : 0.25) * Gaussian();
            numbers[4][i] = random.Next(0, 24);
            numbers[5][i] = Math.Exp((shifted ? 0.3 : 0) + Gaussian()) * 100;
            numbers[6][i] = random.NextDouble() < 0.01 ? double.NaN : -50 + 100 * random.NextDouble();
            // Airports skew towards the first ones; in the current the skew is stronger (a shift in c0).
            var skew = shifted ? 2.0 : 1.2;
            categories[0][i] = airports[(int)(airports.Length * Math.Pow(random.NextDouble(), skew))];
            categories[1][i] = random.NextDouble() < 0.005 ? null : carriers[random.Next(carriers.Length)];
            categories[2][i] = routes[random.Next(routes.Length)];
        }
        return (numbers, categories);
    }

    private static string[] Names(string prefix, int count)
    {
        var names = new string[count];
        for (var i = 0; i < count; i++) names[i] = $"{prefix}-{i}";
        return names;
    }
}
