using Cairn.Artifacts;

namespace Cairn.Monitoring;

/// <summary>Reads the reports that monitor runs stored (the <c>report.json</c> of each run's tracking run).</summary>
public sealed class MonitorReports(CairnClient client, IMonitorStore store)
{
    /// <summary>The report of a run of the monitor: the given run, or the latest that succeeded.</summary>
    public async Task<(MonitorRun Run, MonitorReport Report)> ReadAsync(string monitor, string? runId, CancellationToken ct)
    {
        await store.GetMonitorAsync(monitor, ct).ConfigureAwait(false);
        MonitorRun run;
        if (runId is not null)
        {
            run = await store.GetMonitorRunAsync(runId, ct).ConfigureAwait(false);
            if (run.MonitorName != monitor) throw CairnException.InvalidParameter($"Run {runId} is a run of monitor '{run.MonitorName}', not of '{monitor}'.");
        }
        else
        {
            run = (await store.ListMonitorRunsAsync(monitor, 100, ct).ConfigureAwait(false)).FirstOrDefault(r => r.Status == MonitorRunStatuses.Succeeded)
                ?? throw CairnException.NotFound($"Monitor '{monitor}' has no run that succeeded yet: run it with `cairn monitor run {monitor}`.");
        }
        if (run.Status != MonitorRunStatuses.Succeeded || run.TrackingRunId is null)
            throw CairnException.InvalidParameter($"Run {run.RunId} of monitor '{monitor}' {run.Status}{(run.Error is null ? "" : $": {run.Error}")}; it has no report.");
        var tracking = await client.Tracking.GetRunAsync(run.TrackingRunId, ct).ConfigureAwait(false);
        var path = ArtifactPath.Combine(ArtifactPath.FromUri(tracking.Info.ArtifactUri), "report.json");
        await using var stream = await client.Artifacts.OpenReadAsync(path, ct).ConfigureAwait(false);
        var json = await new StreamReader(stream).ReadToEndAsync(ct).ConfigureAwait(false);
        return (run, MonitorReportJson.Read(json, $"The report of run {run.RunId}"));
    }

    /// <summary>The monitor's succeeded runs, oldest first (for drift over time).</summary>
    public async Task<IReadOnlyList<MonitorRun>> HistoryAsync(string monitor, CancellationToken ct) =>
        (await store.ListMonitorRunsAsync(monitor, 500, ct).ConfigureAwait(false)).Where(r => r.Status == MonitorRunStatuses.Succeeded).Reverse().ToList();
}
