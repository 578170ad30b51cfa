namespace Cairn.Monitoring;

/// <summary>
/// KS, Wasserstein and out-of-range share of two numeric profiles in one walk over their aligned buckets, each with a
/// bound on its distance from the value over the raw data (see docs/monitoring-statistics.md).
/// </summary>
internal static class NumericComparison
{
    /// <summary>
    /// KS statistic as the largest CDF gap at points where both CDFs are known exactly (bucket boundaries, and between
    /// the two profiles' values where a bucket holds them apart), so the truth lies in [statistic, statistic + bound].
    /// </summary>
    public static (double Statistic, double Bound) KolmogorovSmirnov(NumericSketch r, NumericSketch c)
    {
        if (r.Total == 0 || c.Total == 0) return (double.NaN, double.NaN);
        double gap = 0, lower = 0, upper = 0;
        int i = 0, j = 0;
        while (i < r.Ordinals.Length || j < c.Ordinals.Length)
        {
            var ordinal = Math.Min(i < r.Ordinals.Length ? r.Ordinals[i] : int.MaxValue, j < c.Ordinals.Length ? c.Ordinals[j] : int.MaxValue);
            var inR = i < r.Ordinals.Length && r.Ordinals[i] == ordinal;
            var inC = j < c.Ordinals.Length && c.Ordinals[j] == ordinal;
            var pR = inR ? (double)r.Counts[i] / r.Total : 0;
            var pC = inC ? (double)c.Counts[j] / c.Total : 0;
            var before = gap;
            gap = before + pR - pC;
            lower = Math.Max(lower, Math.Abs(gap));
            if (inR && inC)
            {
                if (r.High[i] < c.Low[j]) lower = Math.Max(lower, Math.Abs(before + pR));
                else if (c.High[j] < r.Low[i]) lower = Math.Max(lower, Math.Abs(before - pC));
                else if (!(r.Low[i] == r.High[i] && c.Low[j] == c.High[j] && r.Low[i] == c.Low[j]))
                    upper = Math.Max(upper, Math.Max(Math.Abs(before + pR), Math.Abs(before - pC)));
            }
            if (inR) i++;
            if (inC) j++;
        }
        return (lower, Math.Max(0, upper - lower));
    }

    /// <summary>
    /// Wasserstein-1 (∫ |F_ref − F_cur| dx) with each bucket's values spread evenly over its clipped interval. Within a
    /// bucket the estimated and true CDF of a profile differ by at most the bucket's share, so the error is at most
    /// Σ share × interval width over both profiles' buckets.
    /// </summary>
    public static (double Distance, double Bound) Wasserstein(NumericSketch r, NumericSketch c)
    {
        if (r.Total == 0 || c.Total == 0) return (double.NaN, double.NaN);
        double distance = 0, bound = 0, gap = 0, x = double.NaN;
        int i = 0, j = 0;
        Span<double> points = stackalloc double[4];
        while (i < r.Ordinals.Length || j < c.Ordinals.Length)
        {
            var ordinal = Math.Min(i < r.Ordinals.Length ? r.Ordinals[i] : int.MaxValue, j < c.Ordinals.Length ? c.Ordinals[j] : int.MaxValue);
            var inR = i < r.Ordinals.Length && r.Ordinals[i] == ordinal;
            var inC = j < c.Ordinals.Length && c.Ordinals[j] == ordinal;
            var pR = inR ? (double)r.Counts[i] / r.Total : 0;
            var pC = inC ? (double)c.Counts[j] / c.Total : 0;
            double rLow = inR ? r.Low[i] : double.NaN, rHigh = inR ? r.High[i] : double.NaN;
            double cLow = inC ? c.Low[j] : double.NaN, cHigh = inC ? c.High[j] : double.NaN;
            var count = 0;
            if (inR) { points[count++] = rLow; points[count++] = rHigh; }
            if (inC) { points[count++] = cLow; points[count++] = cHigh; }
            var sorted = points[..count];
            sorted.Sort();
            // Between the previous bucket and this one the gap of the CDFs is constant.
            if (!double.IsNaN(x)) distance += Math.Abs(gap) * (sorted[0] - x);
            for (var k = 0; k + 1 < sorted.Length; k++)
            {
                var (u, v) = (sorted[k], sorted[k + 1]);
                if (v <= u) continue;
                var mid = (u + v) / 2;
                var d0 = gap + Spread(u, mid, rLow, rHigh, pR) - Spread(u, mid, cLow, cHigh, pC);
                var d1 = gap + Spread(v, mid, rLow, rHigh, pR) - Spread(v, mid, cLow, cHigh, pC);
                distance += IntegrateAbsLinear(d0, d1, v - u);
            }
            if (inR) bound += pR * (rHigh - rLow);
            if (inC) bound += pC * (cHigh - cLow);
            gap += pR - pC;
            x = sorted[^1];
            if (inR) i++;
            if (inC) j++;
        }
        return (distance, bound);
    }

