using System.Globalization;
using Cairn.Monitoring.Tests.EndToEnd;

namespace Cairn.Monitoring.Tests.Scheduling;

/// <summary>
/// The monitor scheduler of <c>cairn server</c> on the points workspace: two schedulers (two
/// "servers", each with its own connection to the same SQLite file) and a clock the test moves;
/// the runs really compute over the served model's inference log.
/// </summary>
public sealed class MonitorSchedulerTests : IAsyncLifetime
{
    private MonitoredPoints _points = null!;
    private ManualClock _clock = null!;
    private readonly List<CairnClient> _clients = [];

    public async Task InitializeAsync()
    {
        _points = await MonitoredPoints.CreateAsync();
        await _points.ServeAsync(Point.Generate(200, seed: 2, shift: 0.6f), "req-");
        _clock = new ManualClock(DateTimeOffset.UtcNow);
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        await _points.DisposeAsync();
    }

    /// <summary>A scheduler as a server would wire it, on its own connection to the store.</summary>
    private (MonitorScheduler Scheduler, IMonitorStore Store) Server(string owner)
    {
        var client = CairnClient.Open(_points.Store, _clock);
        _clients.Add(client);
        var runner = new MonitorRunner(client, client.Monitors, new MonitorRunnerOptions { Workspace = _points.Repo }, _clock);
        return (new MonitorScheduler(client.Monitors, runner, _clock, new MonitorSchedulerOptions { Owner = owner }), client.Monitors);
    }

    // A 2h window: the rows served just now are in it whichever side of an hour boundary they fell.
    private MonitorSpec Hourly(string name, string? reference = null) =>
        new(name, "models:/points@champion", Reference: reference, Window: "2h", Schedule: "0 * * * *", InferenceLog: _points.LogFolder);

    /// <summary>The first full hour after now, plus a few seconds: the occurrence just due.</summary>
    private DateTimeOffset NextHour(int hours = 1)
    {
        var now = _clock.GetUtcNow();
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(hours);
    }

    [Fact]
    public async Task Poll_TwoServersOnOneStore_RunTheDueWindowOnce_KeyedByTheOccurrence()
    {
        var (a, store) = Server("server-a");
        var (b, _) = Server("server-b");
        await store.CreateMonitorAsync(Hourly("points-hourly"));

        Assert.Empty(await a.PollAsync(CancellationToken.None)); // created now: nothing due yet
        var due = NextHour();
        _clock.Now = due.AddSeconds(5);

        var made = Assert.Single(await a.PollAsync(CancellationToken.None));
        Assert.Empty(await b.PollAsync(CancellationToken.None)); // the window is taken
        Assert.Empty(await a.PollAsync(CancellationToken.None));
        Assert.Empty(await Server("server-a-restarted").Scheduler.PollAsync(CancellationToken.None));

        Assert.Equal(MonitorRunStatuses.Succeeded, made.Status);
        var run = Assert.Single(await store.ListMonitorRunsAsync("points-hourly"));
        Assert.Equal(MonitorScheduler.OccurrenceKey(due), run.RunKey);
        Assert.Equal(due.ToString("yyyy-MM-dd'T'HH:00:00'Z'", CultureInfo.InvariantCulture), run.RunKey);
        Assert.Equal("server-a", run.Owner);
        Assert.Equal(due.ToUnixTimeMilliseconds(), run.WindowEnd);
        Assert.Equal(200, run.Values["rows"]);
        Assert.Equal(3000, run.Values["reference_rows"]);
        Assert.Equal(1, run.Values["drift(X)"]);
        Assert.NotNull(run.TrackingRunId);

        // The next hour is a new window: the other server may take it.
        _clock.Now = NextHour().AddSeconds(1);
        var next = Assert.Single(await b.PollAsync(CancellationToken.None));
        Assert.Equal("server-b", next.Owner);
        Assert.Empty(await a.PollAsync(CancellationToken.None));
        Assert.Equal(2, (await store.ListMonitorRunsAsync("points-hourly")).Count);
    }

    [Fact]
    public async Task Poll_DisabledMonitor_DoesNotRun_UntilEnabled()
    {
        var (a, store) = Server("server-a");
        await store.CreateMonitorAsync(Hourly("points-hourly"));
        await store.SetMonitorEnabledAsync("points-hourly", false);
        _clock.Now = NextHour().AddSeconds(5);

        Assert.Empty(await a.PollAsync(CancellationToken.None));
        Assert.Empty(await store.ListMonitorRunsAsync("points-hourly"));

        await store.SetMonitorEnabledAsync("points-hourly", true);
        _clock.Now = NextHour().AddSeconds(5);
        Assert.Single(await a.PollAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Poll_AfterHoursWithNoScheduler_RunsOnlyTheLatestOccurrence()
    {
        var (a, store) = Server("server-a");
        await store.CreateMonitorAsync(Hourly("points-hourly"));
        var latest = NextHour(3); // three hourly occurrences were due while nothing ran
        _clock.Now = latest.AddMinutes(20);

        var made = Assert.Single(await a.PollAsync(CancellationToken.None));
        Assert.Equal(MonitorScheduler.OccurrenceKey(latest), made.RunKey);
        Assert.Single(await store.ListMonitorRunsAsync("points-hourly"));
    }

    [Fact]
    public async Task Poll_AFailingMonitor_IsRecordedAsFailed_AndTheOthersStillRun()
    {
        var (a, store) = Server("server-a");
        // Listed first, so its failure comes before the good monitor in the same poll.
        await store.CreateMonitorAsync(Hourly("a-broken", reference: "data:/missing@1"));
        await store.CreateMonitorAsync(Hourly("points-hourly"));
        _clock.Now = NextHour().AddSeconds(5);

        var made = await a.PollAsync(CancellationToken.None);
        Assert.Equal(2, made.Count);
        var failed = Assert.Single(await store.ListMonitorRunsAsync("a-broken"));
        Assert.Equal(MonitorRunStatuses.Failed, failed.Status);
        Assert.Contains("missing", failed.Error);
        Assert.DoesNotContain("   at ", failed.Error);
        var good = Assert.Single(await store.ListMonitorRunsAsync("points-hourly"));
        Assert.Equal(MonitorRunStatuses.Succeeded, good.Status);

        // A failed window is not retried by the next poll, and the next window is tried again.
        Assert.Empty(await a.PollAsync(CancellationToken.None));
        _clock.Now = NextHour().AddSeconds(5);
        Assert.Equal(2, (await a.PollAsync(CancellationToken.None)).Count);
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
