using System.Collections.Concurrent;
using System.Globalization;
using Cairn.Data;

namespace Cairn.Pipelines;

public sealed record PipelineSchedulerOptions
{
    /// <summary>How often due schedules, new dataset versions and queued alerts are looked for.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>This server's name in the fire log; unique per process.</summary>
    public string Owner { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
    /// <summary>Queued (alert) fires this server takes per poll; the rest wait for the next poll or another server.</summary>
    public int MaxQueuedPerPoll { get; init; } = 10;
    /// <summary>Where the scheduler says what it did and what failed (a server's log).</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>
/// The loop <c>cairn server</c> runs: every poll it claims each schedule's latest due occurrence,
/// each new version of a dataset a trigger watches, and queued alert fires, and starts their
/// pipelines without waiting for them. The fire log's unique key is the lease, so with several
/// servers on one database each fire runs once; occurrences missed while no server ran collapse
/// into the latest one. Failures are recorded in the fire log and never stop the loop.
/// </summary>
public sealed class PipelineScheduler(IPipelineScheduleStore store, IDatasetStore datasets, PipelineLauncher launcher, TimeProvider time, PipelineSchedulerOptions options)
{
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    // What this process already tried to claim, so a poll does not insert again what is in the log.
    private readonly Dictionary<string, string> _lastScheduleKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastDatasetVersion = new(StringComparer.Ordinal);

    public string Owner => options.Owner;

    /// <summary>Polls until <paramref name="ct"/> is cancelled, then waits for the pipelines it started (which are cancelled too).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await PollingLoop.RunAsync(PollAsync, options.PollInterval, time, e => Log($"scheduler: poll failed: {e.Message}"), ct).ConfigureAwait(false);
        await DrainAsync().ConfigureAwait(false);
    }

    /// <summary>One poll: claims what is due and starts it; returns the fires this server claimed.</summary>
    public async Task<IReadOnlyList<PipelineFire>> PollAsync(CancellationToken ct)
    {
        var claimed = new List<PipelineFire>();
        var now = time.GetUtcNow();
        foreach (var schedule in (await store.ListSchedulesAsync(ct).ConfigureAwait(false)).Where(s => s.Enabled))
            if (await ClaimScheduleAsync(schedule, now, ct).ConfigureAwait(false) is { } fire)
            {
                Start(new FireLaunch(fire, OnlyDeclaredParameters: false), ct);
                claimed.Add(fire);
            }
        foreach (var trigger in (await store.ListTriggersAsync(ct).ConfigureAwait(false)).Where(t => t.Enabled && t.Event == TriggerEvents.Dataset))
            foreach (var fire in await ClaimDatasetVersionsAsync(trigger, now, ct).ConfigureAwait(false))
            {
                Start(new FireLaunch(fire, OnlyDeclaredParameters: false), ct);
                claimed.Add(fire);
            }
        for (var i = 0; i < options.MaxQueuedPerPoll; i++)
        {
            if (await store.ClaimPendingFireAsync(options.Owner, ct).ConfigureAwait(false) is not { } queued) break;
            Start(new FireLaunch(queued, OnlyDeclaredParameters: true), ct);
            claimed.Add(queued);
        }
        return claimed;
    }

    /// <summary>Waits for the pipelines this scheduler started.</summary>
    public Task DrainAsync() => Task.WhenAll(_running.Values);

    /// <summary>The key a schedule's occurrence has in the fire log: its UTC time to the second.</summary>
    public static string OccurrenceKey(DateTimeOffset occurrence) =>
        occurrence.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private async Task<PipelineFire?> ClaimScheduleAsync(PipelineSchedule schedule, DateTimeOffset now, CancellationToken ct)
    {
        CronSchedule cron;
        try
        {
            cron = CronSchedule.Parse(schedule.Cron, schedule.TimeZone);
        }
        catch (CairnException e)
        {
            Log($"scheduler: schedule '{schedule.Name}' is skipped: {e.Message}");
            return null;
        }
        if (cron.LatestIn(DateTimeOffset.FromUnixTimeMilliseconds(schedule.ActiveSince), now) is not { } due) return null;
        var key = OccurrenceKey(due);
        if (_lastScheduleKey.TryGetValue(schedule.Name, out var tried) && tried == key) return null;
        var fire = await store.TryClaimFireAsync(new NewPipelineFire(FireSources.Schedule, schedule.Name, key, schedule.PipelineFile,
            due.ToUnixTimeMilliseconds(), schedule.Parameters, options.Owner), ct).ConfigureAwait(false);
        _lastScheduleKey[schedule.Name] = key;
        return fire;
    }

    private async Task<List<PipelineFire>> ClaimDatasetVersionsAsync(PipelineTrigger trigger, DateTimeOffset now, CancellationToken ct)
    {
        var seen = Math.Max(trigger.BaselineVersion, _lastDatasetVersion.GetValueOrDefault(trigger.Name));
        var versions = (await datasets.ListVersionsAsync(trigger.Source, ct).ConfigureAwait(false))
            .Where(v => v.Version > seen).OrderBy(v => v.Version).ToList();
        var fires = new List<PipelineFire>();
        foreach (var version in versions)
        {
            var parameters = new Dictionary<string, string>(trigger.Parameters, StringComparer.Ordinal)
            {
                [trigger.ParameterName ?? "data"] = version.ToUri().ToString(),
            };
            var fire = await store.TryClaimFireAsync(new NewPipelineFire(FireSources.Trigger, trigger.Name,
                version.Version.ToString(CultureInfo.InvariantCulture), trigger.PipelineFile, now.ToUnixTimeMilliseconds(), parameters, options.Owner), ct).ConfigureAwait(false);
            _lastDatasetVersion[trigger.Name] = version.Version;
            if (fire is not null) fires.Add(fire);
        }
        return fires;
    }

    private void Start(FireLaunch launch, CancellationToken ct)
    {
        var fire = launch.Fire;
        Log($"scheduler: {fire.SourceKind} '{fire.SourceName}' fires ({fire.FireKey}): {fire.PipelineFile}");
        var running = Task.Run(async () =>
        {
            PipelineLaunchResult result;
            try
            {
                result = await launcher(launch, ct).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                result = new PipelineLaunchResult(null, false, e is OperationCanceledException ? "cancelled: the server stopped" : e.Message);
            }
            try
            {
                await store.FinishFireAsync(fire.FireId, result.Succeeded ? FireStatuses.Succeeded : FireStatuses.Failed,
                    result.PipelineRunId, result.Error, CancellationToken.None).ConfigureAwait(false);
                Log($"scheduler: {fire.SourceKind} '{fire.SourceName}' ({fire.FireKey}) {(result.Succeeded ? "succeeded" : "failed: " + result.Error)}{(result.PipelineRunId is null ? "" : $", run {result.PipelineRunId}")}");
            }
            catch (Exception e)
            {
                Log($"scheduler: could not record the end of fire {fire.FireId}: {e.Message}");
            }
            finally
            {
                _running.TryRemove(fire.FireId, out _);
            }
        }, CancellationToken.None);
        _running[fire.FireId] = running;
        // It may have ended before it was added: then nothing else removes it.
        if (running.IsCompleted) _running.TryRemove(fire.FireId, out _);
    }

    private void Log(string message) => options.Log?.Invoke(message);
}
