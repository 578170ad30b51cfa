using Cairn.Monitoring.Tests.EndToEnd;
using Cairn.Monitoring.Tests.Rest;
using Cairn.Storage.Postgres;
using Cairn.Testing;

namespace Cairn.Monitoring.Tests.Scheduling;

/// <summary>
/// The lease on a scheduled window where several servers really share a store: PostgreSQL (the
/// monitor store of two "servers" on one database) and a Cairn server reached over REST (two
/// schedulers whose claims travel as HTTP requests). Both schedulers poll at once; exactly one run
/// is made for the window, and it really computes.
/// </summary>
public sealed class MonitorLeaseTests
{
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static MonitorSpec Hourly(MonitoredPoints points) =>
        new("points-hourly", "models:/points@champion", Window: "2h", Schedule: "0 * * * *", InferenceLog: points.LogFolder);

    private static DateTimeOffset NextHour(DateTimeOffset now) => new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(1);

    private static async Task<MonitorRun> OneRunFromTwoSchedulersAsync(MonitorScheduler a, MonitorScheduler b, IMonitorStore store, DateTimeOffset due)
    {
        var polls = await Task.WhenAll(Task.Run(() => a.PollAsync(CancellationToken.None)), Task.Run(() => b.PollAsync(CancellationToken.None)));
        var made = Assert.Single(polls.SelectMany(p => p));
        Assert.Equal(MonitorRunStatuses.Succeeded, made.Status);
        var run = Assert.Single(await store.ListMonitorRunsAsync("points-hourly"));
        Assert.Equal(MonitorScheduler.OccurrenceKey(due), run.RunKey);
        Assert.Equal(made.Owner, run.Owner);
        Assert.Equal(200, run.Values["rows"]);
        Assert.Equal(1, run.Values["drift(X)"]);
        return run;
    }

    [Fact]
    public async Task TwoServersOnOnePostgres_PollingTogether_RunTheWindowOnce()
    {
        await using var points = await MonitoredPoints.CreateAsync();
        await points.ServeAsync(Point.Generate(200, seed: 2, shift: 0.6f), "req-");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var database = PostgresServer.Instance.NewDatabase();
        using var storesA = await PostgresStores.OpenAsync(database, clock);
        using var storesB = await PostgresStores.OpenAsync(database, clock);
        // Monitors, runs and labels in PostgreSQL; the model, its lineage and the tracking runs in the points store.
        using var client = CairnClient.Open(points.Store, clock);
        MonitorScheduler Server(string owner, IMonitorStore store) => new(store,
            new MonitorRunner(client, store, new MonitorRunnerOptions { Workspace = points.Repo }, clock), clock, new MonitorSchedulerOptions { Owner = owner });

        await storesA.Monitors.CreateMonitorAsync(Hourly(points));
        var due = NextHour(clock.Now);
        clock.Now = due.AddSeconds(5);
        var run = await OneRunFromTwoSchedulersAsync(Server("server-a", storesA.Monitors), Server("server-b", storesB.Monitors), storesB.Monitors, due);
        Assert.NotNull(run.TrackingRunId);
    }

    [Fact]
    public async Task TwoSchedulersThroughTheRestApi_PollingTogether_RunTheWindowOnce()
    {
        await using var server = await RemoteMonitorServer.StartAsync();
        await server.Points.ServeAsync(Point.Generate(200, seed: 2, shift: 0.6f), "req-");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var clientA = CairnClient.Open(server.Url, clock);
        using var clientB = CairnClient.Open(server.Url, clock);
        MonitorScheduler Server(string owner, CairnClient client) => new(client.Monitors,
            new MonitorRunner(client, client.Monitors, new MonitorRunnerOptions { Workspace = server.Points.Repo }, clock), clock, new MonitorSchedulerOptions { Owner = owner });

        await clientA.Monitors.CreateMonitorAsync(Hourly(server.Points));
        var due = NextHour(clock.Now);
        clock.Now = due.AddSeconds(5);
        var run = await OneRunFromTwoSchedulersAsync(Server("remote-a", clientA), Server("remote-b", clientB), clientB.Monitors, due);
        var tracking = await clientB.Tracking.GetRunAsync(run.TrackingRunId!);
        Assert.Contains(tracking.Data.Metrics, m => m.Key == "drift_share");
    }
}
