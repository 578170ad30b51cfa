using MathNet.Numerics.Distributions;

namespace Cairn.Deployments.Experiments;

/// <summary>
/// Welch's t-test for a difference of means with unequal variances (revenue, latency, a score).
/// t = (x̄B − x̄A) / √(sA²/nA + sB²/nB), with the Welch–Satterthwaite degrees of freedom
/// ν = (sA²/nA + sB²/nB)² / ((sA²/nA)²/(nA − 1) + (sB²/nB)²/(nB − 1)).
/// The interval of the difference is x̄B − x̄A ± t(1 − α/2, ν)·SE; the relative lift's uses the
/// delta method with the same critical value (<see cref="RelativeLift"/>).
/// </summary>
public static class WelchTTest
{
    /// <summary>Compares B (treatment) with A (control). Each arm needs two samples for a variance; with fewer the p-value is 1 and no interval is given.</summary>
    public static FixedHorizonResult Run(SampleSummary a, SampleSummary b, double alpha = 0.05)
    {
        AbInputs.CheckAlpha(alpha);
        var difference = b.Mean - a.Mean;
        if (a.Count < 2 || b.Count < 2) return new(null, null, 1, difference, null, null, null, null, null);

        var varA = a.VarianceOfMean;
        var varB = b.VarianceOfMean;
        var se2 = varA + varB;
        double df;
        double? t;
        double p;
        if (se2 > 0)
        {
            df = se2 * se2 / (varA * varA / (a.Count - 1) + varB * varB / (b.Count - 1));
            t = difference / Math.Sqrt(se2);
            p = Math.Min(1, 2 * StudentT.CDF(0, 1, df, -Math.Abs(t.Value)));
        }
        else
        {
            // Both arms constant: the difference is exact. Equal constants differ by nothing (p = 1);
            // different ones differ for sure (p = 0), and t is infinite, so it is left out.
            df = a.Count + b.Count - 2;
            t = difference == 0 ? 0 : null;
            p = difference == 0 ? 1 : 0;
        }
        var critical = StudentTQuantile.Upper(df, 1 - alpha / 2);
        var half = critical * Math.Sqrt(se2);
        var (lift, liftLow, liftHigh) = RelativeLift.Estimate(a.Mean, varA, b.Mean, varB, critical);
        return new(t, df, p, difference, difference - half, difference + half, lift, liftLow, liftHigh);
    }
}
