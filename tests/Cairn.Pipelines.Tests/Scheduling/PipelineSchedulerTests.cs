using System.Collections.Concurrent;
using Cairn.Data;
using Cairn.Pipelines;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Pipelines.Tests.Scheduling;

/// <summary>The scheduler over a real SQLite store, a clock the test moves, and a launcher that records what it is asked to run.</summary>
public sealed class PipelineSchedulerTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2026-03-28T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly SqliteStores _stores;
    private readonly ConcurrentQueue<FireLaunch> _launched = new();
    private readonly string _file;

    public PipelineSchedulerTests()
    {
        _stores = new SqliteStores(_folder.File("cairn.db"), _clock);
        _file = _folder.File("cairn.pipeline.yaml");
        File.WriteAllText(_file, "name: p\nsteps:\n  a:\n    run: echo\n");
    }

    public void Dispose()
    {
        _stores.Dispose();
        _folder.Dispose();
    }

    private PipelineScheduler Scheduler(string owner, PipelineLauncher? launcher = null) =>
        new(_stores.Schedules, _stores.Datasets, launcher ?? Succeed, _clock, new PipelineSchedulerOptions { Owner = owner });

    private Task<PipelineLaunchResult> Succeed(FireLaunch launch, CancellationToken ct)
    {
        _launched.Enqueue(launch);
        return Task.FromResult(new PipelineLaunchResult(Ids.NewId(), true, null));
    }

    private static async Task<IReadOnlyList<PipelineFire>> PollAndDrainAsync(PipelineScheduler scheduler)
    {
        var fires = await scheduler.PollAsync(CancellationToken.None);
        await scheduler.DrainAsync();
        return fires;
    }

    [Fact]
    public async Task Poll_ScheduleDue_FiresOnceAcrossTwoSchedulersAndRepeatedPolls()
    {
        await _stores.Schedules.CreateScheduleAsync(new NewPipelineSchedule("nightly", _file, "0 3 * * *", "Europe/Paris",
            new Dictionary<string, string> { ["epochs"] = "3" }));
        var a = Scheduler("server-a");
        var b = Scheduler("server-b");

        Assert.Empty(await PollAndDrainAsync(a)); // created at 12:00 UTC, nothing due yet
        _clock.Now = DateTimeOffset.Parse("2026-03-29T01:00:05Z", System.Globalization.CultureInfo.InvariantCulture); // 03:00:05 Paris summer time
        var fired = Assert.Single(await PollAndDrainAsync(a));
        Assert.Empty(await PollAndDrainAsync(b));
        Assert.Empty(await PollAndDrainAsync(a));
        Assert.Empty(await PollAndDrainAsync(Scheduler("server-a-restarted")));

        Assert.Equal("2026-03-29T01:00:00Z", fired.FireKey);
        var launch = Assert.Single(_launched);
        Assert.Equal("3", launch.Fire.Parameters["epochs"]);
        Assert.False(launch.OnlyDeclaredParameters);
        var logged = Assert.Single(await _stores.Schedules.ListFiresAsync("nightly"));
        Assert.Equal(FireStatuses.Succeeded, logged.Status);
        Assert.Equal("server-a", logged.Owner);
        Assert.NotNull(logged.PipelineRunId);
    }

    [Fact]
    public async Task Poll_AfterThreeMissedDays_FiresOnlyTheLatestOccurrence()
    {
        await _stores.Schedules.CreateScheduleAsync(new NewPipelineSchedule("nightly", _file, "0 3 * * *", "UTC"));
        _clock.Now = _clock.Now.AddDays(3).AddHours(-1); // 31 March 11:00: 29th, 30th and 31st were due

        var fired = Assert.Single(await PollAndDrainAsync(Scheduler("server-a")));
        Assert.Equal("2026-03-31T03:00:00Z", fired.FireKey);
    }

    [Fact]
    public async Task Poll_DisabledSchedule_DoesNotFire_AndReEnabledDoesNotCatchUp()
    {
        await _stores.Schedules.CreateScheduleAsync(new NewPipelineSchedule("nightly", _file, "0 3 * * *", "UTC"));
        await _stores.Schedules.SetScheduleEnabledAsync("nightly", false);
        _clock.Now = _clock.Now.AddDays(1);
        var scheduler = Scheduler("server-a");
        Assert.Empty(await PollAndDrainAsync(scheduler));

        await _stores.Schedules.SetScheduleEnabledAsync("nightly", true);
        Assert.Empty(await PollAndDrainAsync(scheduler));
        _clock.Now = _clock.Now.AddDays(1);
        Assert.Single(await PollAndDrainAsync(scheduler));
    }

    [Fact]
    public async Task Poll_DatasetTrigger_FiresOncePerNewVersionWithTheVersionAsParameter()
    {
        await Tag("flights", 'a'); // @1 exists before the trigger: not new
        await _stores.Schedules.CreateTriggerAsync(new NewPipelineTrigger("retrain", _file, TriggerEvents.Dataset, "flights", "input"));
        var a = Scheduler("server-a");
        var b = Scheduler("server-b");
        Assert.Empty(await PollAndDrainAsync(a));

        await Tag("flights", 'b');
        await Tag("flights", 'c');
        await Tag("other", 'd');
        var fired = await PollAndDrainAsync(a);
        Assert.Empty(await PollAndDrainAsync(b));
        Assert.Empty(await PollAndDrainAsync(a));

        Assert.Equal(["2", "3"], fired.Select(f => f.FireKey));
        Assert.Equal(["data:/flights@2", "data:/flights@3"], _launched.Select(l => l.Fire.Parameters["input"]).Order());
    }

    [Fact]
    public async Task Poll_QueuedAlertFire_RunsOnceWithOnlyDeclaredParameters()
    {
        await _stores.Schedules.TryClaimFireAsync(new NewPipelineFire(FireSources.Trigger, "on-drift", "k", _file, 1, new Dictionary<string, string> { ["airport"] = "SEA" }, null));

        var fired = Assert.Single(await PollAndDrainAsync(Scheduler("server-a")));
        Assert.Empty(await PollAndDrainAsync(Scheduler("server-b")));

        Assert.Equal("k", fired.FireKey);
        Assert.True(Assert.Single(_launched).OnlyDeclaredParameters);
    }

    [Fact]
    public async Task Poll_LauncherThrows_RecordsTheFailureAndKeepsGoing()
    {
        await _stores.Schedules.CreateScheduleAsync(new NewPipelineSchedule("broken", _file, "0 3 * * *", "UTC"));
        _clock.Now = _clock.Now.AddDays(1);
        var scheduler = Scheduler("server-a", (_, _) => throw CairnException.InvalidParameter("The pipeline p has no parameter 'x'."));

        Assert.Single(await PollAndDrainAsync(scheduler));

        var fire = Assert.Single(await _stores.Schedules.ListFiresAsync("broken"));
        Assert.Equal(FireStatuses.Failed, fire.Status);
        Assert.Equal("The pipeline p has no parameter 'x'.", fire.Error);
    }

    [Fact]
    public async Task InProcessLauncher_AlertLabels_PassesOnlyDeclaredParameters()
    {
        using var f = new PipelineFixture();
        f.Write("""
            name: react
            params:
              airport: {type: string, default: none}
            steps:
              note:
                run: echo "${{ params.airport }}" > airport.txt
            """);
        var file = Path.Combine(f.Workspace, "cairn.pipeline.yaml");
        var fire = new PipelineFire(Ids.NewId(), FireSources.Trigger, "on-drift", "k", file, 0,
            new Dictionary<string, string> { ["airport"] = "SEA", ["alertname"] = "DriftHigh", ["severity"] = "page" }, FireStatuses.Running, "me", null, null, 0, null);

        var result = await InProcessPipelineLauncher.Create(f.Engine)(new FireLaunch(fire, OnlyDeclaredParameters: true), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("SEA", f.Read("airport.txt").Trim());
        Assert.True(Ids.IsValid(result.PipelineRunId));
    }

    private Task<DatasetVersion> Tag(string name, char fill) =>
        _stores.Datasets.CreateVersionAsync(new NewDatasetVersion(name, "blake3:" + new string(fill, 64), "file", 1, 1, "d.csv", null, null, null, "alice"));

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
