using Cairn.Monitoring.Tests.EndToEnd;

namespace Cairn.Monitoring.Tests.Scheduling;

/// <summary>Alert states that cannot be saved (the store refuses that one write) do not stop the monitors after it in the poll.</summary>
public sealed class MonitorAlertFailureTests
{
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>The store, except that saving an alert state fails.</summary>
    public class RefusingAlertStates : System.Reflection.DispatchProxy
    {
        public IMonitorStore Inner { get; set; } = null!;

        protected override object? Invoke(System.Reflection.MethodInfo? method, object?[]? args) =>
            method!.Name == nameof(IMonitorStore.SaveAlertStateAsync)
                ? Task.FromException(new InvalidOperationException("database is locked"))
                : method.Invoke(Inner, args);
    }

    [Fact]
    public async Task Poll_WhenAlertsOfOneMonitorFail_TheNextMonitorStillRuns()
    {
        await using var points = await MonitoredPoints.CreateAsync();
        await points.ServeAsync(Point.Generate(100, seed: 2, shift: 0.6f), "req-");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var client = CairnClient.Open(points.Store, clock);
        var store = System.Reflection.DispatchProxy.Create<IMonitorStore, RefusingAlertStates>();
        ((RefusingAlertStates)(object)store).Inner = client.Monitors;
        var logged = new List<string>();
        var runner = new MonitorRunner(client, store, new MonitorRunnerOptions { Workspace = points.Repo }, clock);
        var scheduler = new MonitorScheduler(store, runner, clock, new MonitorSchedulerOptions { Owner = "server-a", Log = logged.Add });
        foreach (var name in new[] { "a-first", "b-second" })
            await store.CreateMonitorAsync(new MonitorSpec(name, "models:/points@champion", Window: "2h", Schedule: "0 * * * *", InferenceLog: points.LogFolder,
                Alerts: [new AlertRuleSpec("drifting", "drift_share > 0.3")]));
        var now = clock.Now;
        clock.Now = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 5, TimeSpan.Zero).AddHours(1);

        var made = await scheduler.PollAsync(CancellationToken.None);

        Assert.Equal(["a-first", "b-second"], made.Select(r => r.MonitorName).Order());
        Assert.All(made, r => Assert.Equal(MonitorRunStatuses.Succeeded, r.Status)); // the statistics were recorded
        Assert.Contains(logged, l => l.Contains("a-first") && l.Contains("database is locked"));
    }
}
