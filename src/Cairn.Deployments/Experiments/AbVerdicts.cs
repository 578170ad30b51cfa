using System.Globalization;

namespace Cairn.Deployments.Experiments;

/// <summary>
/// The verdict lines. A variant is called only on the always-valid test; higher outcomes count as
/// better ("beats"). A sample-ratio mismatch overrides everything: the comparison is biased.
/// </summary>
internal static class AbVerdicts
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string ForVariant(AbVariantReport row, string control, long controlSamples, AbTestSettings settings, AbAnalysisOptions options)
    {
        var level = Confidence(settings.Alpha);
        var estimate = Estimate(row, level);
        var pText = $"always-valid {P(row.SequentialPValue ?? 1)}";
        var floor = Math.Max(2, options.MinimumSamplesForSequential);
        var fewest = Math.Min(row.Samples, controlSamples);

        if (row.SignificantSequential)
        {
            var word = (row.Difference ?? 0) >= 0 ? "beats" : "is worse than";
            return $"{row.Variant} {word} {control}: {estimate}, {pText}";
        }
        if (fewest < floor)
        {
            var needed = row.RequiredSamples is { } r ? $"; {Count(r)} needed per variant for the minimum detectable effect" : "";
            return $"not enough data yet for {row.Variant} vs {control}: {Count(row.Samples)} and {Count(controlSamples)} samples, "
                + $"the sequential test starts at {Count(floor)} per variant{needed}";
        }
        var comparison = $"{row.Variant} vs {control} {estimate}, {pText}";
        if (row.RequiredSamples is { } required)
        {
            return fewest < required
                ? $"no significant difference yet: {Count(fewest)} of {Count(required)} samples needed per variant; {comparison}"
                : $"no significant difference after {Count(fewest)} samples per variant ({Count(required)} planned for a "
                  + $"{Percent(settings.MinimumDetectableEffect!.Value)} lift): {comparison}";
        }
        return $"no significant difference yet: {comparison}";
    }

    public static string Overall(IReadOnlyList<AbVariantReport> rows, string control, SampleRatioResult srm)
    {
        if (srm.Mismatch)
            return $"sample ratio mismatch: assignment does not follow the {srm.Split} split ({P(srm.PValue)}); fix the split before reading results";
        var verdicts = rows.Where(r => r.Verdict is not null).Select(r => r.Verdict!).ToList();
        return verdicts.Count > 0
            ? string.Join("; ", verdicts)
            : $"only the control '{control}' is in the test; add a variant to compare with it";
    }

    /// <summary>"+4.1% (95% CI +1.2% to +7.0%)" from the always-valid interval; the absolute difference when the control's mean is 0.</summary>
    private static string Estimate(AbVariantReport row, string level)
    {
        if (row.Lift is { } lift)
            return row.SequentialLiftLow is { } low && row.SequentialLiftHigh is { } high
                ? $"{Percent(lift)} ({level} CI {Percent(low)} to {Percent(high)})"
                : Percent(lift);
        var difference = row.Difference ?? 0;
        return row.SequentialDifferenceLow is { } dLow && row.SequentialDifferenceHigh is { } dHigh
            ? $"{Signed(difference)} ({level} CI {Signed(dLow)} to {Signed(dHigh)})"
            : Signed(difference);
    }

    public static string Confidence(double alpha) => ((1 - alpha) * 100).ToString("0.##", Invariant) + "%";

    public static string Percent(double ratio) => (ratio < 0 ? "-" : "+") + Math.Abs(ratio * 100).ToString("0.0", Invariant) + "%";

    public static string Signed(double x) => (x < 0 ? "-" : "+") + Math.Abs(x).ToString("G4", Invariant);

    public static string Count(long n) => n.ToString("N0", Invariant);

    /// <summary>A p-value as people quote it: p=0.003, p=0.41, p=1e-6, p&lt;1e-16.</summary>
    public static string P(double p) => "p" + PNumber(p);

    /// <summary>"=0.003" or "&lt;1e-16": what follows "p".</summary>
    public static string PNumber(double p)
    {
        if (p < 1e-16) return "<1e-16";
        return "=" + (p < 0.001 ? p.ToString("0.#e0", Invariant) : p.ToString("0.###", Invariant));
    }
}
