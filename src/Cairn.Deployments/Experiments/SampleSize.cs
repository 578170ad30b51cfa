using MathNet.Numerics.Distributions;

namespace Cairn.Deployments.Experiments;

/// <summary>
/// Samples per variant a two-sided fixed-horizon test needs to detect a relative effect with the
/// given power: n = (z(1 − α/2) + z(power))² · (σA² + σB²) / δ², rounded up. For proportions
/// σ² = p(1 − p) at the baseline rate and at the rate with the effect; for means the standard
/// deviation is taken to be the same in both arms.
/// </summary>
public static class SampleSize
{
    public const double DefaultPower = 0.8;

    /// <param name="baselineRate">Control rate, strictly between 0 and 1.</param>
    /// <param name="relativeEffect">Lift to detect, e.g. 0.05 for +5 % (negative for a drop); the rate with the effect must stay between 0 and 1.</param>
    public static long ForProportions(double baselineRate, double relativeEffect, double alpha = 0.05, double power = DefaultPower)
    {
        if (!(baselineRate > 0 && baselineRate < 1))
            throw CairnException.InvalidParameter($"The baseline rate must be strictly between 0 and 1, got {baselineRate}.");
        CheckEffect(relativeEffect);
        var treated = baselineRate * (1 + relativeEffect);
        if (!(treated > 0 && treated < 1))
            throw CairnException.InvalidParameter(
                $"A {relativeEffect:P1} lift on a rate of {baselineRate:P1} gives {treated:P1}, outside 0 to 100 %; choose a smaller effect.");
        var variance = baselineRate * (1 - baselineRate) + treated * (1 - treated);
        return PerVariant(variance, treated - baselineRate, alpha, power);
    }

    /// <param name="baselineMean">Control mean, not 0 (the effect is relative to it).</param>
    /// <param name="standardDeviation">Outcome standard deviation per request, positive.</param>
    public static long ForMeans(double baselineMean, double standardDeviation, double relativeEffect, double alpha = 0.05, double power = DefaultPower)
    {
        if (baselineMean == 0 || !double.IsFinite(baselineMean))
            throw CairnException.InvalidParameter($"The baseline mean must be finite and not 0 for a relative effect, got {baselineMean}.");
        if (!(standardDeviation > 0) || !double.IsFinite(standardDeviation))
            throw CairnException.InvalidParameter($"The standard deviation must be positive, got {standardDeviation}.");
        CheckEffect(relativeEffect);
        return PerVariant(2 * standardDeviation * standardDeviation, relativeEffect * baselineMean, alpha, power);
    }

    private static long PerVariant(double variance, double delta, double alpha, double power)
    {
        AbInputs.CheckAlpha(alpha);
        AbInputs.CheckPower(power);
        var z = Normal.InvCDF(0, 1, 1 - alpha / 2) + Normal.InvCDF(0, 1, power);
        var n = z * z * variance / (delta * delta);
        if (!double.IsFinite(n) || n > long.MaxValue / 2.0)
            throw CairnException.InvalidParameter("The effect is too small for any feasible sample size; choose a larger minimum detectable effect.");
        return Math.Max(2, (long)Math.Ceiling(n - 1e-9));
    }

    private static void CheckEffect(double relativeEffect)
    {
        if (relativeEffect == 0 || !double.IsFinite(relativeEffect))
            throw CairnException.InvalidParameter($"The minimum detectable effect must be a non-zero relative lift such as 0.05, got {relativeEffect}.");
    }
}
