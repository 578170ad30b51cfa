namespace Cairn.Tracking;

/// <summary>
/// Which steps of a metric MLflow's charts load for several runs at once
/// (<c>get-history-bulk-interval</c>): at most <c>maxResults</c> steps spread evenly over the
/// steps the runs logged in the range, plus each run's first and last step in it, so that every
/// line keeps its ends. The arithmetic is MLflow's server's, quirks included, so that a chart
/// shows the same points from either server.
/// </summary>
public static class MetricStepSampling
{
    public const int MaxRuns = 100;
    public const int MaxResultsPerRun = 2500;
    /// <summary>The most points one run contributes to one answer.</summary>
    public const int MaxPointsPerRun = 25_000;

    /// <param name="stepsPerRun">Every step each run logged the metric at.</param>
    /// <param name="range">The steps asked for, both ends included; null: from 0 to the largest step logged.</param>
    public static IReadOnlyList<long> SampleSteps(IReadOnlyList<IReadOnlyList<long>> stepsPerRun, (long Start, long End)? range, int maxResults)
    {
        var allSteps = stepsPerRun.SelectMany(s => s).Distinct().Order().ToList();
        var (start, end) = range ?? (0, allSteps.Count > 0 ? allSteps[^1] : 0);
        var ends = stepsPerRun.Where(s => s.Count > 0).SelectMany(s => new[] { s.Min(), s.Max() })
            .Where(step => start <= step && step <= end);
        return Sample(start, end, maxResults, allSteps).Union(ends).Order().ToList();
    }

    /// <param name="allSteps">Sorted, distinct.</param>
    private static HashSet<long> Sample(long start, long end, int maxResults, List<long> allSteps)
    {
        var startIndex = LowerBound(allSteps, start);
        var endIndex = UpperBound(allSteps, end);
        if (endIndex - startIndex <= maxResults) return allSteps[startIndex..endIndex].ToHashSet();
        var count = endIndex - startIndex;
        var interval = (double)count / maxResults;
        var sampled = new HashSet<long>();
        for (var i = 0; i < maxResults; i++)
        {
            var index = startIndex + (int)(i * interval);
            // MLflow compares the absolute index with the range's length, not its end; kept so the points agree.
            if (index < count) sampled.Add(allSteps[index]);
        }
        sampled.Add(allSteps[endIndex - 1]);
        return sampled;
    }

    private static int LowerBound(List<long> sorted, long value)
    {
        var i = sorted.BinarySearch(value);
        return i >= 0 ? i : ~i;
    }

    private static int UpperBound(List<long> sorted, long value)
    {
        var i = sorted.BinarySearch(value);
        return i >= 0 ? i + 1 : ~i;
    }
}
