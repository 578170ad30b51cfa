using Cairn.Models.Explain;
using Cairn.Server.Ui.Charts;

namespace Cairn.Server.Ui.Explanations;

/// <summary>A bar of the importance chart: one feature, or the features past the top K summed (<see cref="OtherCount"/> &gt; 0).</summary>
public sealed record ImportanceBar(string Label, double Value, double Y, double Length, int OtherCount)
{
    /// <summary>True for the bar that stands for the features not drawn one by one.</summary>
    public bool IsOther => OtherCount > 0;
}

/// <summary>
/// The horizontal bar chart of mean |SHAP| per feature as SVG geometry: most important on top,
/// bars scaled to the largest value on a nice-number axis from 0, labels on the left in a margin as
/// wide as the longest (cut) name. Past <c>topK</c> features the rest are one "other" bar holding
/// the sum of their values, as the shap library's bar plot does, so the chart keeps a readable height.
/// A feature whose value is not a finite number is not drawn; it is named in <see cref="Unavailable"/>.
/// </summary>
public sealed class ImportanceBarsLayout
{
    /// <summary>The view box width (and the heights and bar sizes on this line), in SVG units (px at full size).</summary>
    public const double Width = 600, RowHeight = 24, BarHeight = 16;
    /// <summary>Labels longer than this are cut (the whole text is in the title).</summary>
    public const int MaxLabelChars = 32;
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
    /// <summary>The bars, top to bottom.</summary>
    public IReadOnlyList<ImportanceBar> Bars { get; }
    /// <summary>The x ticks: position and label.</summary>
    public IReadOnlyList<(double X, string Label)> XTicks { get; }
    /// <summary>Features not drawn: their value is not a finite number.</summary>
    public IReadOnlyList<string> Unavailable { get; }

    private ImportanceBarsLayout(IReadOnlyList<FeatureImportance> importance, int topK)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 2);
        var finite = importance.Where(f => double.IsFinite(f.MeanAbsShap))
            .OrderByDescending(f => Math.Abs(f.MeanAbsShap)).ThenBy(f => f.Feature, StringComparer.Ordinal).ToList();
        Unavailable = importance.Where(f => !double.IsFinite(f.MeanAbsShap)).Select(f => f.Feature).ToList();
        var rows = new List<(string Label, double Value, int Other)>();
        var shown = finite.Count > topK ? topK - 1 : finite.Count;
        rows.AddRange(finite.Take(shown).Select(f => (f.Feature, Math.Abs(f.MeanAbsShap), 0)));
        if (finite.Count > shown)
        {
            var rest = finite.Skip(shown).ToList();
            rows.Add(($"{rest.Count} other features", rest.Sum(f => Math.Abs(f.MeanAbsShap)), rest.Count));
        }

        var axis = NiceNumbers.Enclosing(0, rows.Select(r => r.Value).DefaultIfEmpty(1).Max() is > 0 and var max ? max : 1, 6);
        var longest = rows.Select(r => Math.Min(MaxLabelChars, r.Label.Length)).DefaultIfEmpty(1).Max();
        PlotLeft = longest * CharWidth + 2 * Gap;
        PlotBottom = PlotTop + Math.Max(1, rows.Count) * RowHeight;
        Height = PlotBottom + AxisBand;
        double Px(double value) => axis.Fraction(value) * (PlotRight - PlotLeft);
        XTicks = axis.Ticks.Select(t => (PlotLeft + Px(t.Position), t.Label)).ToList();
        Bars = rows.Select((r, i) => new ImportanceBar(r.Label, r.Value, PlotTop + i * RowHeight + (RowHeight - BarHeight) / 2, Px(r.Value), r.Other)).ToList();
    }

    /// <param name="importance">Mean |SHAP| per feature, in any order.</param>
    /// <param name="topK">Bars at most, the "other" bar included.</param>
    public static ImportanceBarsLayout For(IReadOnlyList<FeatureImportance> importance, int topK = 15) => new(importance, topK);
}
