namespace Cairn.Monitoring;

/// <summary>
/// The asymptotic Kolmogorov distribution (scipy's <c>kstwobign</c>), which the two-sample KS p-value uses with the
/// effective sample size n·m/(n+m): p = Q(D·√(n·m/(n+m))).
/// </summary>
public static class KolmogorovDistribution
{
    /// <summary>Q(λ) = P(K &gt; λ) = 2 Σ (-1)^(k-1) exp(-2k²λ²).</summary>
    public static double Survival(double lambda)
    {
        if (double.IsNaN(lambda)) return double.NaN;
        if (lambda <= 0) return 1;
        if (lambda < 1.18)
        {
            // The alternating series converges slowly for small λ; the theta-function form converges fast there.
            var sum = 0.0;
            var factor = -Math.PI * Math.PI / (8 * lambda * lambda);
            for (var k = 1; k <= 20; k++)
            {
                var odd = 2 * k - 1;
                var term = Math.Exp(factor * odd * odd);
                sum += term;
                if (term < 1e-17) break;
            }
            return Math.Clamp(1 - Math.Sqrt(2 * Math.PI) / lambda * sum, 0, 1);
        }
        var total = 0.0;
        for (var k = 1; k <= 100; k++)
        {
            var term = Math.Exp(-2.0 * k * k * lambda * lambda);
            total += (k % 2 == 1 ? 2 : -2) * term;
            if (term < 1e-17) break;
        }
        return Math.Clamp(total, 0, 1);
    }

    /// <summary>The two-sample p-value of a KS statistic for samples of n and m values.</summary>
    public static double TwoSamplePValue(double statistic, long n, long m)
    {
        if (n <= 0 || m <= 0 || double.IsNaN(statistic)) return double.NaN;
        var effective = (double)n * m / (n + m);
        return Survival(statistic * Math.Sqrt(effective));
    }
}
