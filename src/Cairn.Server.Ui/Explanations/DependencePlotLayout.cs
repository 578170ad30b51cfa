using System.Globalization;
using Cairn.Server.Ui.Charts;

namespace Cairn.Server.Ui.Explanations;

/// <summary>A point of a dependence plot: a sample row's value of the feature (as text) and its SHAP value, placed.</summary>
public sealed record DependencePoint(double X, double Y, string Value, double Shap);

/// <summary>A category's band on the x axis of a text feature's dependence plot.</summary>
public sealed record CategoryBand(string Label, double Left, double Right, int Count)
{
    /// <summary>The middle of the band, where its label and points are centred.</summary>
    public double Centre => (Left + Right) / 2;
}

/// <summary>
/// A dependence plot as SVG geometry: each explained sample row's value of one feature on x against
/// its SHAP value on y. A feature whose values all read as numbers gets a numeric axis at nice
/// numbers; otherwise each distinct text is a band (the most frequent first; past
/// <c>maxCategories</c> the rarest share one "other" band), points spread across their band in a
/// fixed pattern so that equal values do not hide each other. A missing numeric value or a SHAP
/// value that is not finite cannot be placed: such rows are counted in <see cref="Skipped"/>; a
/// missing text value is its own band, "(missing)".
/// </summary>
public sealed class DependencePlotLayout
{
    /// <summary>The view box width (and the heights and bar sizes on this line), in SVG units (px at full size).</summary>
    public const double Width = 600, Height = 340;
    /// <summary>The band of rows without a value.</summary>
    public const string Missing = "(missing)";
    private const double CharWidth = 7, TitleBand = 22, Gap = 6, RightPad = 18, TopPad = 10, BottomBand = 50;
    private const int MaxTicks = 7;

    /// <summary>The feature plotted.</summary>
    public string Feature { get; }
    /// <summary>True when every value reads as a number: a numeric x axis rather than bands.</summary>
    public bool IsNumeric { get; }
    /// <summary>The plot area's left edge, right of the widest label.</summary>
    public double PlotLeft { get; }
    /// <summary>The plot area's right edge.</summary>
    public double PlotRight => Width - RightPad;
    /// <summary>The plot area's top edge.</summary>
    public double PlotTop => TopPad;
    /// <summary>The plot area's bottom edge, above the x tick labels.</summary>
    public double PlotBottom => Height - BottomBand;
    /// <summary>Where the x tick labels hang from (their top).</summary>
    public double XLabelTop => PlotBottom + Gap;
    /// <summary>The baseline of the x axis title.</summary>
    public double XTitleBaseline => Height - 8;
    /// <summary>The centre line of the rotated y axis title.</summary>
    public double YTitleCentre => TitleBand / 2 + 2;
    /// <summary>Where the y tick labels end (right-aligned).</summary>
    public double YLabelRight => PlotLeft - Gap;
    /// <summary>Where SHAP = 0 is drawn.</summary>
    public double ZeroY { get; }
    /// <summary>The placed sample rows.</summary>
    public IReadOnlyList<DependencePoint> Points { get; }
    /// <summary>The bands of a text feature, left to right; empty for a numeric one.</summary>
    public IReadOnlyList<CategoryBand> Bands { get; }
    /// <summary>The x ticks: position and label.</summary>
    public IReadOnlyList<(double X, string Label)> XTicks { get; }
    /// <summary>The y ticks: position and label.</summary>
    public IReadOnlyList<(double Y, string Label)> YTicks { get; }
    /// <summary>Rows that could not be placed: a missing or non-finite numeric value, or a non-finite SHAP value.</summary>
    public int Skipped { get; }

