namespace Cairn.Deployments.Replicas;

/// <summary>
/// The latencies of recent requests (a ring of the last <c>capacity</c>), for the autoscaler:
/// p99 and mean concurrency over the last <see cref="Span"/>. Mean concurrency is busy time over
/// elapsed time (Little's law): 4 requests of 500 ms each in 1 s is 2 in flight on average.
/// </summary>
public sealed class LatencyWindow(TimeSpan span, TimeProvider time, int capacity = 4096)
{
    private readonly (long At, double Ms)[] _ring = new (long, double)[capacity];
    private readonly long _created = time.GetTimestamp();
    private int _next;
    private int _count;

    public TimeSpan Span { get; } = span;

    public void Record(double milliseconds)
    {
        var now = time.GetTimestamp();
        lock (_ring)
        {
            _ring[_next] = (now, milliseconds);
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }
    }

    /// <summary>The p99 of requests finished within the span (null: none), their count, and the mean number in flight.</summary>
    public (double? P99Ms, int Requests, double MeanConcurrency) Read()
    {
        var now = time.GetTimestamp();
        var recent = new List<double>();
        lock (_ring)
        {
            for (var i = 0; i < _count; i++)
            {
                var (at, ms) = _ring[(_next - 1 - i + _ring.Length) % _ring.Length];
                if (time.GetElapsedTime(at, now) > Span) break; // older ones are older still
                recent.Add(ms);
            }
        }
        if (recent.Count == 0) return (null, 0, 0);
        recent.Sort();
        var p99 = recent[Math.Min(recent.Count - 1, (int)Math.Ceiling(recent.Count * 0.99) - 1)];
        var elapsed = Math.Min(Span.TotalMilliseconds, Math.Max(1, time.GetElapsedTime(_created, now).TotalMilliseconds));
        return (p99, recent.Count, recent.Sum() / elapsed);
    }
}
