using Cairn.Pipelines.Slurm;
using Cairn.Testing;

namespace Cairn.Pipelines.Tests.Slurm;

/// <summary>The Slurm executor on a real one-node cluster, with plain shell steps (no cairn in the jobs).</summary>
public sealed class SlurmEngineTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<StepEvent> _events = [];

    public void Dispose() => _folder.Dispose();

    private static SlurmCluster Cluster => SlurmCluster.Instance;

    private SlurmStepJobEngine Engine() =>
        new(new SlurmClient(Cluster.Environment), new SlurmOptions { LogFolder = _folder.File("logs"), PollInterval = TimeSpan.FromMilliseconds(200) });

    private StepJob Shell(string name, string script, StepResources? resources = null, TimeSpan? timeout = null, params string[] dependsOn) =>
        new(name, ["sh", "-c", script], new Dictionary<string, string> { ["STEP"] = name }, _folder.Path, null, resources ?? StepResources.None, timeout, 0, dependsOn);

    private void Record(StepEvent e)
    {
        lock (_events) _events.Add(e);
    }

    private StepState Last(string step)
    {
        lock (_events) return _events.Last(e => e.Step == step).State;
    }

    private const string Mark = "echo \"start $STEP\" >> order.log; sleep 1; echo \"end $STEP\" >> order.log";

    [SlurmFact]
    public async Task ADiamond_RunsEachStepAfterTheStepsItNeeds()
    {
        var jobs = new[]
        {
            Shell("prepare", Mark), Shell("left", Mark, dependsOn: "prepare"), Shell("right", Mark, dependsOn: "prepare"),
            Shell("join", Mark, dependsOn: ["left", "right"]),
        };
        var errors = await Engine().RunAsync("diamond", "run1", jobs, Record, CancellationToken.None);

        Assert.Empty(errors);
        var lines = File.ReadAllLines(Path.Combine(_folder.Path, "order.log")).ToList();
        Assert.Equal(8, lines.Count);
        Assert.True(lines.IndexOf("end prepare") < lines.IndexOf("start left"), string.Join(", ", lines));
        Assert.True(lines.IndexOf("end prepare") < lines.IndexOf("start right"), string.Join(", ", lines));
        Assert.True(lines.IndexOf("end left") < lines.IndexOf("start join"), string.Join(", ", lines));
        Assert.True(lines.IndexOf("end right") < lines.IndexOf("start join"), string.Join(", ", lines));
        Assert.All(jobs, j => Assert.Equal(StepState.Succeeded, Last(j.Name)));
    }

    [SlurmFact]
    public async Task AFailingStep_ReportsItsExitCodeAndLog_DownstreamNeverRuns_AndTheRestIsCancelled()
    {
        var jobs = new[]
        {
            Shell("first", "true"),
            Shell("broken", "echo computing; echo 'boom: no data' >&2; exit 3", dependsOn: "first"),
            Shell("after", "touch after.ran", dependsOn: "broken"),
            Shell("slow", "touch slow.started; sleep 120; touch slow.finished"),
        };
        var errors = await Engine().RunAsync("failing", "run1", jobs, Record, CancellationToken.None);

        var error = Assert.Single(errors);
        Assert.Equal("broken", error.Key);
        Assert.Contains("FAILED (exit code 3)", error.Value);
        Assert.Contains("boom: no data", error.Value);
        Assert.Contains("computing", error.Value);
        Assert.False(File.Exists(Path.Combine(_folder.Path, "after.ran")));
        Assert.False(File.Exists(Path.Combine(_folder.Path, "slow.finished")));
        Assert.Equal(StepState.Failed, Last("broken"));
        Assert.Equal(StepState.Skipped, Last("after"));
        Assert.Contains(Last("slow"), new[] { StepState.Killed, StepState.Skipped });
        await AssertNoLiveJobsAsync("cairn-failing-");
    }

    [SlurmFact]
    public async Task Resources_AreMappedToTheJobsSlurmOptions()
    {
        var jobs = new[] { Shell("sized", "true", new StepResources(Cpus: 1.5, MemoryBytes: 100L * 1024 * 1024), TimeSpan.FromSeconds(90)) };
        var errors = await Engine().RunAsync("resources", "run1", jobs, Record, CancellationToken.None);

        Assert.Empty(errors);
        var job = Cluster.Job(Assert.Single(Cluster.Jobs("cairn-resources-sized", "all")));
        Assert.Equal("2", job["CPUs/Task"]);
        Assert.Equal("100M", job["MinMemoryNode"]);
        Assert.Equal("00:02:00", job["TimeLimit"]);
        Assert.Equal(_folder.Path, job["WorkDir"]);
        Assert.Equal(Path.Combine(_folder.Path, "logs", "run1", "sized.log"), job["StdOut"]);
        Assert.Equal("COMPLETED", job["JobState"]);
    }

    [SlurmFact]
    public async Task AStepAskingForMoreThanTheNodeHas_FailsInsteadOfWaitingForEver()
    {
        var jobs = new[] { Shell("huge", "true", new StepResources(Cpus: Cluster.Cpus + 8)), Shell("after", "touch after.ran", dependsOn: "huge") };
        var errors = await Engine().RunAsync("impossible", "run1", jobs, Record, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains("can never start", errors["huge"]);
        Assert.Equal(StepState.Skipped, Last("after"));
        Assert.False(File.Exists(Path.Combine(_folder.Path, "after.ran")));
        await AssertNoLiveJobsAsync("cairn-impossible-");
    }

    [SlurmFact]
    public async Task MemorySbatchRefuses_IsTheStepsError_AndNothingIsLeftQueued()
    {
        var jobs = new[] { Shell("ok", "sleep 5"), Shell("greedy", "true", new StepResources(MemoryBytes: 1L << 50), dependsOn: "ok") };
        var errors = await Engine().RunAsync("refused", "run1", jobs, Record, CancellationToken.None);

        Assert.Contains("sbatch refused", errors["greedy"]);
        await AssertNoLiveJobsAsync("cairn-refused-");
    }

    [SlurmFact]
    public async Task Cancelling_ScancelsEveryJob_AndThrows()
    {
        var jobs = new[] { Shell("long", "touch long.started; sleep 120; touch long.finished"), Shell("next", "touch next.ran", dependsOn: "long") };
        using var cts = new CancellationTokenSource();
        var run = Engine().RunAsync("cancelled", "run1", jobs, Record, cts.Token);
        var started = Path.Combine(_folder.Path, "long.started");
        for (var i = 0; i < 300 && !File.Exists(started) && !run.IsCompleted; i++) await Task.Delay(100);
        Assert.True(File.Exists(started), "the long step did not start");
        Assert.NotEmpty(Cluster.Jobs("cairn-cancelled-"));

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        await AssertNoLiveJobsAsync("cairn-cancelled-");
        Assert.Equal(StepState.Killed, Last("long"));
        Assert.False(File.Exists(Path.Combine(_folder.Path, "next.ran")));
    }

    /// <summary>scancel is asynchronous: a killed job may show COMPLETING for a moment.</summary>
    private static async Task AssertNoLiveJobsAsync(string namePrefix)
    {
        IReadOnlyList<string> live = [];
        for (var i = 0; i < 100; i++)
        {
            live = Cluster.Jobs(namePrefix);
            if (live.Count == 0) return;
            await Task.Delay(100);
        }
        Assert.Fail($"Slurm jobs still queued or running: {string.Join(", ", live)}");
    }
}