    /// <summary>
    /// The share of the current's values outside the reference's exact [min, max]; a bucket straddling min or max is
    /// split by linear interpolation and its whole share goes into the bound.
    /// </summary>
    public static (double Share, double Bound) OutOfRange(NumericProfile reference, NumericSketch c, NumericProfile current)
    {
        if (reference.Count == 0 || c.Total == 0) return (double.NaN, double.NaN);
        double min = reference.Min, max = reference.Max;
        if (current.Min >= min && current.Max <= max) return (0, 0);
        double outside = 0, bound = 0;
        for (var i = 0; i < c.Ordinals.Length; i++)
        {
            double a = c.Low[i], b = c.High[i], p = (double)c.Counts[i] / c.Total;
            if (b < min || a > max) { outside += p; continue; }
            if (a >= min && b <= max) continue;
            var width = b - a;
            var below = a < min ? (min - a) / width : 0;
            var above = b > max ? (b - max) / width : 0;
            outside += p * Math.Min(1, below + above);
            bound += p;
        }
        return (outside, bound);
    }

    /// <summary>Shares of both profiles over at most <paramref name="bins"/> equal-width bins across both ranges, for plots.</summary>
    public static DisplayHistogram Histogram(NumericSketch r, NumericSketch c, NumericProfile reference, NumericProfile current, int bins = 20)
    {
        var low = Math.Min(reference.Count > 0 ? reference.Min : double.PositiveInfinity, current.Count > 0 ? current.Min : double.PositiveInfinity);
        var high = Math.Max(reference.Count > 0 ? reference.Max : double.NegativeInfinity, current.Count > 0 ? current.Max : double.NegativeInfinity);
        if (double.IsInfinity(low)) return new DisplayHistogram([], null, [], []);
        if (high <= low) bins = 1;
        var edges = new double[bins + 1];
        for (var k = 0; k <= bins; k++) edges[k] = k == bins ? high : low + (high - low) * k / bins;
        return new DisplayHistogram(edges, null, Distribute(r, edges), Distribute(c, edges));
    }

    private static double[] Distribute(NumericSketch s, double[] edges)
    {
        var bins = edges.Length - 1;
        var shares = new double[bins];
        if (s.Total == 0) return shares;
        double low = edges[0], width = (edges[^1] - edges[0]) / bins;
        for (var i = 0; i < s.Ordinals.Length; i++)
        {
            var p = (double)s.Counts[i] / s.Total;
            double a = s.Low[i], b = s.High[i];
            if (width <= 0 || b <= a)
            {
                shares[BinOf(a, low, width, bins)] += p;
                continue;
            }
            int first = BinOf(a, low, width, bins), last = BinOf(b, low, width, bins);
            for (var k = first; k <= last; k++)
            {
                var overlap = Math.Min(b, edges[k + 1]) - Math.Max(a, edges[k]);
                if (overlap > 0) shares[k] += p * overlap / (b - a);
            }
        }
        return shares;
    }

    private static int BinOf(double x, double low, double width, int bins) =>
        width <= 0 ? 0 : Math.Clamp((int)((x - low) / width), 0, bins - 1);

    // The CDF share reached inside a bucket at t, with the bucket's share p spread evenly over [low, high]
    // (a point mass when low == high; mid tells which side of t the open sub-interval lies on).
    private static double Spread(double t, double mid, double low, double high, double p)
    {
        if (p == 0 || double.IsNaN(low)) return 0;
        if (high <= low) return mid > low ? p : 0;
        return p * Math.Clamp((t - low) / (high - low), 0, 1);
    }

    private static double IntegrateAbsLinear(double d0, double d1, double length)
    {
        if (d0 >= 0 == d1 >= 0) return length * (Math.Abs(d0) + Math.Abs(d1)) / 2;
        var a = Math.Abs(d0);
        var b = Math.Abs(d1);
        return length * (a * a + b * b) / (2 * (a + b));
    }
}
