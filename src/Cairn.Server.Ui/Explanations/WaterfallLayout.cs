using Cairn.Server.Ui.Charts;

namespace Cairn.Server.Ui.Explanations;

/// <summary>A feature's part in one explained row: its value (as text, null when unknown) and SHAP value.</summary>
public sealed record Attribution(string Feature, string? Value, double Shap);

/// <summary>
/// A row of a waterfall: a feature's step from <see cref="Start"/> to <see cref="End"/> (or the
/// features past the top K as one step, <see cref="OtherCount"/> &gt; 0), placed: <see cref="Y"/>
/// is the row's top, <see cref="Left"/> and <see cref="Right"/> the bar's ends.
/// </summary>
public sealed record WaterfallStep(string Label, string? Value, double Shap, double Start, double End, double Y, double Left, double Right, int OtherCount)
{
    public bool Raises => Shap >= 0;
    public bool IsOther => OtherCount > 0;
}

/// <summary>
/// A waterfall of one row's attributions as SVG geometry: the base value on the first row, then
/// one step per feature (largest |SHAP| first), each starting where the previous one ended, and the
/// output on the last row, where the steps end: output = base value + the sum of the SHAP values.
/// Past <c>topK</c> features the rest are one step (their sum). A SHAP value that is not finite
/// cannot be added: that feature is left out and named in <see cref="Unavailable"/>.
/// </summary>
public sealed class WaterfallLayout
{
    public const double Width = 600, RowHeight = 24, BarHeight = 16;
    public const int MaxLabelChars = 40;
    private const double CharWidth = 7, Gap = 6, TopPad = 6, AxisBand = 40, RightPad = 64;

    public double BaseValue { get; }
    public double Output { get; }
    public double Height { get; }
    public double PlotLeft { get; }
    public double PlotRight => Width - RightPad;
    public double PlotTop => TopPad;
    public double PlotBottom { get; }
    public double LabelRight => PlotLeft - Gap;
    public double XLabelTop => PlotBottom + Gap;
    public double XTitleBaseline => Height - 6;
    /// <summary>Where the base value and the output are drawn along x (their marker lines).</summary>
    public double BaseX { get; }
    public double OutputX { get; }
    /// <summary>The top of the base value's row and of the output's row.</summary>
    public double BaseY => PlotTop;
    public double OutputY { get; }
    public IReadOnlyList<WaterfallStep> Steps { get; }
    public IReadOnlyList<(double X, string Label)> XTicks { get; }
    public IReadOnlyList<string> Unavailable { get; }

    private WaterfallLayout(double baseValue, IReadOnlyList<Attribution> attributions, int topK)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 2);
        if (!double.IsFinite(baseValue)) throw new ArgumentOutOfRangeException(nameof(baseValue), baseValue, "The base value must be a finite number.");
        BaseValue = baseValue;
        Unavailable = attributions.Where(a => !double.IsFinite(a.Shap)).Select(a => a.Feature).ToList();
        var finite = attributions.Where(a => double.IsFinite(a.Shap))
            .OrderByDescending(a => Math.Abs(a.Shap)).ThenBy(a => a.Feature, StringComparer.Ordinal).ToList();
        var shown = finite.Count > topK ? topK - 1 : finite.Count;
        var rows = finite.Take(shown).Select(a => (Label: a.Feature, a.Value, a.Shap, Other: 0)).ToList();
        if (finite.Count > shown)
        {
            var rest = finite.Skip(shown).ToList();
            rows.Add(($"{rest.Count} other features", null, rest.Sum(a => a.Shap), rest.Count));
        }

        var ends = new List<(double Start, double End)>(rows.Count);
        var running = baseValue;
        foreach (var row in rows)
        {
            ends.Add((running, running + row.Shap));
            running += row.Shap;
        }
        Output = running;

        var all = ends.SelectMany(e => new[] { e.Start, e.End }).Append(baseValue).ToList();
        var axis = NiceNumbers.Enclosing(all.Min(), all.Max(), 7);
        var longest = rows.Select(r => Math.Min(MaxLabelChars, Text(r.Label, r.Value).Length)).Append("base value".Length).Max();
        PlotLeft = longest * CharWidth + 2 * Gap;
        double Px(double v) => PlotLeft + axis.Fraction(v) * (PlotRight - PlotLeft);
        PlotBottom = PlotTop + (rows.Count + 2) * RowHeight;
        Height = PlotBottom + AxisBand;
        OutputY = PlotTop + (rows.Count + 1) * RowHeight;
        BaseX = Px(baseValue);
        OutputX = Px(Output);
        XTicks = axis.Ticks.Select(t => (Px(t.Position), t.Label)).ToList();
        Steps = rows.Select((r, i) =>
        {
            var (start, end) = ends[i];
            return new WaterfallStep(r.Label, r.Value, r.Shap, start, end, PlotTop + (i + 1) * RowHeight,
                Math.Min(Px(start), Px(end)), Math.Max(Px(start), Px(end)), r.Other);
        }).ToList();
    }

    /// <summary>The text a step is labelled with: <c>feature = value</c>, or the feature alone when its value is unknown.</summary>
    public static string Text(string feature, string? value) => value is null ? feature : $"{feature} = {value}";

    /// <param name="baseValue">The expected output over the background, where the steps start.</param>
    /// <param name="topK">Feature steps at most, the "other" step included.</param>
    public static WaterfallLayout For(double baseValue, IReadOnlyList<Attribution> attributions, int topK = 12) => new(baseValue, attributions, topK);
}
