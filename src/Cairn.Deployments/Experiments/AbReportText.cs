using System.Globalization;
using System.Text;

namespace Cairn.Deployments.Experiments;

public static partial class AbAnalysis
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The report as a text table for a terminal: settings, one row per variant, the sample-ratio check and the verdict.</summary>
    public static string ToText(AbReport report)
    {
        var level = AbVerdicts.Confidence(report.Alpha);
        var mde = report.MinimumDetectableEffect is { } m ? $", minimum detectable effect {AbVerdicts.Percent(m)}" : "";
        var text = new StringBuilder();
        text.AppendLine($"A/B test on {report.Metric} ({report.Kind}), control {report.Control}, alpha {report.Alpha.ToString(Invariant)}{mde}");
        text.AppendLine();

        string[] header = ["variant", "assigned", "samples", report.Kind == AbMetricKinds.Proportion ? "rate" : "mean", "sd",
            "lift", $"{level} CI", "p", $"always-valid {level} CI", "always-valid p", "needed"];
        var rows = new List<string[]> { header };
        foreach (var v in report.Variants)
        {
            rows.Add(v.IsControl
                ? [v.Variant, AbVerdicts.Count(v.Assigned), AbVerdicts.Count(v.Samples), Number(v.Mean), Number(v.StdDev),
                    "control", "", "", "", "", Needed(v.RequiredSamples)]
                : [v.Variant, AbVerdicts.Count(v.Assigned), AbVerdicts.Count(v.Samples), Number(v.Mean), Number(v.StdDev),
                    v.Lift is { } lift ? AbVerdicts.Percent(lift) : v.Difference is { } d ? AbVerdicts.Signed(d) : "-",
                    Interval(v.LiftLow, v.LiftHigh, v.DifferenceLow, v.DifferenceHigh, v.Lift is not null),
                    v.PValue is { } p ? AbVerdicts.PNumber(p).TrimStart('=') + (v.Significant ? " *" : "") : "-",
                    Interval(v.SequentialLiftLow, v.SequentialLiftHigh, v.SequentialDifferenceLow, v.SequentialDifferenceHigh, v.Lift is not null),
                    v.SequentialPValue is { } sp ? AbVerdicts.PNumber(sp).TrimStart('=') + (v.SignificantSequential ? " *" : "") : "-",
                    Needed(v.RequiredSamples)]);
        }
        var widths = Enumerable.Range(0, header.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            text.AppendLine(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        text.AppendLine($"(* below alpha; the fixed-horizon p holds only if read once at the planned sample size, the always-valid one at any time)");
        text.AppendLine();

        var srm = report.SampleRatio;
        text.AppendLine($"sample ratio ({srm.Split} split): chi-square {srm.ChiSquare.ToString("0.##", Invariant)}, df {srm.DegreesOfFreedom}, "
            + $"{AbVerdicts.P(srm.PValue)} -> {(srm.Mismatch ? "MISMATCH" : "ok")} (threshold {srm.Threshold.ToString(Invariant)})");
        text.AppendLine($"verdict: {report.Verdict}");
        return text.ToString();
    }

    private static string Number(double x) => x.ToString("G4", Invariant);

    private static string Needed(long? n) => n is { } v ? AbVerdicts.Count(v) : "-";

    private static string Interval(double? liftLow, double? liftHigh, double? low, double? high, bool relative)
    {
        if (relative)
            return liftLow is { } a && liftHigh is { } b ? $"{AbVerdicts.Percent(a)} to {AbVerdicts.Percent(b)}" : "-";
        return low is { } c && high is { } d ? $"{AbVerdicts.Signed(c)} to {AbVerdicts.Signed(d)}" : "-";
    }
}
