namespace Cairn.Monitoring;

/// <summary>
/// Every drift statistic computed exactly from the raw values, by sorting: the truth the sketch-based statistics are
/// tested against and the baseline of the benchmark. Memory grows with the rows; use <see cref="DriftCalculator"/> for
/// monitors. NaN and ±∞ (numbers) and null (categories) are left out, as missing.
/// </summary>
public static class ExactDrift
{
    /// <summary>Two-sample KS statistic (the largest gap between the empirical CDFs) and its asymptotic p-value (<see cref="KolmogorovDistribution"/>).</summary>
    public static (double Statistic, double PValue) KolmogorovSmirnov(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var r = SortedFinite(reference);
        var c = SortedFinite(current);
        if (r.Length == 0 || c.Length == 0) return (double.NaN, double.NaN);
        int i = 0, j = 0;
        var statistic = 0.0;
        while (i < r.Length && j < c.Length)
        {
            // Step past every copy of the smallest value in both samples, so ties move the two CDFs together.
            var x = Math.Min(r[i], c[j]);
            while (i < r.Length && r[i] == x) i++;
            while (j < c.Length && c[j] == x) j++;
            statistic = Math.Max(statistic, Math.Abs((double)i / r.Length - (double)j / c.Length));
        }
        return (statistic, KolmogorovDistribution.TwoSamplePValue(statistic, r.Length, c.Length));
    }

    /// <summary>Wasserstein-1 distance: ∫ |F_ref − F_cur| dx.</summary>
    public static double Wasserstein(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var r = SortedFinite(reference);
        var c = SortedFinite(current);
        if (r.Length == 0 || c.Length == 0) return double.NaN;
        int i = 0, j = 0;
        var distance = 0.0;
        var x = Math.Min(r[0], c[0]);
        while (i < r.Length || j < c.Length)
        {
            var next = Math.Min(i < r.Length ? r[i] : double.PositiveInfinity, j < c.Length ? c[j] : double.PositiveInfinity);
            distance += Math.Abs((double)i / r.Length - (double)j / c.Length) * (next - x);
            x = next;
            while (i < r.Length && r[i] == x) i++;
            while (j < c.Length && c[j] == x) j++;
        }
        return distance;
    }

    /// <summary>Wasserstein distance over the reference's population standard deviation, as Evidently reports it.</summary>
    public static double WassersteinNormalized(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var distance = Wasserstein(reference, current);
        return DriftFormulas.NormalizeWasserstein(distance, StandardDeviation(reference));
    }

    /// <summary>PSI over the bins (−∞, e₁], (e₁, e₂], …, (eₖ, +∞) of the given ascending edges.</summary>
    public static double Psi(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, ReadOnlySpan<double> edges)
    {
        var (r, c) = (BinCounts(reference, edges), BinCounts(current, edges));
        return Total(r) == 0 || Total(c) == 0 ? double.NaN : DriftFormulas.Psi(r, c);
    }

    /// <summary>Jensen–Shannon distance over the same bins as <see cref="Psi(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double})"/>.</summary>
    public static double JensenShannon(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, ReadOnlySpan<double> edges)
    {
        var (r, c) = (BinCounts(reference, edges), BinCounts(current, edges));
        return Total(r) == 0 || Total(c) == 0 ? double.NaN : DriftFormulas.JensenShannon(r, c);
    }

    public static (double Statistic, double PValue) ChiSquare(ReadOnlySpan<string?> reference, ReadOnlySpan<string?> current)
    {
        var (r, c) = AlignedCounts(reference, current);
        return DriftFormulas.ChiSquare(r, c);
    }

    public static double Psi(ReadOnlySpan<string?> reference, ReadOnlySpan<string?> current)
    {
        var (r, c) = AlignedCounts(reference, current);
        return Total(r) == 0 || Total(c) == 0 ? double.NaN : DriftFormulas.Psi(r, c);
    }

    public static double JensenShannon(ReadOnlySpan<string?> reference, ReadOnlySpan<string?> current)
    {
        var (r, c) = AlignedCounts(reference, current);
        return Total(r) == 0 || Total(c) == 0 ? double.NaN : DriftFormulas.JensenShannon(r, c);
    }

    /// <summary>The share of the current's values below the reference's minimum or above its maximum.</summary>
    public static double OutOfRange(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (var x in reference)
            if (double.IsFinite(x)) { min = Math.Min(min, x); max = Math.Max(max, x); }
        long outside = 0, count = 0;
        foreach (var x in current)
        {
            if (!double.IsFinite(x)) continue;
            count++;
            if (x < min || x > max) outside++;
        }
        return count == 0 || double.IsInfinity(min) ? double.NaN : (double)outside / count;
    }

    /// <summary>Population standard deviation of the finite values (two passes).</summary>
    public static double StandardDeviation(ReadOnlySpan<double> values)
    {
        double sum = 0;
        long count = 0;
        foreach (var x in values) if (double.IsFinite(x)) { sum += x; count++; }
        if (count == 0) return double.NaN;
        var mean = sum / count;
        double squares = 0;
        foreach (var x in values) if (double.IsFinite(x)) squares += (x - mean) * (x - mean);
        return Math.Sqrt(squares / count);
    }

    private static double[] SortedFinite(ReadOnlySpan<double> values)
    {
        var count = 0;
        foreach (var x in values) if (double.IsFinite(x)) count++;
        var sorted = new double[count];
        var k = 0;
        foreach (var x in values) if (double.IsFinite(x)) sorted[k++] = x;
        Array.Sort(sorted);
        return sorted;
    }

    private static long[] BinCounts(ReadOnlySpan<double> values, ReadOnlySpan<double> edges)
    {
        var counts = new long[edges.Length + 1];
        foreach (var x in values)
        {
            if (!double.IsFinite(x)) continue;
            // The first edge at or above x: the bin (e[i-1], e[i]] holds x.
            int low = 0, high = edges.Length;
            while (low < high)
            {
                var mid = (low + high) >> 1;
                if (edges[mid] < x) low = mid + 1; else high = mid;
            }
            counts[low]++;
        }
        return counts;
    }

    private static (long[] Reference, long[] Current) AlignedCounts(ReadOnlySpan<string?> reference, ReadOnlySpan<string?> current)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var r = new List<long>();
        var c = new List<long>();
        foreach (var value in reference)
        {
            if (value is null) continue;
            if (!index.TryGetValue(value, out var i)) { i = index.Count; index[value] = i; r.Add(0); c.Add(0); }
            r[i]++;
        }
        foreach (var value in current)
        {
            if (value is null) continue;
            if (!index.TryGetValue(value, out var i)) { i = index.Count; index[value] = i; r.Add(0); c.Add(0); }
            c[i]++;
        }
        return (r.ToArray(), c.ToArray());
    }

    private static long Total(ReadOnlySpan<long> counts)
    {
        long total = 0;
        foreach (var n in counts) total += n;
        return total;
    }
}
