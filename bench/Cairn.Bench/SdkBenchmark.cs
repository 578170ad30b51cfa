using System.Diagnostics;
using Cairn.Tracking;

namespace Cairn.Bench;

/// <summary>
/// <c>LogMetric</c> in a training loop on the embedded store, amortized over 2 million calls with
/// the background flusher running; baseline: appending the same records to a List (the floor).
/// </summary>
public static class SdkBenchmark
{
    private const int Calls = 2_000_000;

    public static void Run(Report report)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-sdk-");
        try
        {
            using var cairn = CairnClient.Open(folder.FullName);
            var run = cairn.StartRun("sdk-bench");
            for (var i = 0; i < 10_000; i++) run.LogMetric("warmup", i, i);
            run.Flush();

            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Calls; i++) run.LogMetric("loss", 1.0 / (i + 1), i);
            var loggingNs = clock.Elapsed.TotalNanoseconds / Calls;
            var drain = Stopwatch.StartNew();
            run.End();
            var drainSeconds = drain.Elapsed.TotalSeconds;

            var stored = cairn.Tracking.GetMetricHistoryAsync(run.RunId, "loss").GetAwaiter().GetResult().Items.Count;
            if (stored != Calls) throw new InvalidOperationException($"only {stored} of {Calls} metrics stored");

            var list = new List<Metric>();
            clock.Restart();
            for (var i = 0; i < Calls; i++) list.Add(new Metric("loss", 1.0 / (i + 1), TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), i));
            var floorNs = clock.Elapsed.TotalNanoseconds / Calls;

            report.Add($"SDK: LogMetric amortized ({Calls / 1_000_000}M calls, embedded; drain at End {drainSeconds:F1} s)",
                $"{loggingNs:F0} ns/call", $"{floorNs:F0} ns/call List.Add", $"{loggingNs / floorNs:F1}x", "< 2 µs", loggingNs < 2000);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
