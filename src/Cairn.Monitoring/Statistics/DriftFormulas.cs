using MathNet.Numerics;

namespace Cairn.Monitoring;

/// <summary>
/// The formulas over aligned bins or categories, shared by the sketch path and <see cref="ExactDrift"/>. Shares of 0 are
/// raised to <see cref="ZeroShare"/> before PSI and Jensen–Shannon, as Evidently does, so an empty bin gives a large
/// but finite value.
/// </summary>
public static class DriftFormulas
{
    public const double ZeroShare = 0.0001;

    /// <summary>Each count over the total, with 0 raised to <see cref="ZeroShare"/>.</summary>
    public static double[] Shares(ReadOnlySpan<long> counts)
    {
        long total = 0;
        foreach (var count in counts) total += count;
        var shares = new double[counts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            var share = total == 0 ? 0 : (double)counts[i] / total;
            shares[i] = share == 0 ? ZeroShare : share;
        }
        return shares;
    }

    /// <summary>Population stability index: Σ (current − reference) · ln(current / reference).</summary>
    public static double Psi(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        var r = Shares(reference);
        var c = Shares(current);
        var psi = 0.0;
        for (var i = 0; i < r.Length; i++) psi += (c[i] - r[i]) * Math.Log(c[i] / r[i]);
        return psi;
    }

    /// <summary>Jensen–Shannon distance (natural log, as scipy's default): √((KL(p‖m) + KL(q‖m)) / 2), m = (p+q)/2, on renormalised shares.</summary>
    public static double JensenShannon(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        var p = Shares(reference);
        var q = Shares(current);
        double sumP = 0, sumQ = 0;
        for (var i = 0; i < p.Length; i++) { sumP += p[i]; sumQ += q[i]; }
        var divergence = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            var pi = p[i] / sumP;
            var qi = q[i] / sumQ;
            var m = (pi + qi) / 2;
            divergence += pi * Math.Log(pi / m) + qi * Math.Log(qi / m);
        }
        return Math.Sqrt(Math.Max(0, divergence / 2));
    }

    /// <summary>
    /// Pearson's chi-square of the current counts against the reference shares scaled to the current total (Evidently's
    /// test): Σ (o − e)² / e over the categories of either, k − 1 degrees of freedom, p from the upper regularised gamma
    /// function. A category the reference never had gives an infinite statistic and p = 0.
    /// </summary>
    public static (double Statistic, double PValue) ChiSquare(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        long referenceTotal = 0, currentTotal = 0;
        var categories = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            referenceTotal += reference[i];
            currentTotal += current[i];
            if (reference[i] > 0 || current[i] > 0) categories++;
        }
        if (referenceTotal == 0 || currentTotal == 0) return (double.NaN, double.NaN);
        var scale = (double)currentTotal / referenceTotal;
        var statistic = 0.0;
        for (var i = 0; i < reference.Length; i++)
        {
            if (reference[i] == 0 && current[i] == 0) continue;
            if (reference[i] == 0) return (double.PositiveInfinity, 0);
            var expected = reference[i] * scale;
            var d = current[i] - expected;
            statistic += d * d / expected;
        }
        var freedom = categories - 1;
        if (freedom < 1) return (statistic, 1);
        return (statistic, SpecialFunctions.GammaUpperRegularized(freedom / 2.0, statistic / 2));
    }

    /// <summary>Wasserstein distance divided by the reference's standard deviation (Evidently's normalisation); a constant reference gives 0 for an equal current, +∞ otherwise.</summary>
    public static double NormalizeWasserstein(double distance, double referenceStandardDeviation)
    {
        if (double.IsNaN(distance)) return double.NaN;
        if (referenceStandardDeviation > 0) return distance / referenceStandardDeviation;
        return distance == 0 ? 0 : double.PositiveInfinity;
    }
}
