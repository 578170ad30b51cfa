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
    /// <summary>True when the step raises the output (SHAP value at least 0).</summary>
    public bool Raises => Shap >= 0;
    /// <summary>True for the bar or step that stands for the features not drawn one by one.</summary>
    public bool IsOther => OtherCount > 0;
}

/// <summary>
/// A waterfall of one row's attributions as SVG geometry: the base value on the first row, then
/// one step per feature (largest |SHAP| first), each starting where the previous one ended, and the
/// output on the last row, where the steps end: output = base value + the sum of the SHAP values.
/// Past <c>topK</c> features the rest are one step (their sum). A SHAP value that is not finite
/// cannot be added: that feature is left out and named in <see cref="Unavailable"/>.
/// </summary>
public sealed class WaterfallLayout : RowChartFrame
{
    /// <summary>Labels longer than this are cut (the whole text is in the title).</summary>
    public const int MaxLabelChars = 40;

    /// <summary>The expected output, where the first step starts.</summary>
    public double BaseValue { get; }
    /// <summary>Where the last step ends: the base value plus the finite SHAP values.</summary>
    public double Output { get; }
    /// <summary>Where the base value is drawn along x (its marker line).</summary>
    public double BaseX { get; }
    /// <summary>Where the output is drawn along x.</summary>
    public double OutputX { get; }
    /// <summary>The top of the base value's row, above the first step.</summary>
    public double BaseY => PlotTop;
    /// <summary>The top of the output's row, under the last step.</summary>
    public double OutputY { get; }
    /// <summary>The feature steps, top to bottom.</summary>
    public IReadOnlyList<WaterfallStep> Steps { get; }
    /// <summary>The x ticks: position and label.</summary>
    public IReadOnlyList<(double X, string Label)> XTicks { get; }
    /// <summary>Features left out: their SHAP value is not a finite number.</summary>
    public IReadOnlyList<string> Unavailable { get; }

    private WaterfallLayout(double baseValue, IReadOnlyList<(string Label, string? Value, double Shap, int Other)> rows, IReadOnlyList<string> unavailable)
        : base(rows.Select(r => Math.Min(MaxLabelChars, Text(r.Label, r.Value).Length)).Append("base value".Length).Max(), rows.Count + 2)
    {
        BaseValue = baseValue;
        Unavailable = unavailable;
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
        double Px(double v) => PlotLeft + axis.Fraction(v) * (PlotRight - PlotLeft);
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
    public static WaterfallLayout For(double baseValue, IReadOnlyList<Attribution> attributions, int topK = 12)
    {
        if (!double.IsFinite(baseValue)) throw new ArgumentOutOfRangeException(nameof(baseValue), baseValue, "The base value must be a finite number.");
        var finite = attributions.Where(a => double.IsFinite(a.Shap))
            .OrderByDescending(a => Math.Abs(a.Shap)).ThenBy(a => a.Feature, StringComparer.Ordinal).ToList();
        var (shown, rest) = TopK(finite, topK);
        var rows = shown.Select(a => (a.Feature, a.Value, a.Shap, 0)).ToList();
        if (rest.Count > 0) rows.Add((OtherLabel(rest.Count), null, rest.Sum(a => a.Shap), rest.Count));
        return new WaterfallLayout(baseValue, rows, [.. attributions.Where(a => !double.IsFinite(a.Shap)).Select(a => a.Feature)]);
    }
}
