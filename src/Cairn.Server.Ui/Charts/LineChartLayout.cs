using System.Globalization;
using System.Text;

namespace Cairn.Server.Ui.Charts;

/// <summary>A line of a laid-out chart: its SVG path (empty when it has no point) and its colour's index.</summary>
public sealed record PlottedLine(string Name, string Path, int Colour);

/// <summary>
/// A <see cref="MetricChart"/> as SVG geometry in a <see cref="Width"/>×<see cref="Height"/>
/// view box, drawn at about that size in a half-width card at 1280 px: the plot, ticks at nice
/// numbers (<see cref="NiceNumbers"/>) on both axes, the y axis titled on its left (rotated) and
/// the x axis titled under its tick labels, and the left margin as wide as the longest y label
/// so that no label is cut off. Text is 12 units high, so 12 px at that size.
/// </summary>
public sealed class LineChartLayout
{
    public const double Width = 600, Height = 340;
    public const int Colours = 10;
    private const double CharWidth = 7, TitleBand = 22, TickGap = 6, RightPad = 18, TopPad = 10, BottomBand = 50;
    private const int MaxYTicks = 7, MaxXTicks = 7, MaxTimeTicks = 6;

    public double PlotLeft { get; }
    public double PlotRight => Width - RightPad;
    public double PlotTop => TopPad;
    public double PlotBottom => Height - BottomBand;
    /// <summary>Where the x tick labels hang from (their top), under the plot.</summary>
    public double XLabelTop => PlotBottom + TickGap;
    /// <summary>The baseline of the x axis title, under the tick labels.</summary>
    public double XTitleBaseline => Height - 8;
    /// <summary>The centre line of the rotated y axis title, left of the tick labels.</summary>
    public double YTitleCentre => TitleBand / 2 + 2;
    public double YLabelRight => PlotLeft - TickGap;

    public string XTitle { get; }
    public string YTitle { get; }
    public IReadOnlyList<(double X, string Label)> XTicks { get; }
    public IReadOnlyList<(double Y, string Label)> YTicks { get; }
    public IReadOnlyList<PlottedLine> Lines { get; }

    private LineChartLayout(MetricChart chart)
    {
        XTitle = chart.XTitle;
        YTitle = chart.MetricKey;

        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        foreach (var line in chart.Lines)
        {
            foreach (var value in line.Values)
            {
                if (value is not { } v || !double.IsFinite(v)) continue;
                low = Math.Min(low, v);
                high = Math.Max(high, v);
            }
        }
        if (!double.IsFinite(low)) (low, high) = (0, 1);
        var y = chart.LogScale ? NiceNumbers.Log(low, high, MaxYTicks) : NiceNumbers.Enclosing(low, high, MaxYTicks);

        var (xLow, xHigh) = (chart.XMin, chart.XMax);
        var x = chart.XAxis switch
        {
            XAxisKind.WallTime => NiceNumbers.Time(xLow, xHigh, MaxTimeTicks),
            XAxisKind.Step => NiceNumbers.Within(xLow, xHigh, MaxXTicks, minStep: 1),
            _ => NiceNumbers.Within(xLow, xHigh, MaxXTicks),
        };

        var longestLabel = y.Ticks.Select(t => t.Label.Length).DefaultIfEmpty(1).Max();
        PlotLeft = TitleBand + longestLabel * CharWidth + 2 * TickGap;
        double Px(double value) => PlotLeft + x.Fraction(value) * (PlotRight - PlotLeft);
        double Py(double value) => PlotBottom - y.Fraction(value) * (PlotBottom - PlotTop);

        YTicks = y.Ticks.Select(t => (Py(t.Position), t.Label)).ToList();
        XTicks = x.Ticks.Select(t => (Px(t.Position), t.Label)).ToList();
        Lines = chart.Lines.Select((line, i) => new PlottedLine(line.Name, PathOf(line.Values, chart.X, Px, Py), i % Colours)).ToList();
    }

    public static LineChartLayout For(MetricChart chart) => new(chart);

    /// <summary>A number for an SVG attribute: invariant, one decimal.</summary>
    public static string Coordinate(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>
    /// The line through a series' values, left to right; a gap (null) is bridged, as a run that
    /// logged fewer steps than another still reads as one line. A single point is a dot (a
    /// zero-length segment with round caps).
    /// </summary>
    private static string PathOf(double?[] values, double[] x, Func<double, double> px, Func<double, double> py)
    {
        var path = new StringBuilder();
        var points = 0;
        for (var slot = 0; slot < values.Length && slot < x.Length; slot++)
        {
            if (values[slot] is not { } v || !double.IsFinite(v)) continue;
            path.Append(points++ == 0 ? "M" : " L").Append(Coordinate(px(x[slot]))).Append(' ').Append(Coordinate(py(v)));
        }
        if (points == 1) path.Append(" h0");
        return path.ToString();
    }
}
