namespace Cairn.Deployments.Replicas;

/// <summary>
/// The latencies of recent requests, for the autoscaler: p99 and mean concurrency over the last
/// <see cref="Span"/>. Mean concurrency is busy time over elapsed time (Little's law): 4 requests
/// of 500 ms each in 1 s is 2 in flight on average. Busy time and counts are kept in one bucket
/// per second over the whole span, whatever the rate; the p99 is read from a ring of the latest
/// <c>capacity</c> latencies within the span (at high rates, the most recent part of it).
/// </summary>
public sealed class LatencyWindow
{
    private readonly TimeProvider _time;
    private readonly (long At, double Ms)[] _ring;
    private readonly (long Second, int Count, double BusyMs)[] _seconds;
    private readonly long _created;
    private int _next;
    private int _count;

    public LatencyWindow(TimeSpan span, TimeProvider time, int capacity = 4096)
    {
        if (span < TimeSpan.FromSeconds(1)) throw CairnException.InvalidParameter($"A latency window spans at least 1 s; got {span}.");
        (Span, _time) = (span, time);
        _ring = new (long, double)[capacity];
        _seconds = new (long, int, double)[(int)Math.Ceiling(span.TotalSeconds) + 1];
        _created = time.GetTimestamp();
    }

    public TimeSpan Span { get; }

    private long SecondOf(long timestamp) => (long)_time.GetElapsedTime(_created, timestamp).TotalSeconds;

    public void Record(double milliseconds)
    {
        var now = _time.GetTimestamp();
        var second = SecondOf(now);
        lock (_ring)
        {
            _ring[_next] = (now, milliseconds);
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
            ref var bucket = ref _seconds[second % _seconds.Length];
            if (bucket.Second != second) bucket = (second, 0, 0);
            bucket.Count++;
            bucket.BusyMs += milliseconds;
        }
    }

    /// <summary>The p99 of recent requests finished within the span (null: none), how many finished within it, and the mean number in flight.</summary>
    public (double? P99Ms, int Requests, double MeanConcurrency) Read()
    {
        var now = _time.GetTimestamp();
        var nowSecond = SecondOf(now);
        var oldest = nowSecond - (long)Math.Ceiling(Span.TotalSeconds) + 1;
        var recent = new List<double>();
        var (requests, busy) = (0, 0.0);
        lock (_ring)
        {
            for (var i = 0; i < _count; i++)
            {
                var (at, ms) = _ring[(_next - 1 - i + _ring.Length) % _ring.Length];
                if (_time.GetElapsedTime(at, now) > Span) break; // older ones are older still
                recent.Add(ms);
            }
            foreach (var (second, count, busyMs) in _seconds)
                if (second >= oldest && second <= nowSecond && count > 0) (requests, busy) = (requests + count, busy + busyMs);
        }
        if (recent.Count == 0 || requests == 0) return (null, 0, 0);
        recent.Sort();
        var p99 = recent[Math.Min(recent.Count - 1, (int)Math.Ceiling(recent.Count * 0.99) - 1)];
        // Over the whole seconds the buckets cover (at most the span), not longer than the window has existed.
        var elapsed = Math.Min(Span.TotalMilliseconds, Math.Max(1, _time.GetElapsedTime(_created, now).TotalMilliseconds));
        return (p99, requests, busy / elapsed);
    }
}
