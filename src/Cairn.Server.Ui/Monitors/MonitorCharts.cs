using Cairn.Monitoring;
using Cairn.Server.Ui.Charts;
using Cairn.Tracking;

namespace Cairn.Server.Ui.Monitors;

/// <summary>A monitor's values over time as the metric charts draw them: one point per run that has the value, at its window's end.</summary>
public static class MonitorCharts
{
    /// <summary>Live performance values, in the order the page charts them (from ground truth sent as feedback).</summary>
    public static readonly IReadOnlyList<string> PerformanceKeys = ["auc", "accuracy", "precision", "recall", "f1", "log_loss", "rmse", "mae"];

    /// <summary>Serving values a monitor may record beside drift.</summary>
    public static readonly IReadOnlyList<string> ServingKeys = ["p99_latency_ms", "error_rate"];

    /// <summary>The chart of <paramref name="key"/> over the runs' windows; null when no run has a finite value for it.</summary>
    public static MetricChart? Over(string key, IReadOnlyList<MonitorRun> runs, string seriesName)
    {
        var history = runs
            .Where(r => r.Values.TryGetValue(key, out var v) && double.IsFinite(v))
            .OrderBy(r => r.WindowEnd)
            .Select((r, i) => new Metric(key, r.Values[key], r.WindowEnd, i))
            .ToList();
        return history.Count == 0
            ? null
            : MetricChartBuilder.Build(key, [(seriesName, history)], new MetricChartSettings(XAxisKind.WallTime));
    }

    /// <summary>The charts of those of <paramref name="keys"/> some run has, in that order.</summary>
    public static IReadOnlyList<MetricChart> Present(IEnumerable<string> keys, IReadOnlyList<MonitorRun> runs, string seriesName) =>
        keys.Select(k => Over(k, runs, seriesName)).OfType<MetricChart>().ToList();
}
