using System.Globalization;

namespace Cairn.Server.Ui.Charts;

/// <summary>
/// An axis: the range it covers and its ticks, each with the label it is drawn with. Positions
/// are in the axis's own units (log10 of the value on a log axis).
/// </summary>
public sealed record AxisTicks(double Min, double Max, IReadOnlyList<(double Position, string Label)> Ticks)
{
    /// <summary>Where <paramref name="value"/> falls on the axis, from 0 (Min) to 1 (Max).</summary>
    public double Fraction(double value) => Max > Min ? (value - Min) / (Max - Min) : 0.5;
}

/// <summary>
/// Axis ticks at round numbers: steps of 1, 2 or 5 × 10^k (the "nice numbers" of Heckbert's
/// Graphics Gems labelling), so that an axis reads 0.30, 0.32, 0.34 rather than 0.3074, 0.3267.
/// A value axis is widened to the ticks around the data (loose labelling: the line never touches
/// the frame); an x axis keeps the data's range and puts the ticks inside it (tight labelling).
/// Wall-clock axes step in whole seconds, minutes, hours or days; log axes tick at 1, 2 and 5 of
/// each decade, or at powers of ten when there are too many decades for that.
/// </summary>
public static class NiceNumbers
{
    private static readonly double[] Mantissas = [1, 2, 5];

    /// <summary>The smallest 1, 2 or 5 × 10^k that is at least <paramref name="rough"/> (rough &gt; 0).</summary>
    public static double StepAtLeast(double rough)
    {
        if (!(rough > 0) || !double.IsFinite(rough)) throw new ArgumentOutOfRangeException(nameof(rough), rough, "A step must be a positive number.");
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        foreach (var mantissa in Mantissas)
        {
            // A relative tolerance, so that 0.3 / 3 (0.09999999999999999) gives 0.1, not 0.2.
            if (mantissa * power >= rough * (1 - 1e-9)) return mantissa * power;
        }
        return 10 * power;
    }

    /// <summary>The 1, 2 or 5 × 10^k step after <paramref name="step"/>.</summary>
    public static double NextStep(double step) => StepAtLeast(step * 1.000001);

    /// <summary>
    /// Loose labelling: the fewest-stepped ticks (at most <paramref name="maxTicks"/>) from the
    /// last one at or below <paramref name="low"/> to the first one at or above <paramref name="high"/>;
    /// the axis covers exactly those ticks.
    /// </summary>
    public static AxisTicks Enclosing(double low, double high, int maxTicks = 8)
    {
        (low, high) = Widen(low, high);
        var step = Fit(high - low, maxTicks, s => Math.Ceiling(Snap(high / s)) - Math.Floor(Snap(low / s)) + 1);
        var first = Math.Floor(Snap(low / step));
        var last = Math.Ceiling(Snap(high / step));
        return Linear(first, last, step, first * step, last * step);
    }

    /// <summary>
    /// Tight labelling: the axis covers [<paramref name="low"/>, <paramref name="high"/>] and the
    /// ticks are the multiples of a nice step inside it (at most <paramref name="maxTicks"/>,
    /// steps no finer than <paramref name="minStep"/>, 1 for a step axis).
    /// </summary>
    public static AxisTicks Within(double low, double high, int maxTicks = 8, double minStep = 0)
    {
        if (high - low < 1e-12 * Math.Max(1, Math.Abs(high)))
        {
            // One x value: show it in the middle of a range around it.
            var half = Math.Max(minStep, Math.Abs(low) > 0 ? Math.Abs(low) * 0.1 : 1);
            (low, high) = (low - half, high + half);
        }
        var step = Fit(high - low, maxTicks, s => Math.Floor(Snap(high / s)) - Math.Ceiling(Snap(low / s)) + 1);
        if (minStep > 0 && step < minStep) step = StepAtLeast(minStep);
        return Linear(Math.Ceiling(Snap(low / step)), Math.Floor(Snap(high / step)), step, low, high);
    }

