namespace Cairn.Deployments.Routing;

/// <summary>How a shadow's predictions compare with the primary's over the same rows.</summary>
/// <param name="Agreement">Share of rows where both predicted the same label (or, without a label output, values within 1e-6 relative).</param>
/// <param name="MeanAbsDifference">Mean |shadow − primary| of the prediction value (probability, score or first numeric output).</param>
public sealed record ShadowSnapshot(string Variant, string Version, long Requests, long Rows, double? Agreement,
    double? MeanDifference, double? MeanAbsDifference, double? P50AbsDifference, double? P95AbsDifference, double? MaxAbsDifference,
    double? PrimaryP50Ms, double? PrimaryP99Ms, double? ShadowP50Ms, double? ShadowP99Ms, long Dropped, long Failed);

/// <summary>Accumulates the comparison of shadow and primary predictions row by row (differences and latencies sampled, bounded).</summary>
public sealed class ShadowComparison
{
    private const int Sample = VariantWindow.SampleSize;
    private readonly Lock _lock = new();
    private readonly List<double> _absDifferences = [];
    private readonly List<double> _primaryLatencies = [];
    private readonly List<double> _shadowLatencies = [];
    private long _requests, _rows, _agreed, _compared, _valued;
    private double _sumDifference, _sumAbsDifference, _maxAbs;

    public void Add(IReadOnlyList<IReadOnlyDictionary<string, object?>> primary, IReadOnlyList<IReadOnlyDictionary<string, object?>> shadow,
        double primaryLatencyMs, double shadowLatencyMs)
    {
        lock (_lock)
        {
            AddRequest(primaryLatencyMs, shadowLatencyMs);
            for (var i = 0; i < Math.Min(primary.Count, shadow.Count); i++)
                AddRow(PredictionValues.ValueOf(primary[i]), PredictionValues.ValueOf(shadow[i]), PredictionValues.LabelOf(primary[i]), PredictionValues.LabelOf(shadow[i]));
        }
    }

    /// <summary>One request's latencies, as logged (the report rebuilds a comparison from the inference log).</summary>
    public void AddRequest(double primaryLatencyMs, double shadowLatencyMs)
    {
        lock (_lock)
        {
            _requests++;
            Keep(_primaryLatencies, primaryLatencyMs, _requests);
            Keep(_shadowLatencies, shadowLatencyMs, _requests);
        }
    }

    /// <summary>One row: the two prediction values and labels.</summary>
    public void AddRow(double? primary, double? shadow, string? primaryLabel, string? shadowLabel)
    {
        lock (_lock)
        {
            _rows++;
            if (primaryLabel is not null || shadowLabel is not null)
            {
                _compared++;
                if (primaryLabel == shadowLabel) _agreed++;
            }
            else if (primary is { } pv && shadow is { } sv)
            {
                _compared++;
                if (Math.Abs(sv - pv) <= 1e-6 * Math.Max(1, Math.Abs(pv))) _agreed++;
            }
            if (primary is { } a && shadow is { } b)
            {
                _valued++;
                var d = b - a;
                _sumDifference += d;
                _sumAbsDifference += Math.Abs(d);
                _maxAbs = Math.Max(_maxAbs, Math.Abs(d));
                Keep(_absDifferences, Math.Abs(d), _valued);
            }
        }
    }

    private static void Keep(List<double> sample, double value, long seen)
    {
        if (sample.Count < Sample) sample.Add(value);
        else if (Random.Shared.NextInt64(seen) is var slot && slot < Sample) sample[(int)slot] = value;
    }

    public ShadowSnapshot Snapshot(string variant, string version, long dropped, long failed)
    {
        lock (_lock)
        {
            double[] Sorted(List<double> values) { var a = values.ToArray(); Array.Sort(a); return a; }
            var diffs = Sorted(_absDifferences);
            var primary = Sorted(_primaryLatencies);
            var shadow = Sorted(_shadowLatencies);
            return new ShadowSnapshot(variant, version, _requests, _rows,
                _compared == 0 ? null : (double)_agreed / _compared,
                _valued == 0 ? null : _sumDifference / _valued, _valued == 0 ? null : _sumAbsDifference / _valued,
                VariantWindow.Quantile(diffs, 0.5), VariantWindow.Quantile(diffs, 0.95), _valued == 0 ? null : _maxAbs,
                VariantWindow.Quantile(primary, 0.5), VariantWindow.Quantile(primary, 0.99), VariantWindow.Quantile(shadow, 0.5), VariantWindow.Quantile(shadow, 0.99),
                dropped, failed);
        }
    }
}
