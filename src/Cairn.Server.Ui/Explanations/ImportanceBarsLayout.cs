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
public sealed class ImportanceBarsLayout : RowChartFrame
{
    /// <summary>Labels longer than this are cut (the whole text is in the title).</summary>
    public const int MaxLabelChars = 32;

    /// <summary>The bars, top to bottom.</summary>
    public IReadOnlyList<ImportanceBar> Bars { get; }
    /// <summary>The x ticks: position and label.</summary>
    public IReadOnlyList<(double X, string Label)> XTicks { get; }
    /// <summary>Features not drawn: their value is not a finite number.</summary>
    public IReadOnlyList<string> Unavailable { get; }

    private ImportanceBarsLayout(IReadOnlyList<(string Label, double Value, int Other)> rows, IReadOnlyList<string> unavailable)
        : base(rows.Select(r => Math.Min(MaxLabelChars, r.Label.Length)).DefaultIfEmpty(1).Max(), rows.Count)
    {
        Unavailable = unavailable;
        var axis = NiceNumbers.Enclosing(0, rows.Select(r => r.Value).DefaultIfEmpty(1).Max() is > 0 and var max ? max : 1, 6);
        double Px(double value) => axis.Fraction(value) * (PlotRight - PlotLeft);
        XTicks = axis.Ticks.Select(t => (PlotLeft + Px(t.Position), t.Label)).ToList();
        Bars = rows.Select((r, i) => new ImportanceBar(r.Label, r.Value, PlotTop + i * RowHeight + (RowHeight - BarHeight) / 2, Px(r.Value), r.Other)).ToList();
    }

    /// <param name="importance">Mean |SHAP| per feature, in any order.</param>
    /// <param name="topK">Bars at most, the "other" bar included.</param>
    public static ImportanceBarsLayout For(IReadOnlyList<FeatureImportance> importance, int topK = 15)
    {
        var finite = importance.Where(f => double.IsFinite(f.MeanAbsShap))
            .OrderByDescending(f => Math.Abs(f.MeanAbsShap)).ThenBy(f => f.Feature, StringComparer.Ordinal).ToList();
        var (shown, rest) = TopK(finite, topK);
        var rows = shown.Select(f => (f.Feature, Math.Abs(f.MeanAbsShap), 0)).ToList();
        if (rest.Count > 0) rows.Add((OtherLabel(rest.Count), rest.Sum(f => Math.Abs(f.MeanAbsShap)), rest.Count));
        return new ImportanceBarsLayout(rows, [.. importance.Where(f => !double.IsFinite(f.MeanAbsShap)).Select(f => f.Feature)]);
    }
}
