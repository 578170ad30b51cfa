namespace Cairn.Monitoring;

/// <summary>
/// The one bucket mapping every numeric profile uses (DDSketch-style): a value x with |x| &gt; <see cref="ZeroThreshold"/>
/// falls in bucket k = ceil(log_γ |x|), which covers (γ^(k-1), γ^k], with γ = (1+α)/(1-α). Any value in a bucket is
/// within relative accuracy α of the bucket's representative 2γ^k/(γ+1). Values with |x| ≤ <see cref="ZeroThreshold"/>
/// share a zero bucket. Because every profile uses the same mapping, a reference and a current profile align bucket
/// by bucket and partial profiles merge by adding counts.
/// </summary>
public static class LogBuckets
{
    /// <summary>α: 0.1%.</summary>
    public const double RelativeAccuracy = 0.001;

    /// <summary>Values this close to 0 are held in the zero bucket (an absolute error of at most 1e-9).</summary>
    public const double ZeroThreshold = 1e-9;

    public static readonly double Gamma = (1 + RelativeAccuracy) / (1 - RelativeAccuracy);
    private static readonly double LogGamma = Math.Log(Gamma);
    private static readonly double Multiplier = 1 / LogGamma;

    /// <summary>The smallest key a non-zero value can have; ordinals are counted from it.</summary>
    public static readonly int MinKey = Key(ZeroThreshold);

    /// <summary>The bucket key of a magnitude above <see cref="ZeroThreshold"/>.</summary>
    public static int Key(double magnitude) => (int)Math.Ceiling(Math.Log(magnitude) * Multiplier);

    public static double UpperMagnitude(int key) => Math.Exp(key * LogGamma);

    public static double LowerMagnitude(int key) => Math.Exp((key - 1) * LogGamma);

    /// <summary>
    /// A position in value order over all buckets: negative buckets below 0 (larger magnitudes lower), the zero
    /// bucket at 0, positive buckets above 0.
    /// </summary>
    public static int PositiveOrdinal(int key) => key - MinKey + 1;

    public static int NegativeOrdinal(int key) => -(key - MinKey + 1);

    /// <summary>The closed value interval a bucket ordinal covers (open ends are closed here; they differ by one point).</summary>
    public static (double Low, double High) Interval(int ordinal)
    {
        if (ordinal == 0) return (-ZeroThreshold, ZeroThreshold);
        if (ordinal > 0)
        {
            var key = ordinal + MinKey - 1;
            return (Math.Max(LowerMagnitude(key), ZeroThreshold), UpperMagnitude(key));
        }
        var negativeKey = -ordinal + MinKey - 1;
        return (-UpperMagnitude(negativeKey), -Math.Max(LowerMagnitude(negativeKey), ZeroThreshold));
    }
}
