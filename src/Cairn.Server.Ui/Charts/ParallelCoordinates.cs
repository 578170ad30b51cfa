using System.Globalization;
using Cairn.Tracking;

namespace Cairn.Server.Ui.Charts;

/// <summary>One vertical axis of a parallel-coordinates chart and the range its 0..1 positions stand for.</summary>
public sealed record ParallelAxis(string Name, string Low, string High, bool Categorical);

/// <summary>Runs drawn as lines across one axis per param and a final metric axis, each value scaled to 0..1.</summary>
public sealed record ParallelCoordinatesChart(IReadOnlyList<ParallelAxis> Axes, IReadOnlyList<ChartLine> Lines);

/// <summary>
/// Lays runs out for a parallel-coordinates chart of params → metric. Numeric params and the
/// metric are scaled min..max to 0..1; other params are placed by the sorted order of their
/// values. Params that are equal in every run tell nothing and are left out.
/// </summary>
public static class ParallelCoordinates
{
    public static ParallelCoordinatesChart Build(IReadOnlyList<Run> runs, string metricKey, Func<Run, string> nameOf, int maxParams = 12)
    {
        var paramKeys = runs.SelectMany(r => r.Data.Params.Select(p => p.Key)).Distinct().Order(StringComparer.Ordinal)
            .Where(k => runs.Select(r => ParamValue(r, k)).Distinct().Count() > 1)
            .Take(maxParams).ToList();
        var axes = new List<ParallelAxis>();
        var columns = new List<double?[]>();
        foreach (var key in paramKeys)
        {
            var values = runs.Select(r => ParamValue(r, key)).ToList();
            var (column, axis) = Scale("params." + key, values);
            axes.Add(axis);
            columns.Add(column);
        }
        var metric = runs.Select(r => r.Data.Metrics.FirstOrDefault(m => m.Key == metricKey)?.Value.ToString("R", CultureInfo.InvariantCulture)).ToList();
        var (metricColumn, metricAxis) = Scale("metrics." + metricKey, metric);
        axes.Add(metricAxis);
        columns.Add(metricColumn);
        var lines = runs.Select((run, i) => new ChartLine(nameOf(run), columns.Select(c => c[i]).ToArray(), columns.Count)).ToList();
        return new ParallelCoordinatesChart(axes, lines);
    }

    private static string? ParamValue(Run run, string key) => run.Data.Params.FirstOrDefault(p => p.Key == key)?.Value;

    private static (double?[] Column, ParallelAxis Axis) Scale(string name, IReadOnlyList<string?> values)
    {
        var present = values.Where(v => v is not null).Select(v => v!).ToList();
        var numbers = present.Select(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : (double?)null).ToList();
        if (present.Count > 0 && numbers.All(n => n is not null))
        {
            var min = numbers.Min()!.Value;
            var max = numbers.Max()!.Value;
            var column = values.Select(v => v is null ? (double?)null
                : max == min ? 0.5 : (double.Parse(v, CultureInfo.InvariantCulture) - min) / (max - min)).ToArray();
            return (column, new ParallelAxis(name, min.ToString("G4", CultureInfo.InvariantCulture), max.ToString("G4", CultureInfo.InvariantCulture), false));
        }
        var categories = present.Distinct().Order(StringComparer.Ordinal).ToList();
        var positions = categories.Select((c, i) => (c, categories.Count == 1 ? 0.5 : (double)i / (categories.Count - 1))).ToDictionary();
        return (values.Select(v => v is null ? (double?)null : positions[v]).ToArray(),
            new ParallelAxis(name, categories.FirstOrDefault() ?? "", categories.LastOrDefault() ?? "", true));
    }
}
