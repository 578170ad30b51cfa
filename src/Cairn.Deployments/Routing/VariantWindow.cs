namespace Cairn.Deployments.Routing;

/// <summary>What one variant did since its window began: requests, errors, latencies and predictions (samples, bounded).</summary>
public sealed record VariantSnapshot(string Variant, string Model, long Since, long Requests, long Errors, long ClientErrors,
    double? P50Ms, double? P99Ms, IReadOnlyList<double> Predictions, IReadOnlyList<double> LatenciesMs)
{
    /// <summary>Server errors (5xx, timeouts, a model that fails) per request; client errors (4xx: bad input) are not the variant's fault.</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;
}

/// <summary>
/// Live counters of one variant for the canary analysis and the endpoint's status. Latencies and
/// predictions are kept as uniform samples of at most <see cref="SampleSize"/> values (reservoir
/// sampling), so memory stays bounded at any load.
/// </summary>
public sealed class VariantWindow(string variant, string model, long since)
{
    public const int SampleSize = 4096;

    private readonly Lock _lock = new();
    private readonly Reservoir _latencies = new(SampleSize);
    private readonly Reservoir _predictions = new(SampleSize);
    private long _requests, _errors, _clientErrors;

    public string Variant { get; } = variant;
    public string Model { get; } = model;
    public long Since { get; } = since;

    public void Completed(int status, double latencyMs)
    {
        lock (_lock)
        {
            _requests++;
            if (status >= 500) _errors++;
            else if (status >= 400) _clientErrors++;
            else _latencies.Add(latencyMs); // a failed request's time says nothing of the model's speed
        }
    }

    public void Scored(IReadOnlyList<IReadOnlyDictionary<string, object?>> results)
    {
        lock (_lock)
            foreach (var row in results)
                if (PredictionValues.ValueOf(row) is { } value) _predictions.Add(value);
    }

    public VariantSnapshot Snapshot()
    {
        lock (_lock)
        {
            var latencies = _latencies.ToArray();
            Array.Sort(latencies);
            return new VariantSnapshot(Variant, Model, Since, _requests, _errors, _clientErrors,
                Quantile(latencies, 0.5), Quantile(latencies, 0.99), _predictions.ToArray(), latencies);
        }
    }

    /// <summary>The nearest-rank quantile of sorted values; null when there are none.</summary>
    public static double? Quantile(double[] sorted, double q) =>
        sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    private sealed class Reservoir(int capacity)
    {
        private readonly double[] _values = new double[capacity];
        private long _seen;

        public void Add(double value)
        {
            _seen++;
            if (_seen <= _values.Length) _values[_seen - 1] = value;
            else if (Random.Shared.NextInt64(_seen) is var slot && slot < _values.Length) _values[slot] = value;
        }

        public double[] ToArray() => _values.AsSpan(0, (int)Math.Min(_seen, _values.Length)).ToArray();
    }
}