    /// <summary>
    /// A log axis over log10 values <paramref name="lowExponent"/>..<paramref name="highExponent"/>:
    /// ticks at 1, 2 and 5 × 10^k enclosing the data when that makes 3 to <paramref name="maxTicks"/>
    /// ticks; at powers of ten (every n-th decade) when the data spans too many decades; inside the
    /// data at linear nice steps when it spans too little of a decade. Labels are the real values.
    /// </summary>
    public static AxisTicks Log(double lowExponent, double highExponent, int maxTicks = 8)
    {
        (lowExponent, highExponent) = Widen(lowExponent, highExponent, 0.05);
        var candidates = new List<double>();
        for (var k = (int)Math.Floor(lowExponent) - 1; k <= (int)Math.Ceiling(highExponent); k++)
            foreach (var mantissa in Mantissas) candidates.Add(Math.Log10(mantissa) + k);
        var below = candidates.Where(c => c <= lowExponent + 1e-9).DefaultIfEmpty(candidates[0]).Max();
        var above = candidates.Where(c => c >= highExponent - 1e-9).DefaultIfEmpty(candidates[^1]).Min();
        var decades = candidates.Where(c => c >= below - 1e-9 && c <= above + 1e-9).ToList();
        if (decades.Count >= 3 && decades.Count <= maxTicks)
            return new AxisTicks(below, above, decades.Select(e => (e, LogLabel(e))).ToList());
        if (decades.Count > maxTicks)
        {
            var every = Math.Max(1, (int)Math.Round(StepAtLeast((Math.Ceiling(highExponent) - Math.Floor(lowExponent)) / (maxTicks - 1))));
            var first = Math.Floor(lowExponent / every) * every;
            var last = Math.Ceiling(highExponent / every) * every;
            var powers = new List<(double, string)>();
            for (var e = first; e <= last + 1e-9; e += every) powers.Add((e, LogLabel(e)));
            return new AxisTicks(first, last, powers);
        }
        // Less than a decade between two of 1, 2, 5: round values inside the data, placed by their logs.
        var linear = Within(Math.Pow(10, lowExponent), Math.Pow(10, highExponent), maxTicks);
        return new AxisTicks(lowExponent, highExponent,
            linear.Ticks.Where(t => t.Position > 0).Select(t => (Math.Log10(t.Position), t.Label)).ToList());
    }

    private static readonly (double Milliseconds, string Format)[] TimeSteps =
    [
        (1_000, "HH:mm:ss"), (2_000, "HH:mm:ss"), (5_000, "HH:mm:ss"), (10_000, "HH:mm:ss"), (15_000, "HH:mm:ss"), (30_000, "HH:mm:ss"),
        (60_000, "HH:mm"), (120_000, "HH:mm"), (300_000, "HH:mm"), (600_000, "HH:mm"), (900_000, "HH:mm"), (1_800_000, "HH:mm"),
        (3_600_000, "HH:mm"), (7_200_000, "HH:mm"), (10_800_000, "HH:mm"), (21_600_000, "HH:mm"), (43_200_000, "HH:mm"),
        (86_400_000, "MM-dd"), (172_800_000, "MM-dd"), (604_800_000, "MM-dd"), (1_209_600_000, "MM-dd"),
    ];

