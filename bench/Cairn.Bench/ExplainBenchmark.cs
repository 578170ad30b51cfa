using System.Diagnostics;
using Cairn.Models.Explain;

namespace Cairn.Bench;

/// <summary>
/// Exact TreeSHAP on a random ensemble the size of the quickstart's FastTree model (100 trees x 31
/// leaves) over 20 features: interventional with 100 background rows and path-dependent with covers
/// counted from data, each explaining 1,000 rows (median of 5 runs after a warm-up). Beside them, the
/// same methods against Shapley values by their definition (every one of 2^10 coalitions) on a
/// 10-feature model of the same shape, per row, with the largest difference between the two.
/// </summary>
public static class ExplainBenchmark
{
    private const int Runs = 5;

    public static void Run(Report report)
    {
        var random = new Random(7);
        var model = RandomEnsemble(random, features: 20);
        var rows = RandomRows(random, 1000, 20);
        var background = RandomRows(random, 100, 20);
        var clock = Stopwatch.StartNew();
        var covered = TreeCovers.FromData(model, RandomRows(random, 10_000, 20));
        var coversTime = clock.Elapsed.TotalMilliseconds;
        var groupOf = Enumerable.Range(0, 20).ToArray();

        var (interventional, interventionalCpu) = TimeWithCpu(() => TreeShap.Interventional(model, rows, background, groupOf, 20));
        report.Add("explain: interventional TreeSHAP, 1,000 rows of a 100 trees x 31 leaves model over 20 features, 100 background rows (median of 5)",
            $"{interventional:F3} s ({interventionalCpu:F3} s CPU)", "", "", "< 1 s", interventional < 1);
        var (pathDependent, pathDependentCpu) = TimeWithCpu(() => TreeShap.PathDependent(covered, rows, groupOf, 20));
        report.Add("explain: path-dependent TreeSHAP, same model and 1,000 rows, covers from data (median of 5)",
            $"{pathDependent * 1e3:F1} ms ({pathDependentCpu * 1e3:F0} ms CPU)", "", "", "< 100 ms", pathDependent < 0.1);
        report.Add("explain: covers counted from 10,000 data rows (TreeCovers.FromData, same model, once)",
            $"{coversTime:F1} ms", "", "", "report", true);

        // The reference: 2^10 coalitions, each the mean over the background (interventional) or a cover-weighted walk (path-dependent).
        var small = RandomEnsemble(random, features: 10);
        var smallCovered = TreeCovers.FromData(small, RandomRows(random, 10_000, 10));
        var smallRows = RandomRows(random, 1000, 10);
        var smallBackground = RandomRows(random, 100, 10);
        var players = Enumerable.Range(0, 10).ToArray();
        Compare(report, "interventional TreeSHAP (100 background rows)", smallRows, 3,
            batch => TreeShap.Interventional(small, batch, smallBackground, players, 10).Values,
            row => BruteForceShapley.Explain(BruteForceShapley.InterventionalValue(small, row, smallBackground, players), 10));
        Compare(report, "path-dependent TreeSHAP", smallRows, 20,
            batch => TreeShap.PathDependent(smallCovered, batch, players, 10).Values,
            row => BruteForceShapley.Explain(BruteForceShapley.PathDependentValue(smallCovered, row, players), 10));
    }

    private static void Compare(Report report, string method, List<float[]> rows, int bruteRows, Func<List<float[]>, double[][]> treeShap, Func<float[], double[]> bruteForce)
    {
        var perRow = Time(() => treeShap(rows)) / rows.Count;
        var exact = treeShap(rows);
        var clock = Stopwatch.StartNew();
        var maxDifference = 0.0;
        for (var r = 0; r < bruteRows; r++)
        {
            var reference = bruteForce(rows[r]);
            for (var g = 0; g < reference.Length; g++) maxDifference = Math.Max(maxDifference, Math.Abs(reference[g] - exact[r][g]));
        }
        var brutePerRow = clock.Elapsed.TotalSeconds / bruteRows;
        report.Add($"explain: {method} vs brute force over all 1,024 coalitions, 10 features, 100 trees x 31 leaves, per row (1,000 rows vs {bruteRows}; largest difference {maxDifference:0.0e0})",
            $"{perRow * 1e6:F1} µs/row", $"{brutePerRow * 1e3:F1} ms/row brute force", $"{brutePerRow / perRow:N0}x faster", "report", true);
    }

    /// <summary>Wall-clock seconds, the median of <see cref="Runs"/> runs after one warm-up.</summary>
    private static double Time(Action action) => TimeWithCpu(action).Wall;

    /// <summary>Medians of wall-clock and process CPU seconds (all threads) over <see cref="Runs"/> runs after one warm-up: on shared cores the CPU time says what the work costs.</summary>
    private static (double Wall, double Cpu) TimeWithCpu(Action action)
    {
        action();
        var (wall, cpu) = (new List<double>(), new List<double>());
        using var process = Process.GetCurrentProcess();
        for (var i = 0; i < Runs; i++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            action();
            wall.Add(clock.Elapsed.TotalSeconds);
            process.Refresh();
            cpu.Add((process.TotalProcessorTime - cpuBefore).TotalSeconds);
        }
        return (Report.Median(wall), Report.Median(cpu));
    }

    private static List<float[]> RandomRows(Random random, int count, int features) =>
        Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, features).Select(_ => (float)Math.Round(random.NextDouble() * 4 - 2, 2)).ToArray()).ToList();

    /// <summary>100 trees of 31 leaves, grown by splitting a random leaf until there are 31 (uneven depths, as boosting makes).</summary>
    private static TreeEnsemble RandomEnsemble(Random random, int features) => new()
    {
        Trees = Enumerable.Range(0, 100).Select(_ => RandomTree(random, features, leaves: 31)).ToList(),
        FeatureCount = features,
    };

    private static DecisionTree RandomTree(Random random, int features, int leaves)
    {
        var nodes = 2 * leaves - 1;
        var (feature, threshold, yes, no, value) = (new int[nodes], new float[nodes], new int[nodes], new int[nodes], new double[nodes]);
        Array.Fill(feature, -1);
        Array.Fill(yes, -1);
        Array.Fill(no, -1);
        var open = new List<int> { 0 };
        var used = 1;
        while (used < nodes)
        {
            var pick = random.Next(open.Count);
            var node = open[pick];
            feature[node] = random.Next(features);
            threshold[node] = (float)Math.Round(random.NextDouble() * 3 - 1.5, 2);
            (yes[node], no[node]) = (used, used + 1);
            open[pick] = used;
            open.Add(used + 1);
            used += 2;
        }
        foreach (var leaf in open) value[leaf] = random.NextDouble() * 0.2 - 0.1;
        return new DecisionTree
        {
            Feature = feature, Threshold = threshold, Rule = new SplitRule[nodes], MissingGoesTrue = new bool[nodes],
            TrueChild = yes, FalseChild = no, Value = value,
        };
    }
}
