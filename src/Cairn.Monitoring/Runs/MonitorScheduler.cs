using Cairn.Pipelines;

namespace Cairn.Monitoring;

public sealed record MonitorSchedulerOptions
{
    /// <summary>How often due monitors are looked for.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>This server's name on the runs it claims; unique per process.</summary>
    public string Owner { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
    public Action<string>? Log { get; init; }
}

/// <summary>
/// The loop <c>cairn server</c> runs for monitors: every poll it claims each enabled monitor's
/// latest due cron occurrence as a run keyed by that time, and runs it. The run key is unique per
/// monitor in the store, so with several servers on one database each window runs once;
/// occurrences missed while no server ran collapse into the latest one. Monitors run one after the
/// other on a thread of the lowest CPU priority, so a server that also answers requests gives them
/// only idle CPU. Failures are recorded on the run and never stop the loop.
/// </summary>
public sealed class MonitorScheduler(IMonitorStore store, MonitorRunner runner, TimeProvider time, MonitorSchedulerOptions options)
{
    private readonly Dictionary<string, string> _lastKey = new(StringComparer.Ordinal);

    public string Owner => options.Owner;

    public Task RunAsync(CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            BackgroundPriority.LowerCurrentThread();
            try
            {
                // Blocking here keeps every poll, and the runs' reads and profiles, on this lowered thread.
                PollingLoop.RunOnThisThread(PollAsync, options.PollInterval, time, e => Log($"monitors: poll failed: {e.Message}"), ct);
                done.TrySetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        }) { IsBackground = true, Name = "cairn-monitors" };
        thread.Start();
        return done.Task;
    }

    /// <summary>One poll: claims and runs what is due; returns the runs this server made.</summary>
    public async Task<IReadOnlyList<MonitorRun>> PollAsync(CancellationToken ct)
    {
        var made = new List<MonitorRun>();
        var now = time.GetUtcNow();
        foreach (var monitor in (await store.ListMonitorsAsync(ct).ConfigureAwait(false)).Where(m => m.Enabled && m.Spec.Schedule is not null))
        {
            if (Due(monitor, now) is not { } due) continue;
            var key = OccurrenceKey(due);
            if (_lastKey.TryGetValue(monitor.Name, out var tried) && tried == key) continue;
            _lastKey[monitor.Name] = key;
            var end = due.ToUnixTimeMilliseconds();
            var window = (long)MonitorDuration.Parse(monitor.Spec.Window, "window").TotalMilliseconds;
            var claimed = await store.TryClaimMonitorRunAsync(new NewMonitorRun(monitor.Name, key, end - window, end, options.Owner), ct).ConfigureAwait(false);
            if (claimed is null) continue; // another server has it
            Log($"monitors: '{monitor.Name}' runs for the window ending {key}");
            MonitorRunResult result;
            try
            {
                result = await runner.ExecuteAsync(monitor, claimed, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Failures to compute or record are on the run already; what gets here came after (its alerts, the store): the next monitors still run.
                Log($"monitors: '{monitor.Name}' ({key}) failed after its statistics were recorded (alerts not routed): {e.Message}");
                made.Add(await store.GetMonitorRunAsync(claimed.RunId, ct).ConfigureAwait(false));
                continue;
            }
            Log(result.Run.Status == MonitorRunStatuses.Succeeded
                ? $"monitors: '{monitor.Name}' ({key}) done: {result.Summary}"
                : $"monitors: '{monitor.Name}' ({key}) failed: {result.Run.Error}");
            made.Add(result.Run);
        }
        return made;
    }

    private DateTimeOffset? Due(MonitorRecord monitor, DateTimeOffset now)
    {
        try
        {
            return CronSchedule.Parse(monitor.Spec.Schedule, monitor.Spec.TimeZone).LatestIn(DateTimeOffset.FromUnixTimeMilliseconds(monitor.ActiveSince), now);
        }
        catch (CairnException e)
        {
            Log($"monitors: '{monitor.Name}' is skipped: {e.Message}");
            return null;
        }
    }

    /// <summary>The run key of a scheduled window: its end in UTC, to the second.</summary>
    public static string OccurrenceKey(DateTimeOffset occurrence) =>
        occurrence.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private void Log(string message) => options.Log?.Invoke(message);
}
