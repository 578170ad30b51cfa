using MathNet.Numerics.Distributions;

namespace Cairn.Deployments.Experiments;

/// <summary>
/// Quantiles of Student's t. MathNet's StudentT.InvCDF is a generic root search its own docs call slow
/// and unreliable; its CDF and PDF are exact, so this is a safeguarded Newton search on them, started
/// at the normal quantile (a handful of iterations).
/// </summary>
internal static class StudentTQuantile
{
    /// <param name="probability">Strictly between 0.5 and 1 (an upper critical value, e.g. 0.975).</param>
    public static double Upper(double degreesOfFreedom, double probability)
    {
        var z = Normal.InvCDF(0, 1, probability);
        if (degreesOfFreedom > 1e7) return z;
        double low = 0, high = Math.Max(z, 1);
        while (StudentT.CDF(0, 1, degreesOfFreedom, high) < probability && high < 1e15) high *= 2;

        var x = Math.Clamp(z, low, high);
        for (var i = 0; i < 100; i++)
        {
            var error = StudentT.CDF(0, 1, degreesOfFreedom, x) - probability;
            if (Math.Abs(error) < 1e-14) break;
            if (error < 0) low = x; else high = x;
            var next = x - error / StudentT.PDF(0, 1, degreesOfFreedom, x);
            // Outside the bracket (or no slope), halve the bracket instead.
            x = next > low && next < high && double.IsFinite(next) ? next : (low + high) / 2;
            if (high - low < 1e-13 * Math.Max(1, x)) break;
        }
        return x;
    }
}
