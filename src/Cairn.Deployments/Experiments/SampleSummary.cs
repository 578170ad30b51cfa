namespace Cairn.Deployments.Experiments;

/// <summary>Count, mean and sample variance (n - 1 in the denominator) of one arm's outcomes.</summary>
public sealed record SampleSummary(long Count, double Mean, double Variance)
{
    public static readonly SampleSummary Empty = new(0, 0, 0);

    /// <summary>Sample standard deviation; 0 below two samples.</summary>
    public double StandardDeviation => Math.Sqrt(Variance);

    /// <summary>Variance of the mean, s²/n; 0 without samples.</summary>
    public double VarianceOfMean => Count > 0 ? Variance / Count : 0;

    /// <summary>
    /// Two passes: a compensated (Neumaier) sum for the mean, so that outcomes that cancel give exactly
    /// 0, then squared deviations from it, stable for large values such as revenue in cents.
    /// </summary>
    public static SampleSummary Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return Empty;
        double sum = 0, compensation = 0;
        for (var i = 0; i < values.Count; i++)
        {
            var x = values[i];
            var t = sum + x;
            compensation += Math.Abs(sum) >= Math.Abs(x) ? (sum - t) + x : (x - t) + sum;
            sum = t;
        }
        var mean = (sum + compensation) / values.Count;
        double squares = 0;
        for (var i = 0; i < values.Count; i++) squares += (values[i] - mean) * (values[i] - mean);
        return new(values.Count, mean, values.Count > 1 ? squares / (values.Count - 1) : 0);
    }

    /// <summary>A 0/1 arm from its successes: mean is the rate, variance the Bernoulli p(1-p)·n/(n-1).</summary>
    public static SampleSummary OfProportion(long successes, long trials)
    {
        if (trials <= 0) return Empty;
        var rate = (double)successes / trials;
        var variance = trials > 1 ? rate * (1 - rate) * trials / (trials - 1) : 0;
        return new(trials, rate, variance);
    }
}
