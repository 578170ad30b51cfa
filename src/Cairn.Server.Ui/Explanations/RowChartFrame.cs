using Cairn.Server.Ui.Charts;

namespace Cairn.Server.Ui.Explanations;

/// <summary>
/// The frame shared by the explanation charts drawn as one row per feature (importance bars,
/// waterfalls): labels right-aligned in a left margin as wide as the longest (cut) label, rows of
/// <see cref="RowHeight"/>, and an x axis under them.
/// </summary>
public abstract class RowChartFrame
{
    /// <summary>The view box width (and the heights and bar sizes on this line), in SVG units (px at full size).</summary>
    public const double Width = 600, RowHeight = 24, BarHeight = 16;
    private const double CharWidth = 7, Gap = 6, TopPad = 6, AxisBand = 40, RightPad = 64;

    /// <summary>The view box height: one row per bar or step, and the axis under them.</summary>
    public double Height { get; }
    /// <summary>The plot area's left edge, right of the widest label.</summary>
    public double PlotLeft { get; }
    /// <summary>The plot area's right edge.</summary>
    public double PlotRight => Width - RightPad;
    /// <summary>The plot area's top edge.</summary>
    public double PlotTop => TopPad;
    /// <summary>The plot area's bottom edge, above the x tick labels.</summary>
    public double PlotBottom { get; }
    /// <summary>Where the row labels end (right-aligned), left of the plot.</summary>
    public double LabelRight => PlotLeft - Gap;
    /// <summary>Where the x tick labels hang from (their top).</summary>
    public double XLabelTop => PlotBottom + Gap;
    /// <summary>The baseline of the x axis title.</summary>
    public double XTitleBaseline => Height - 6;

    /// <param name="longestLabel">Characters of the longest label as drawn (after cutting).</param>
    /// <param name="rows">Rows drawn (at least one row's height is kept).</param>
    protected RowChartFrame(int longestLabel, int rows)
    {
        PlotLeft = longestLabel * CharWidth + 2 * Gap;
        PlotBottom = PlotTop + Math.Max(1, rows) * RowHeight;
        Height = PlotBottom + AxisBand;
    }

    /// <summary>
    /// The first <paramref name="topK"/> - 1 items when there are more than <paramref name="topK"/>,
    /// and the rest for one "N other features" row; all of them (and no rest) otherwise.
    /// </summary>
    protected static (IReadOnlyList<T> Shown, IReadOnlyList<T> Others) TopK<T>(IReadOnlyList<T> ordered, int topK)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 2);
        var shown = ordered.Count > topK ? topK - 1 : ordered.Count;
        return ([.. ordered.Take(shown)], [.. ordered.Skip(shown)]);
    }

    /// <summary>The label of the row that stands for <paramref name="count"/> features not drawn one by one.</summary>
    protected static string OtherLabel(int count) => $"{count} other features";
}
