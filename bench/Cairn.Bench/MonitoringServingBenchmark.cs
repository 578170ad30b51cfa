using System.Diagnostics;
using System.Globalization;
using Cairn.Models;
using Cairn.Monitoring;
using Cairn.Serving;
using Microsoft.AspNetCore.Builder;

namespace Cairn.Bench;

/// <summary>
/// Single-row serving throughput with and without a monitor running in the same process. The
/// server is ServingBenchmark's (FastTree flight-delay model, ONNX flavor, micro-batching and the
/// inference log on), loaded by wrk (64 keep-alive connections, POST /invocations) for 15 s per
/// run, alternating no monitor / monitor six times (other work on the shared cores shifts the rate between runs). The monitor runs as <c>cairn server</c>'s
/// scheduler runs it (<see cref="MonitorScheduler"/>: its own thread at the lowest priority,
/// <see cref="MonitorRunner.ExecuteAsync"/>, recorded in the same store) but every 5 s instead of
/// on a cron, over a 1 h window of 100,000 logged rows against 100,000 reference rows.
/// </summary>
public static class MonitoringServingBenchmark
{
    private const string Monitor = "serving-load";
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
    private const int Rounds = 6;
    private const int Seconds = 15;
    private static readonly long WindowEnd = new DateTimeOffset(2026, 12, 1, 11, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    public static async Task RunAsync(Report report)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-monitoring-serving-");
        try
        {
            var store = Path.Combine(folder.FullName, "store");
            var monitorLog = Path.Combine(folder.FullName, "monitor-log");
            await InferenceLogFixture.WriteHourAsync(monitorLog, "window-model", "1", WindowEnd - 2 * InferenceLogLayout.HourMs, 1, 100_000, 50_000, seed: 1, shifted: false);
            await InferenceLogFixture.WriteHourAsync(monitorLog, "window-model", "1", WindowEnd - InferenceLogLayout.HourMs, 1, 100_000, 50_000, seed: 2, shifted: true);
            await MonitoringMemoryBenchmark.CreateMonitorAsync(store, monitorLog, "window:-2h..-1h", "window-model", Monitor);

            using var cairn = CairnClient.Open(store);
            var uri = RegistryBenchmark.LogDelayModel(cairn, RegistryBenchmark.LoadFlights(), "serving-bench", leaves: 31, trees: 100);
            var registry = new ModelRegistry(cairn);
            var package = await ServingFixture.OnnxPackageAsync(registry, uri, Path.Combine(folder.FullName, "package"));
            await using var host = new ModelHost(new ServedModel("delay", "1", ModelLoading.Load(package, "onnx"), new BatchingOptions()));
            await using var log = new InferenceLog(Path.Combine(folder.FullName, "inference-log"));
            var (app, baseUrl) = await ServingFixture.StartAsync(new ModelServerOptions(host) { Port = 0, Log = log });
            var url = baseUrl + "/invocations";
            var script = Wrk.Script(folder.FullName, ServingFixture.MlflowBody);

            var runner = new MonitorRunner(cairn, cairn.Monitors, new MonitorRunnerOptions { Workspace = folder.FullName }, TimeProvider.System);
            var record = await cairn.Monitors.GetMonitorAsync(Monitor);
            Wrk.Rate(url, script, 5); // warm-up
            // Where the monitor's CPU goes, with no load: the process's CPU time over 3 runs against the lowered thread's own.
            var probe = new LoopState();
            var processCpu = Process.GetCurrentProcess().TotalProcessorTime;
            using (var stopProbe = new CancellationTokenSource())
            {
                var probeLoop = MonitorLoop(cairn.Monitors, runner, record, probe, stopProbe.Token);
                while (probe.Runs < 3) Thread.Sleep(50);
                stopProbe.Cancel();
                probeLoop.Join();
            }
            var probeCpu = (Process.GetCurrentProcess().TotalProcessorTime - processCpu).TotalSeconds / probe.Runs;
            var loweredCpu = probe.ThreadCpuSeconds / probe.Runs;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  no load: a run takes {probeCpu:0.00} s of the process's CPU, {loweredCpu:0.00} s of it on the lowest-priority thread"));

            var without = new List<double>();
            var with = new List<double>();
            var state = new LoopState();
            for (var round = 0; round < Rounds; round++)
            {
                without.Add(Wrk.Rate(url, script, Seconds));
                using var stop = new CancellationTokenSource();
                var loop = MonitorLoop(cairn.Monitors, runner, record, state, stop.Token);
                with.Add(Wrk.Rate(url, script, Seconds));
                stop.Cancel();
                loop.Join();
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round}: {without[^1]:N0} req/s without, {with[^1]:N0} with a monitor"));
            }
            await app.StopAsync();
            // Medians: a run disturbed by other work on the shared cores moves a mean by more than the 5 % looked for.
            var (a, b) = (Report.Median(without), Report.Median(with));
            var runs = await cairn.Monitors.ListMonitorRunsAsync(Monitor, 500);
            report.Add($"serving: single-row POST /invocations (wrk 64 connections, {Rounds} × {Seconds} s alternated) with a monitor running every {Every.TotalSeconds:0} s in the process (100,000-row window against 100,000 reference rows, started on a lowest-priority thread; {state.Runs} runs, median {Report.Median(state.RunTimes):0.00} s each, {runs.Count(r => r.Status == MonitorRunStatuses.Succeeded) - probe.Runs} succeeded)",
                $"median {b:N0} req/s (runs {string.Join(", ", with.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))})",
                $"no monitor, alternated with it: median {a:N0} req/s (runs {string.Join(", ", without.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))})",
                $"{b / a:P1}", "within 5% of no monitor", b >= 0.95 * a);
            report.Add("CPU of one monitor run (no load) that ran on the lowest-priority thread", $"{loweredCpu:0.00} s", $"the process's CPU over the run: {probeCpu:0.00} s",
                $"{loweredCpu / probeCpu:P0}", "report", true);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The scheduler's way: a thread of its own at the lowest priority, one run after the other, here every <see cref="Every"/>.</summary>
    private static Thread MonitorLoop(IMonitorStore store, MonitorRunner runner, MonitorRecord record, LoopState state, CancellationToken ct)
    {
        var thread = new Thread(() =>
        {
            BackgroundPriority.LowerCurrentThread();
            var cpuAtStart = ThreadCpuSeconds();
            var next = 0;
            while (!ct.IsCancellationRequested)
            {
                var clock = Stopwatch.StartNew();
                var key = $"bench-{Environment.TickCount64}-{next++}";
                var claimed = store.TryClaimMonitorRunAsync(new NewMonitorRun(record.Name, key, WindowEnd - InferenceLogLayout.HourMs, WindowEnd, "bench"), CancellationToken.None).GetAwaiter().GetResult()!;
                var result = runner.ExecuteAsync(record, claimed, CancellationToken.None).GetAwaiter().GetResult();
                if (result.Report is null) throw new InvalidOperationException($"the monitor run failed: {result.Summary}");
                lock (state) state.RunTimes.Add(clock.Elapsed.TotalSeconds);
                ct.WaitHandle.WaitOne(Every - clock.Elapsed < TimeSpan.Zero ? TimeSpan.Zero : Every - clock.Elapsed);
            }
            lock (state) state.ThreadCpuSeconds += ThreadCpuSeconds() - cpuAtStart;
        }) { IsBackground = true, Name = "bench-monitor" };
        thread.Start();
        return thread;
    }

    private sealed class LoopState
    {
        public List<double> RunTimes { get; } = [];
        public double ThreadCpuSeconds { get; set; }
        public int Runs { get { lock (this) return RunTimes.Count; } }
    }

    /// <summary>The calling thread's user + system CPU time (Linux: /proc/thread-self/stat, in clock ticks of 1/100 s).</summary>
    private static double ThreadCpuSeconds()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}
