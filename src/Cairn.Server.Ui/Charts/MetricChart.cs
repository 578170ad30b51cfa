using System.Globalization;
using Cairn.Tracking;

namespace Cairn.Server.Ui.Charts;

public enum XAxisKind { Step, WallTime, RelativeTime }

/// <summary>How metric charts are drawn; read from the page's query string (x, smooth, log).</summary>
public sealed record MetricChartSettings(XAxisKind XAxis = XAxisKind.Step, double Smoothing = 0, bool LogScale = false)
{
    public static MetricChartSettings FromQuery(string? x, string? smooth, string? log)
    {
        var axis = x switch
        {
            null or "" or "step" => XAxisKind.Step,
            "time" => XAxisKind.WallTime,
            "relative" => XAxisKind.RelativeTime,
            _ => throw CairnException.InvalidParameter($"Unknown x axis '{x}': use step, time or relative."),
        };
        var weight = 0.0;
        if (!string.IsNullOrEmpty(smooth) &&
            (!double.TryParse(smooth, NumberStyles.Float, CultureInfo.InvariantCulture, out weight) || weight is < 0 or >= 1))
            throw CairnException.InvalidParameter($"Invalid smoothing '{smooth}': use a number from 0 (none) to 0.99.");
        return new MetricChartSettings(axis, weight, log is "true" or "on" or "1");
    }

    public string XQuery => XAxis switch { XAxisKind.WallTime => "time", XAxisKind.RelativeTime => "relative", _ => "step" };
}

/// <summary>One run's line on a chart: a value (or null) per axis slot, and how many points it had before downsampling.</summary>
public sealed record ChartLine(string Name, double?[] Values, int PointsIn);

/// <summary>
/// A metric chart ready to draw: where each slot sits along x (<see cref="X"/>, in the x axis's
/// units, within <see cref="XMin"/>..<see cref="XMax"/>, the range of the points), one line per
/// run with a value or null per slot, at most ~1,000 slots.
/// </summary>
public sealed record MetricChart(string MetricKey, XAxisKind XAxis, string XTitle, double[] X, double XMin, double XMax,
    IReadOnlyList<ChartLine> Lines, bool LogScale, int Buckets)
{
    public int PointsIn => Lines.Sum(l => l.PointsIn);

    /// <summary>Whether long histories were cut into <see cref="Buckets"/> min/max buckets.</summary>
    public bool Downsampled => Buckets > 0;
}

/// <summary>Turns metric histories into a <see cref="MetricChart"/>: x axis choice, smoothing, log scale, downsampling.</summary>
public static class MetricChartBuilder
{
    public static MetricChart Build(string metricKey, IReadOnlyList<(string Name, IReadOnlyList<Metric> History)> series,
        MetricChartSettings settings, int maxSlots = 1000)
    {
        var prepared = series.Select(s => (s.Name, Points: Prepare(s.History, settings), s.History.Count)).ToList();
        var axis = ChartAxis.For(prepared.Select(p => p.Points), maxSlots);
        var lines = prepared.Select(p => new ChartLine(p.Name, axis.Place(p.Points), p.Count)).ToList();
        var x = Enumerable.Range(0, axis.Slots).Select(axis.PositionOf).ToArray();
        var title = settings.XAxis switch
        {
            XAxisKind.WallTime => "wall time (UTC)",
            XAxisKind.RelativeTime => "seconds since the first point",
            _ => "step",
        };
        return new MetricChart(metricKey, settings.XAxis, title, x, axis.Min, axis.Max, lines, settings.LogScale, axis.IsBucketed ? axis.Buckets : 0);
    }

    private static IReadOnlyList<SeriesPoint> Prepare(IReadOnlyList<Metric> history, MetricChartSettings settings)
    {
        var origin = history.Count == 0 ? 0 : history.Min(m => m.Timestamp);
        IReadOnlyList<SeriesPoint> points = history
            .OrderBy(m => settings.XAxis == XAxisKind.Step ? m.Step : m.Timestamp).ThenBy(m => m.Timestamp)
            .Select(m => new SeriesPoint(settings.XAxis switch
            {
                XAxisKind.WallTime => m.Timestamp,
                XAxisKind.RelativeTime => (m.Timestamp - origin) / 1000.0,
                _ => m.Step,
            }, m.Value))
            .ToList();
        points = Smoothing.Apply(points, settings.Smoothing);
        if (settings.LogScale)
            points = points.Select(p => p with { Y = p.Y > 0 ? Math.Log10(p.Y) : double.NaN }).ToList();
        return points;
    }
}
