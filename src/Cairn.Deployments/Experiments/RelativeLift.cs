namespace Cairn.Deployments.Experiments;

/// <summary>
/// The relative lift B / A - 1 and its interval by the delta method (first-order Taylor expansion of
/// the ratio, the two means independent): Var(B/A) ≈ Var(B)/A² + B²·Var(A)/A⁴. Not Fieller's interval:
/// with a control mean far from 0 (the usual case, thousands of samples) the two agree; near 0 the
/// lift itself is not meaningful and is left out.
/// </summary>
public static class RelativeLift
{
    /// <param name="meanA">Control mean; the lift is null when it is 0.</param>
    /// <param name="varianceOfMeanA">s²/n of the control.</param>
    /// <param name="critical">The two-sided critical value (z or t) of the interval.</param>
    public static (double? Lift, double? Low, double? High) Estimate(
        double meanA, double varianceOfMeanA, double meanB, double varianceOfMeanB, double critical)
    {
        if (meanA == 0 || !double.IsFinite(meanA) || !double.IsFinite(meanB)) return (null, null, null);
        var lift = meanB / meanA - 1;
        var a2 = meanA * meanA;
        var variance = varianceOfMeanB / a2 + meanB * meanB * varianceOfMeanA / (a2 * a2);
        var half = critical * Math.Sqrt(Math.Max(0, variance));
        if (!double.IsFinite(half)) return (lift, null, null);
        return (lift, lift - half, lift + half);
    }
}
