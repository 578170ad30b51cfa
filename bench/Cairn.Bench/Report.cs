using System.Runtime.InteropServices;

namespace Cairn.Bench;

/// <summary>Collects figures and prints them as markdown for docs/benchmarks.md.</summary>
public sealed class Report
{
    private readonly List<string> _rows = [];

    public void Header()
    {
        Console.WriteLine($"# Cairn benchmarks, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
        Console.WriteLine();
    }

    public void Add(string figure, string value, string baseline, string ratio, string target, bool met)
    {
        _rows.Add($"| {figure} | {value} | {baseline} | {ratio} | {target} | {(met ? "met" : "NOT met")} |");
        Console.Error.WriteLine($"  {figure}: {value} (baseline {baseline}, ratio {ratio}, target {target}: {(met ? "met" : "NOT met")})");
    }

    public void Print()
    {
        Console.WriteLine("| figure | measured | baseline (same run) | ratio | target | |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var row in _rows) Console.WriteLine(row);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}
