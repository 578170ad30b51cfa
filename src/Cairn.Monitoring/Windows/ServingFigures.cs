namespace Cairn.Monitoring;

/// <summary>
/// Request latency of a window from the inference log (one value per request: its row 0), as
/// p50/p99 in milliseconds. Up to <see cref="Capacity"/> requests the quantiles are exact; beyond,
/// a uniform reservoir sample of that size is kept (bounded memory; the p99 of 100,000 samples is
/// within about ±0.07 percentile points of the true one at 95% confidence).
/// </summary>
public sealed class ServingFigures
{
    public const int Capacity = 100_000;
    private readonly List<double> _sample = [];
    private readonly Random _random = new(17);
    private long _seen;

    public long Requests => _seen;

    public void Add(LoggedBatch logged)
    {
        if (logged.LatencyField < 0) return;
        var latency = logged.Batch[logged.LatencyField];
        var rows = logged.RowField >= 0 ? logged.Batch[logged.RowField] : null;
        for (var i = 0; i < logged.Count; i++)
        {
            var row = logged.Rows is null ? i : logged.Rows[i];
            if (rows is not null && rows.TryGetNumber(row, out var within) && within != 0) continue;
            if (!latency.TryGetNumber(row, out var ms)) continue;
            _seen++;
            if (_sample.Count < Capacity) _sample.Add(ms);
            else if (_random.NextInt64(_seen) is var slot && slot < Capacity) _sample[(int)slot] = ms;
        }
    }

    /// <summary>Adds <c>requests</c>, <c>p50_latency_ms</c> and <c>p99_latency_ms</c> when the window logged any request.</summary>
    public void AddValues(IDictionary<string, double> values)
    {
        if (_sample.Count == 0) return;
        var sorted = _sample.ToArray();
        Array.Sort(sorted);
        values["requests"] = _seen;
        values["p50_latency_ms"] = Quantile(sorted, 0.50);
        values["p99_latency_ms"] = Quantile(sorted, 0.99);
    }

    /// <summary>Linear interpolation between closest ranks (numpy's default).</summary>
    public static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
    }
}
