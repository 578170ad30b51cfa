namespace Cairn.Monitoring;

/// <summary>
/// A numeric profile's buckets as segments in value order: each bucket's interval clipped to the profile's exact
/// [min, max], with its count. Within a segment the sketch does not know where the values lie; at every point outside
/// the open segments the profile's CDF is exact.
/// </summary>
internal sealed class NumericSketch
{
    public readonly int[] Ordinals;
    public readonly long[] Counts;
    public readonly double[] Low;
    public readonly double[] High;
    public readonly long Total;

    public NumericSketch(NumericProfile profile)
    {
        (Ordinals, Counts) = profile.Buckets();
        Low = new double[Ordinals.Length];
        High = new double[Ordinals.Length];
        for (var i = 0; i < Ordinals.Length; i++)
        {
            var (low, high) = LogBuckets.Interval(Ordinals[i]);
            Low[i] = Math.Clamp(low, profile.Min, profile.Max);
            High[i] = Math.Clamp(high, profile.Min, profile.Max);
            Total += Counts[i];
        }
    }

    /// <summary>Edges (as ordinals) of the bins at the profile's deciles, snapped to bucket boundaries: bin i holds the buckets with ordinal in (e[i-1], e[i]]; a last bin holds the rest.</summary>
    public int[] DecileEdges(int bins = 10)
    {
        var edges = new List<int>(bins);
        long cumulative = 0;
        var next = 1;
        for (var i = 0; i < Ordinals.Length && next <= bins; i++)
        {
            cumulative += Counts[i];
            if (cumulative * bins < next * Total) continue;
            edges.Add(Ordinals[i]);
            while (next <= bins && cumulative * bins >= next * Total) next++;
        }
        return edges.ToArray();
    }

    /// <summary>Counts per bin of the given ordinal edges (one more bin than edges).</summary>
    public long[] BinCounts(int[] edges)
    {
        var counts = new long[edges.Length + 1];
        var bin = 0;
        for (var i = 0; i < Ordinals.Length; i++)
        {
            while (bin < edges.Length && Ordinals[i] > edges[bin]) bin++;
            counts[bin] += Counts[i];
        }
        return counts;
    }

    /// <summary>The upper value boundary of a bucket ordinal: the edge value ExactDrift's binning needs.</summary>
    public static double EdgeValue(int ordinal) => LogBuckets.Interval(ordinal).High;
}