    /// <summary>
    /// Tight labelling of a wall-clock axis (milliseconds since the epoch, UTC): ticks at whole
    /// seconds, minutes, hours or days; the date is added to times when the range spans days.
    /// Spans shorter than two seconds fall back to milliseconds.
    /// </summary>
    public static AxisTicks Time(double lowMs, double highMs, int maxTicks = 6)
    {
        if (highMs - lowMs < 2_000)
        {
            var ms = Within(lowMs, highMs, maxTicks);
            return ms with { Ticks = ms.Ticks.Select(t => (t.Position, Clock(t.Position, "HH:mm:ss.fff"))).ToList() };
        }
        foreach (var (step, format) in TimeSteps)
        {
            var first = Math.Ceiling(lowMs / step);
            var last = Math.Floor(highMs / step);
            if (last - first + 1 > maxTicks) continue;
            var withDate = format.StartsWith("HH", StringComparison.Ordinal) && highMs - lowMs >= 86_400_000 ? "MM-dd " + format : format;
            var ticks = new List<(double, string)>();
            for (var i = first; i <= last; i++) ticks.Add((i * step, Clock(i * step, withDate)));
            return new AxisTicks(lowMs, highMs, ticks);
        }
        var days = Within(lowMs / 86_400_000, highMs / 86_400_000, maxTicks, minStep: 1);
        return new AxisTicks(lowMs, highMs, days.Ticks.Select(t => (t.Position * 86_400_000, Clock(t.Position * 86_400_000, "yyyy-MM-dd"))).ToList());
    }

    private static string Clock(double ms, string format) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(ms)).UtcDateTime.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>
    /// A tick's label, with at most the decimals its step needs (0.3, not 0.30000000000000004;
    /// 0.15 and 0.2 on a 0.05 step); large and small magnitudes as 20k, 1.5M, 2e-5.
    /// </summary>
    public static string Label(double value, double step)
    {
        if (Math.Abs(value) < step * 1e-6) return "0";
        var magnitude = Math.Abs(value);
        if (magnitude >= 1e3 && step >= 1e3)
        {
            foreach (var (factor, suffix) in new[] { (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k") })
            {
                if (magnitude < factor) continue;
                return Label(value / factor, step / factor) + suffix;
            }
        }
        if (magnitude < 1e-3 || magnitude >= 1e15)
        {
            // 2e-4, 3.32e-4: the mantissa keeps the digits the step needs.
            var exponent = (int)Math.Floor(Math.Log10(magnitude) + 1e-9);
            var scale = Math.Pow(10, exponent);
            return Label(value / scale, step / scale) + "e" + exponent.ToString(CultureInfo.InvariantCulture);
        }
        var decimals = Math.Clamp(-(int)Math.Floor(Math.Log10(step) + 1e-9), 0, 15);
        return Math.Round(value, decimals).ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture);
    }

    private static string LogLabel(double exponent)
    {
        var value = Math.Pow(10, exponent);
        var power = Math.Pow(10, Math.Floor(exponent + 1e-9));
        return Label(Math.Round(value / power) * power, power);
    }

    private static AxisTicks Linear(double first, double last, double step, double min, double max)
    {
        var ticks = new List<(double, string)>();
        for (var i = first; i <= last; i++) ticks.Add((i * step, Label(i * step, step)));
        return new AxisTicks(min, max, ticks);
    }

    /// <summary>The smallest nice step whose tick count (per <paramref name="count"/>) is at most <paramref name="maxTicks"/>.</summary>
    private static double Fit(double range, int maxTicks, Func<double, double> count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTicks, 2);
        var step = StepAtLeast(range / (maxTicks - 1));
        while (count(step) > maxTicks) step = NextStep(step);
        return step;
    }

    /// <summary>Rounds away floating-point noise before floor or ceiling: 0.3 / 0.1 is 2.9999999999999996.</summary>
    private static double Snap(double ratio)
    {
        var nearest = Math.Round(ratio);
        return Math.Abs(ratio - nearest) < Math.Max(1e-9, Math.Abs(ratio) * 1e-15) ? nearest : ratio;
    }

    /// <summary>A range with room in it: equal ends are spread around their value.</summary>
    private static (double Low, double High) Widen(double low, double high, double minimum = 0)
    {
        if (!double.IsFinite(low) || !double.IsFinite(high)) return (0, 1);
        if (high < low) (low, high) = (high, low);
        if (high - low >= Math.Max(minimum, 1e-12 * Math.Max(1, Math.Abs(high)))) return (low, high);
        var half = Math.Max(minimum / 2, low == 0 ? 0.5 : Math.Abs(low) * 0.05);
        return (low - half, high + half);
    }
}
