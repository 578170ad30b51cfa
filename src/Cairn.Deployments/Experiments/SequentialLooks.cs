namespace Cairn.Deployments.Experiments;

/// <summary>
/// Replays the mSPRT over the outcomes as they arrived. The report sees each arm's outcomes in
/// order but not how the arms interleaved, so look j of J takes the first j/J of each arm (arms fill
/// at the rate of their weights). Prefix sums make every look O(1).
/// </summary>
internal static class SequentialLooks
{
    public static AlwaysValidTracker Replay(
        bool proportion, IReadOnlyList<double> control, IReadOnlyList<double> variant,
        double tauSquared, double alpha, int minimumSamples, int maxLooks)
    {
        var tracker = new AlwaysValidTracker();
        long nA = control.Count, nB = variant.Count;
        var floor = Math.Max(2, minimumSamples);
        if (nA < floor || nB < floor) return tracker;

        // Shifting by a common centre keeps sums of squares accurate for large outcomes.
        var centre = proportion ? 0 : control[0];
        var prefixA = Prefix(control, centre);
        var prefixB = Prefix(variant, centre);
        var looks = (int)Math.Min(Math.Max(nA, nB), Math.Max(1, maxLooks));
        for (var j = 1; j <= looks; j++)
        {
            var kA = nA * j / looks;
            var kB = nB * j / looks;
            if (kA < floor || kB < floor) continue;
            tracker.Observe(proportion
                ? MixtureSequentialTest.ForProportions((long)Math.Round(prefixA.Sum[kA]), kA, (long)Math.Round(prefixB.Sum[kB]), kB, tauSquared, alpha)
                : MixtureSequentialTest.ForMeans(prefixA.Summary(kA, centre), prefixB.Summary(kB, centre), tauSquared, alpha));
        }
        return tracker;
    }

    private static PrefixSums Prefix(IReadOnlyList<double> values, double centre)
    {
        var sum = new double[values.Count + 1];
        var squares = new double[values.Count + 1];
        for (var i = 0; i < values.Count; i++)
        {
            var x = values[i] - centre;
            sum[i + 1] = sum[i] + x;
            squares[i + 1] = squares[i] + x * x;
        }
        return new(sum, squares);
    }

    private sealed record PrefixSums(double[] Sum, double[] Squares)
    {
        public SampleSummary Summary(long k, double centre)
        {
            var shiftedMean = Sum[k] / k;
            var variance = k > 1 ? Math.Max(0, (Squares[k] - Sum[k] * shiftedMean) / (k - 1)) : 0;
            return new(k, shiftedMean + centre, variance);
        }
    }
}
