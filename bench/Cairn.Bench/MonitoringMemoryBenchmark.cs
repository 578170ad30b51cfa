using System.Diagnostics;
using System.Globalization;
using Cairn.Monitoring;
using Cairn.Registry;

namespace Cairn.Bench;

/// <summary>
/// Peak memory of one monitor run over 10,000,000 logged rows: an inference log written in serving's layout
/// (100 files of 100,000 rows, row groups of 50,000, in one hour) and a reference of 1,000,000 rows (the hour before,
/// <c>window:-2h..-1h</c>); a registered model version and a monitor in an embedded store; the run made by
/// <see cref="MonitorRunner.RunNowAsync"/> (as <c>cairn monitor run</c>) in a child process whose peak resident set
/// (VmHWM) is its own. Baselines in the same run: the same child that only opens the store and reads the monitor,
/// and one that loads the window's monitored values into arrays (what exact statistics would hold).
/// </summary>
public static class MonitoringMemoryBenchmark
{
    public const string ChildCommand = "monitoring-memory-child";
    private const string Model = "bench-model";
    private const string Monitor = "memory";
    private static readonly long WindowEnd = new DateTimeOffset(2026, 12, 1, 11, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    public static async Task RunAsync(Report report)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-monitoring-memory-");
        try
        {
            var store = Path.Combine(folder.FullName, "store");
            var log = Path.Combine(folder.FullName, "inference-log");
            var clock = Stopwatch.StartNew();
            await InferenceLogFixture.WriteHourAsync(log, Model, "1", WindowEnd - 3 * InferenceLogLayout.HourMs, files: 1, rowsPerFile: 100_000, rowGroup: 50_000, seed: 3, shifted: false);
            await InferenceLogFixture.WriteHourAsync(log, Model, "1", WindowEnd - 2 * InferenceLogLayout.HourMs, files: 10, rowsPerFile: 100_000, rowGroup: 50_000, seed: 1, shifted: false);
            await InferenceLogFixture.WriteHourAsync(log, Model, "1", WindowEnd - InferenceLogLayout.HourMs, files: 100, rowsPerFile: 100_000, rowGroup: 50_000, seed: 2, shifted: true);
            var bytes = Directory.EnumerateFiles(log, "*.parquet", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Console.Error.WriteLine($"  log written in {clock.Elapsed.TotalSeconds:0} s: {bytes / 1048576.0:0} MiB");
            await CreateMonitorAsync(store, log, "window:-2h..-1h");

            var idle = Child("start", store, log);
            var monitor = Child("monitor", store, log);
            var arrays = Child("arrays", store, log);
            var small = Child("monitor-1m", store, log);
            report.Add($"monitor run over 10,000,000 logged rows (100 Parquet files, 6 numeric + 3 categorical inputs + probability) against 1,000,000 reference rows: peak RSS of the child process ({monitor.Detail})",
                $"{Mb(monitor.Peak)} ({Mb(monitor.Peak - idle.Peak)} above start)", $"the same process only started (store opened, monitor read): {Mb(idle.Peak)}",
                $"{(double)monitor.Peak / idle.Peak:0.0}x", "< 500 MB", monitor.Peak < 500_000_000);
            report.Add($"the same monitor over the hour before: 1,000,000 rows against 100,000 ({small.Detail})", Mb(small.Peak),
                $"10,000,000 rows: {Mb(monitor.Peak)}", $"{(double)monitor.Peak / small.Peak:0.00}x for 10x the rows", "report", true);
            report.Add($"the window's 10 monitored columns loaded into arrays (what exact statistics would hold; {arrays.Detail})", Mb(arrays.Peak),
                $"monitor run: {Mb(monitor.Peak)}", $"{(double)arrays.Peak / monitor.Peak:0.0}x the monitor", "report", true);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>A registered version of the model (its package is never loaded: a monitor reads only the log) and the monitor.</summary>
    internal static async Task CreateMonitorAsync(string store, string log, string reference, string model = Model, string name = Monitor)
    {
        using var cairn = CairnClient.Open(store);
        try
        {
            await cairn.Registry.GetModelVersionAsync(model, "1");
        }
        catch (CairnException)
        {
            string runId;
            using (var run = cairn.StartRun("monitor-bench")) runId = run.Info.RunId;
            await cairn.Registry.CreateModelVersionAsync(new NewModelVersion(model, $"runs:/{runId}/model", runId));
        }
        await cairn.Monitors.CreateMonitorAsync(new MonitorSpec(name, $"models:/{model}/1", Reference: reference, Window: "1h", InferenceLog: log));
    }

    private static string Mb(long bytes) => $"{bytes / 1_000_000.0:N0} MB";

    private static (long Peak, string Detail) Child(string mode, string store, string log)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") info.ArgumentList.Add(typeof(MonitoringMemoryBenchmark).Assembly.Location);
        foreach (var arg in new[] { ChildCommand, mode, store, log }) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{ChildCommand} {mode} exited {process.ExitCode}: {output}{errors.Result}");
        var parts = output.Trim().Split('\t');
        Console.Error.WriteLine($"  {mode}: peak {parts[0]} B, {parts[1]}");
        return (long.Parse(parts[0], CultureInfo.InvariantCulture), parts[1]);
    }

    /// <summary>The child: does one thing, then prints its peak resident set and what it did (tab-separated).</summary>
    public static async Task<int> ChildAsync(string[] args)
    {
        var (mode, store, log) = (args[1], args[2], args[3]);
        var clock = Stopwatch.StartNew();
        string detail;
        using (var cairn = CairnClient.Open(store))
        {
            var record = await cairn.Monitors.GetMonitorAsync(Monitor);
            switch (mode)
            {
                case "start":
                    detail = $"monitor {record.Name} read";
                    break;
                case "monitor" or "monitor-1m":
                    var runner = new MonitorRunner(cairn, cairn.Monitors, new MonitorRunnerOptions { Workspace = Path.GetDirectoryName(store)! }, TimeProvider.System);
                    var end = mode == "monitor" ? WindowEnd : WindowEnd - InferenceLogLayout.HourMs;
                    var result = await runner.RunNowAsync(Monitor, DateTimeOffset.FromUnixTimeMilliseconds(end), CancellationToken.None);
                    if (result.Report is null) throw new InvalidOperationException($"the monitor run failed: {result.Summary}");
                    detail = $"{result.Report.CurrentRows:N0} rows against {result.Report.ReferenceRows:N0} in {clock.Elapsed.TotalSeconds:0.0} s; {result.Summary[(result.Summary.IndexOf(',') + 2)..]}; managed heap live after the run {GC.GetTotalMemory(forceFullCollection: true) / 1_000_000.0:N0} MB";
                    GC.KeepAlive(result);
                    break;
                case "arrays":
                    var window = new InferenceLogWindow(log, Model, WindowEnd - InferenceLogLayout.HourMs, WindowEnd);
                    var columns = await InferenceLogReader.ColumnsAsync(window, CancellationToken.None);
                    var sink = new ArraySink(10_000_000);
                    var rows = await InferenceLogReader.ReadAsync(window, columns, sink, null, null, CancellationToken.None);
                    detail = $"{rows:N0} rows × {columns.Count} columns in {clock.Elapsed.TotalSeconds:0.0} s";
                    GC.KeepAlive(sink);
                    break;
                default:
                    throw new ArgumentException($"unknown mode {mode}");
            }
        }
        Console.WriteLine($"{InferenceLogFixture.PeakResidentBytes()}\t{detail}");
        return 0;
    }

    /// <summary>Keeps every value: numbers in double arrays, texts as the reader gives them.</summary>
    private sealed class ArraySink(int capacity) : IColumnSink
    {
        private readonly Dictionary<string, (double[] Values, int Count)> _numbers = [];
        private readonly Dictionary<string, List<string?>> _texts = [];

        public void AddRows(int count) { }

        public void AddNumbers(string column, ReadOnlySpan<double> values, int typeViolations)
        {
            var (array, count) = _numbers.TryGetValue(column, out var held) ? held : (new double[capacity], 0);
            if (count + values.Length > array.Length) Array.Resize(ref array, Math.Max(array.Length * 2, count + values.Length));
            values.CopyTo(array.AsSpan(count));
            _numbers[column] = (array, count + values.Length);
        }

        public void AddTexts(string column, ReadOnlySpan<string?> values)
        {
            if (!_texts.TryGetValue(column, out var list)) _texts[column] = list = new List<string?>(capacity);
            list.AddRange(values);
        }
    }
}
