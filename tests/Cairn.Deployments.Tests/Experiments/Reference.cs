namespace Cairn.Deployments.Tests.Experiments;

/// <summary>Independent reference values for the closed-form tests, and random draws for the simulations.</summary>
internal static class Reference
{
    /// <summary>Critical values from printed tables.</summary>
    public const double Z975 = 1.959964;
    public const double Z80 = 0.841621;
    public const double T975With2Df = 4.302653;
    public const double T975With20Df = 2.085963;

    /// <summary>erfc by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), not the library under test.</summary>
    public static double Erfc(double x)
    {
        var t = 1 / (1 + 0.3275911 * x);
        var poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        return poly * Math.Exp(-x * x);
    }

    /// <summary>Two-sided normal p-value: 2(1 − Φ(|z|)) = erfc(|z|/√2).</summary>
    public static double TwoSidedNormalP(double z) => Erfc(Math.Abs(z) / Math.Sqrt(2));

    /// <summary>Binomial draw as a sum of Bernoulli trials: exact, and fast enough at these sizes.</summary>
    public static long Binomial(Random random, long n, double p)
    {
        long k = 0;
        for (long i = 0; i < n; i++) if (random.NextDouble() < p) k++;
        return k;
    }

    /// <summary>Standard normal by Box–Muller.</summary>
    public static double Gaussian(Random random)
    {
        var u = 1 - random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble());
    }
}
