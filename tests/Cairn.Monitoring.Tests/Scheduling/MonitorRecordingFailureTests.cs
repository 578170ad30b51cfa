using Cairn.Artifacts;
using Cairn.Monitoring.Tests.EndToEnd;
using Cairn.Storage.Local;
using Cairn.Storage.Sqlite;

namespace Cairn.Monitoring.Tests.Scheduling;

/// <summary>
/// A run whose statistics compute but whose report cannot be stored (the artifact store refuses
/// writes, as a full disk or a revoked bucket does) is a failed run, not one left "running"
/// forever, and the monitors after it in the same poll still run.
/// </summary>
public sealed class MonitorRecordingFailureTests
{
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>Reads as the local store does; every write fails.</summary>
    private sealed class RefusingArtifacts(IArtifactStore inner) : IArtifactStore
    {
        public Task PutAsync(string path, Stream content, CancellationToken ct = default) => throw new IOException("No space left on device");
        public Task<Stream> OpenReadAsync(string path, CancellationToken ct = default) => inner.OpenReadAsync(path, ct);
        public Task<IReadOnlyList<ArtifactFile>> ListAsync(string? path, CancellationToken ct = default) => inner.ListAsync(path, ct);
    }

    [Fact]
    public async Task Poll_WhenTheReportCannotBeStored_RecordsFailedRuns_AndGoesOnToTheNextMonitor()
    {
        await using var points = await MonitoredPoints.CreateAsync();
        await points.ServeAsync(Point.Generate(100, seed: 2), "req-");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var location = (EmbeddedLocation)TrackingUri.Parse(points.Store);
        using var stores = new SqliteStores(location.DatabasePath, clock);
        using var client = new CairnClient(stores.Tracking, new RefusingArtifacts(new LocalArtifactStore(location.ArtifactRoot)), stores.Registry, stores.Datasets, location, clock);
        var runner = new MonitorRunner(client, stores.Monitors, new MonitorRunnerOptions { Workspace = points.Repo }, clock);
        var scheduler = new MonitorScheduler(stores.Monitors, runner, clock, new MonitorSchedulerOptions { Owner = "server-a" });
        foreach (var name in new[] { "a-first", "b-second" })
            await stores.Monitors.CreateMonitorAsync(new MonitorSpec(name, "models:/points@champion", Window: "2h", Schedule: "0 * * * *", InferenceLog: points.LogFolder));
        var now = clock.Now;
        clock.Now = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 5, TimeSpan.Zero).AddHours(1);

        var made = await scheduler.PollAsync(CancellationToken.None);

        Assert.Equal(2, made.Count);
        foreach (var name in new[] { "a-first", "b-second" })
        {
            var run = Assert.Single(await stores.Monitors.ListMonitorRunsAsync(name));
            Assert.Equal(MonitorRunStatuses.Failed, run.Status);
            Assert.Contains("No space left on device", run.Error);
        }
    }
}
