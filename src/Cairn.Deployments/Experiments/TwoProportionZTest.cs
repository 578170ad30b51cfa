using MathNet.Numerics.Distributions;

namespace Cairn.Deployments.Experiments;

/// <summary>
/// Two-proportion z-test for 0/1 outcomes (conversion, click, correct prediction).
/// The test uses the pooled standard error, the right one under the null of equal rates:
/// z = (p̂B − p̂A) / √(p̂(1 − p̂)(1/nA + 1/nB)) with p̂ = (xA + xB)/(nA + nB).
/// The interval of the difference uses the unpooled (Wald) standard error √(p̂A(1 − p̂A)/nA + p̂B(1 − p̂B)/nB),
/// the right one when the rates differ; the relative lift's interval uses the delta method (<see cref="RelativeLift"/>).
/// </summary>
public static class TwoProportionZTest
{
    /// <param name="successesA">Control arm: outcomes equal to 1.</param>
    /// <param name="trialsA">Control arm: outcomes in all.</param>
    /// <param name="alpha">Two-sided level; the intervals have 1 - alpha coverage.</param>
    public static FixedHorizonResult Run(long successesA, long trialsA, long successesB, long trialsB, double alpha = 0.05)
    {
        Check(successesA, trialsA, "A");
        Check(successesB, trialsB, "B");
        AbInputs.CheckAlpha(alpha);
        var rateA = trialsA > 0 ? (double)successesA / trialsA : 0;
        var rateB = trialsB > 0 ? (double)successesB / trialsB : 0;
        var difference = rateB - rateA;
        if (trialsA == 0 || trialsB == 0) return new(null, null, 1, difference, null, null, null, null, null);

        var pooled = (double)(successesA + successesB) / (trialsA + trialsB);
        var pooledSe = Math.Sqrt(pooled * (1 - pooled) * (1.0 / trialsA + 1.0 / trialsB));
        // All 0 or all 1 in both arms: nothing differs, nothing to test.
        var z = pooledSe > 0 ? difference / pooledSe : 0;
        var p = Math.Min(1, 2 * Normal.CDF(0, 1, -Math.Abs(z)));

        var critical = Normal.InvCDF(0, 1, 1 - alpha / 2);
        var varA = rateA * (1 - rateA) / trialsA;
        var varB = rateB * (1 - rateB) / trialsB;
        var half = critical * Math.Sqrt(varA + varB);
        var (lift, liftLow, liftHigh) = RelativeLift.Estimate(rateA, varA, rateB, varB, critical);
        return new(z, null, p, difference, difference - half, difference + half, lift, liftLow, liftHigh);
    }

    private static void Check(long successes, long trials, string arm)
    {
        if (trials < 0 || successes < 0 || successes > trials)
            throw CairnException.InvalidParameter(
                $"Arm {arm} has {successes} successes in {trials} trials; successes must be between 0 and the trials.");
    }
}
