using Cairn.Monitoring.Tests.EndToEnd;
using Cairn.Testing;

namespace Cairn.Monitoring.Tests.Scheduling;

/// <summary>
/// A real <c>cairn server</c> process (the wiring of ServerCommand, not the scheduler alone) runs a
/// scheduled monitor on its own: nobody calls <c>monitor run</c>.
/// </summary>
public sealed class ServerProcessMonitorTests
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task CairnServer_RunsADueScheduledMonitor_AndRecordsItAsItsOwn()
    {
        await using var points = await MonitoredPoints.CreateAsync();
        // Created "two hours ago", so that an hourly occurrence is due as soon as the server looks.
        using (var past = CairnClient.Open(points.Store, new FixedClock(DateTimeOffset.UtcNow.AddHours(-2))))
            await past.Monitors.CreateMonitorAsync(new MonitorSpec("points-hourly", "models:/points@champion", Window: "3h", Schedule: "0 * * * *",
                InferenceLog: points.LogFolder));

        // Started in the workspace, as users do: data:/points@1 (the model's training data) is read from its data cache.
        using var server = ChildProcess.StartDll("cairn.dll", ["server", "--port", "0", "--backend-store-uri", points.Store, "--schedule-interval", "0.3"],
            workingDirectory: points.Repo);
        await server.WaitForLineAsync(l => l.Contains("listening on"), TimeSpan.FromSeconds(60));

        using var cairn = CairnClient.Open(points.Store);
        var run = await WaitForFinishedRunAsync(cairn.Monitors, server);
        Assert.True(run.Status == MonitorRunStatuses.Succeeded, $"{run.Status}: {run.Error}\n{server.StandardError}");
        Assert.Equal(3000, run.Values["reference_rows"]);
        Assert.Contains($":{server.Process.Id}:", run.Owner);
        var claimed = DateTimeOffset.FromUnixTimeMilliseconds(run.CreationTime); // the latest hour when the server claimed it
        Assert.Equal(MonitorScheduler.OccurrenceKey(new DateTimeOffset(claimed.Year, claimed.Month, claimed.Day, claimed.Hour, 0, 0, TimeSpan.Zero)), run.RunKey);
        Assert.NotNull(run.TrackingRunId);
        Assert.Contains("points-hourly", server.StandardError); // the server log says what ran
    }

    private static async Task<MonitorRun> WaitForFinishedRunAsync(IMonitorStore store, ChildProcess server)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var runs = await store.ListMonitorRunsAsync("points-hourly");
            if (runs.FirstOrDefault(r => r.Status != MonitorRunStatuses.Running) is { } finished) return finished;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"No finished monitor run: {runs.Count} run(s) so far.\n{server.StandardError}");
            await Task.Delay(200);
        }
    }
}
