using System.Diagnostics;

namespace Cairn.Bench;

/// <summary>
/// An open-loop load generator: requests start on a schedule (a constant rate per phase) whether
/// or not earlier ones have answered, so a slow server meets the same arrivals (what wrk2 does and
/// wrk's closed loop cannot). Latency counts from each request's scheduled start, so a stalled
/// generator or server counts against it. Runs in the calling process: its own CPU is part of the load.
/// </summary>
public static class OpenLoopLoad
{
    /// <summary>A constant rate (requests per second) for a number of seconds.</summary>
    public sealed record Phase(double Seconds, double Rate);

    /// <summary>
    /// One request: when it ended (seconds after the start), how long since it was due (ms: what a
    /// client sending on that schedule waits), how long since it was sent (ms: the server's part,
    /// without the generator's own lag), and the error's message if it failed.
    /// </summary>
    public readonly record struct Sample(double EndedAt, double LatencyMs, double ServiceMs, string? Error)
    {
        public bool Ok => Error is null;
    }

    /// <summary>
    /// Runs the phases one after the other, timed from <paramref name="start"/> (a
    /// <see cref="Stopwatch.GetTimestamp"/> the caller can time its own events against), then
    /// waits (up to 30 s) for the requests still in flight.
    /// </summary>
    public static async Task<IReadOnlyList<Sample>> RunAsync(Func<Task> send, IReadOnlyList<Phase> phases, long start)
    {
        var samples = new List<Sample>((int)phases.Sum(p => p.Seconds * p.Rate) + 16);
        var pending = 0;
        double Now() => Stopwatch.GetElapsedTime(start).TotalSeconds;

        async Task OneAsync(double dueAt)
        {
            var (error, sent) = ((string?)null, Now());
            try { await send().ConfigureAwait(false); }
            catch (Exception e) { error = $"{e.GetType().Name}: {e.Message}"; }
            var ended = Now();
            lock (samples) samples.Add(new Sample(ended, (ended - dueAt) * 1000, (ended - sent) * 1000, error));
            Interlocked.Decrement(ref pending);
        }

        var total = phases.Sum(p => p.Seconds);
        var scheduler = new Thread(() =>
        {
            long sent = 0;
            while (true)
            {
                var now = Math.Min(Now(), total);
                for (var due = Due(phases, now); sent < due; sent++)
                {
                    Interlocked.Increment(ref pending);
                    _ = OneAsync(DueAt(phases, sent));
                }
                if (now >= total) return;
                Thread.Sleep(1);
            }
        }) { IsBackground = true, Name = "bench-open-loop" };
        scheduler.Start();
        await Task.Run(scheduler.Join).ConfigureAwait(false);
        var waited = Stopwatch.StartNew();
        while (Volatile.Read(ref pending) > 0 && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(10).ConfigureAwait(false);
        lock (samples) return [.. samples];
    }

    /// <summary>Requests due by <paramref name="t"/> seconds.</summary>
    private static long Due(IReadOnlyList<Phase> phases, double t)
    {
        double count = 0, from = 0;
        foreach (var phase in phases)
        {
            count += phase.Rate * Math.Clamp(t - from, 0, phase.Seconds);
            from += phase.Seconds;
        }
        return (long)count;
    }

    /// <summary>When request number <paramref name="k"/> (from 0) is due, in seconds.</summary>
    private static double DueAt(IReadOnlyList<Phase> phases, long k)
    {
        double before = 0, from = 0;
        foreach (var phase in phases)
        {
            var inPhase = phase.Rate * phase.Seconds;
            if (k < before + inPhase) return from + (k - before) / phase.Rate;
            (before, from) = (before + inPhase, from + phase.Seconds);
        }
        return from;
    }

    /// <summary>The p99 (ms, <paramref name="latency"/> of each: by default since it was due) of successful requests that ended within [from, to) seconds; null when none did.</summary>
    public static double? P99(IEnumerable<Sample> samples, double from, double to, Func<Sample, double>? latency = null)
    {
        var within = samples.Where(s => s.Ok && s.EndedAt >= from && s.EndedAt < to).Select(latency ?? (s => s.LatencyMs)).ToList();
        return within.Count == 0 ? null : Report.Percentile(within, 0.99);
    }
}