    private DependencePlotLayout(string feature, IReadOnlyList<string?> values, IReadOnlyList<double> shap, int maxCategories)
    {
        if (values.Count != shap.Count) throw new ArgumentException("One SHAP value per feature value is needed.", nameof(shap));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCategories, 2);
        Feature = feature;
        var rows = Enumerable.Range(0, values.Count).Where(i => double.IsFinite(shap[i])).ToList();
        var numbers = new double?[values.Count];
        foreach (var i in rows) numbers[i] = ParseNumber(values[i]);
        IsNumeric = rows.Any(i => !string.IsNullOrEmpty(values[i]))
            && rows.All(i => string.IsNullOrEmpty(values[i]) || numbers[i] is not null);
        if (IsNumeric) rows = rows.Where(i => numbers[i] is { } n && double.IsFinite(n)).ToList();
        Skipped = values.Count - rows.Count;

        var y = NiceNumbers.Enclosing(Math.Min(0, rows.Select(i => shap[i]).DefaultIfEmpty(0).Min()), Math.Max(0, rows.Select(i => shap[i]).DefaultIfEmpty(0).Max()), MaxTicks);
        var longest = y.Ticks.Select(t => t.Label.Length).DefaultIfEmpty(1).Max();
        PlotLeft = TitleBand + longest * CharWidth + 2 * Gap;
        double Py(double v) => PlotBottom - y.Fraction(v) * (PlotBottom - PlotTop);
        YTicks = y.Ticks.Select(t => (Py(t.Position), t.Label)).ToList();
        ZeroY = Py(0);

        if (IsNumeric)
        {
            var x = rows.Count == 0 ? NiceNumbers.Within(0, 1, MaxTicks)
                : NiceNumbers.Within(rows.Min(i => numbers[i]!.Value), rows.Max(i => numbers[i]!.Value), MaxTicks);
            double Px(double v) => PlotLeft + x.Fraction(v) * (PlotRight - PlotLeft);
            XTicks = x.Ticks.Select(t => (Px(t.Position), t.Label)).ToList();
            Bands = [];
            Points = rows.Select(i => new DependencePoint(Px(numbers[i]!.Value), Py(shap[i]), values[i]!, shap[i])).ToList();
            return;
        }

        var counts = rows.GroupBy(i => values[i] ?? Missing, StringComparer.Ordinal)
            .Select(g => (Value: g.Key, Count: g.Count()))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Value, StringComparer.Ordinal).ToList();
        var kept = counts.Count > maxCategories ? counts.Take(maxCategories - 1).ToList() : counts;
        var keptNames = kept.Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var other = counts.Count - kept.Count;
        var labels = kept.Select(c => (c.Value, c.Count)).ToList();
        if (other > 0) labels.Add(($"{other} other values", counts.Skip(kept.Count).Sum(c => c.Count)));
        var width = (PlotRight - PlotLeft) / Math.Max(1, labels.Count);
        Bands = labels.Select((l, b) => new CategoryBand(l.Item1, PlotLeft + b * width, PlotLeft + (b + 1) * width, l.Item2)).ToList();
        XTicks = Bands.Select(b => (b.Centre, b.Label)).ToList();
        var bandOf = labels.Select((l, b) => (l.Item1, b)).Take(kept.Count).ToDictionary(p => p.Item1, p => p.b, StringComparer.Ordinal);
        var seen = new int[Bands.Count];
        var points = new List<DependencePoint>(rows.Count);
        foreach (var i in rows)
        {
            var value = values[i] ?? Missing;
            var band = keptNames.Contains(value) ? bandOf[value] : Bands.Count - 1;
            // The golden-ratio sequence spreads the n-th point of a band over its middle 60% without repeating.
            var spread = (seen[band]++ * 0.6180339887498949) % 1 - 0.5;
            points.Add(new DependencePoint(Bands[band].Centre + spread * 0.6 * width, Py(shap[i]), value, shap[i]));
        }
        Points = points;
    }

    /// <param name="values">Each sample row's value of the feature, as the stored explanation holds it (text).</param>
    /// <param name="shap">The feature's SHAP value in each row.</param>
    public static DependencePlotLayout For(string feature, IReadOnlyList<string?> values, IReadOnlyList<double> shap, int maxCategories = 12) =>
        new(feature, values, shap, maxCategories);

    private static double? ParseNumber(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;
}
