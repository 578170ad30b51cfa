using MathNet.Numerics;

namespace Cairn.Deployments.Experiments;

/// <summary>One variant in the sample-ratio check.</summary>
/// <param name="Weight">Percent of traffic the split gives it.</param>
/// <param name="Expected">Assignments the split predicts: all assignments × weight / sum of weights.</param>
public sealed record SampleRatioCell(string Variant, int Weight, long Observed, double Expected);

/// <summary>The sample-ratio-mismatch (SRM) check of an A/B test.</summary>
/// <param name="ChiSquare">Pearson's χ² = Σ (observed − expected)² / expected over the variants with weight.</param>
/// <param name="DegreesOfFreedom">Variants with weight, minus 1.</param>
/// <param name="PValue">P(χ² at least this large) if assignment follows the weights.</param>
/// <param name="Threshold">Mismatch below this p-value.</param>
/// <param name="Mismatch">Assignment does not follow the split: results are not to be trusted.</param>
/// <param name="Split">The weights as people write them, e.g. "50/50".</param>
public sealed record SampleRatioResult(
    double ChiSquare,
    int DegreesOfFreedom,
    double PValue,
    double Threshold,
    bool Mismatch,
    string Split,
    IReadOnlyList<SampleRatioCell> Cells);

/// <summary>
/// Sample-ratio-mismatch check: a chi-square goodness-of-fit test of the assigned counts against the
/// configured weights. A mismatch means the router, a filter or the logging loses requests of one
/// variant more than another, which biases every comparison; the usual threshold is p &lt; 0.001,
/// strict because the check runs on every report and large samples make small p-values cheap.
/// </summary>
public static class SampleRatioMismatch
{
    public const double DefaultThreshold = 0.001;

    /// <param name="counts">Assigned requests per variant, in display order.</param>
    /// <param name="weights">Percent of traffic per variant (integers as in the endpoint spec); every variant in <paramref name="counts"/> needs one.</param>
    public static SampleRatioResult Check(
        IReadOnlyList<(string Variant, long Assigned)> counts,
        IReadOnlyDictionary<string, int> weights,
        double threshold = DefaultThreshold)
    {
        if (!(threshold > 0 && threshold < 1))
            throw CairnException.InvalidParameter($"The sample-ratio threshold must be between 0 and 1, got {threshold}; 0.001 is usual.");
        foreach (var (variant, assigned) in counts)
        {
            if (!weights.TryGetValue(variant, out var w))
                throw CairnException.InvalidParameter(
                    $"Variant '{variant}' has no weight; give every variant in the test its percent of traffic (weights: {string.Join(", ", weights.Select(kv => $"{kv.Key}={kv.Value}"))}).");
            if (w < 0) throw CairnException.InvalidParameter($"Variant '{variant}' has weight {w}; weights are percents from 0 to 100.");
            if (assigned < 0) throw CairnException.InvalidParameter($"Variant '{variant}' has {assigned} assignments; counts cannot be negative.");
        }

        var total = counts.Sum(c => c.Assigned);
        var weightSum = counts.Sum(c => (long)weights[c.Variant]);
        var cells = counts.Select(c => new SampleRatioCell(c.Variant, weights[c.Variant], c.Assigned,
            weightSum > 0 ? (double)total * weights[c.Variant] / weightSum : 0)).ToList();
        var split = string.Join("/", cells.Select(c => c.Weight));

        var weighted = cells.Where(c => c.Weight > 0).ToList();
        var df = weighted.Count - 1;
        // A variant the split gives no traffic but that got some: no chi-square can be computed, and
        // assignment plainly does not follow the split.
        if (cells.Any(c => c.Weight == 0 && c.Observed > 0))
            return new(0, Math.Max(df, 0), 0, threshold, true, split, cells);
        if (df < 1 || total == 0) return new(0, Math.Max(df, 0), 1, threshold, false, split, cells);

        var chiSquare = weighted.Sum(c => (c.Observed - c.Expected) * (c.Observed - c.Expected) / c.Expected);
        // The upper tail directly, not 1 − CDF, so that tiny p-values keep their digits.
        var p = SpecialFunctions.GammaUpperRegularized(df / 2.0, chiSquare / 2);
        return new(chiSquare, df, p, threshold, p < threshold, split, cells);
    }
}
