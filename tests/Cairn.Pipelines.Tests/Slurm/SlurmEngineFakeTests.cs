using Cairn.Pipelines.Slurm;
using Cairn.Testing;

namespace Cairn.Pipelines.Tests.Slurm;

/// <summary>The engine's decisions against a scripted Slurm (no cluster): what it submits, and what it does with the states squeue reports.</summary>
public sealed class SlurmEngineFakeTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<(string Program, IReadOnlyList<string> Args)> _calls = [];
    private readonly Dictionary<string, (string State, string Reason)> _jobs = [];

    public void Dispose() => _folder.Dispose();

    /// <summary>sbatch gives ids 100, 101...; squeue answers from <see cref="_jobs"/>, with every job not set there COMPLETED.</summary>
    private SlurmStepJobEngine Engine() => new(new SlurmClient(runner: (program, args, _) =>
    {
        lock (_calls) _calls.Add((program, args));
        var output = program switch
        {
            "sbatch" => (100 + _calls.Count(c => c.Program == "sbatch") - 1) + "\n",
            "squeue" => string.Join('\n', args.Single(a => a.StartsWith("--jobs=", StringComparison.Ordinal))["--jobs=".Length..].Split(',')
                .Select(id => _jobs.TryGetValue(id, out var j) ? $"{id}|{j.State}|{j.Reason}" : $"{id}|COMPLETED|None")),
            "scontrol" => "JobId=1 JobState=FAILED ExitCode=2:0",
            _ => "",
        };
        return Task.FromResult(new SlurmCommandResult(0, output, ""));
    }), new SlurmOptions { LogFolder = _folder.File("logs"), PollInterval = TimeSpan.FromMilliseconds(1) });

    private StepJob Step(string name, StepResources? resources = null, params string[] dependsOn) =>
        new(name, ["true"], new Dictionary<string, string>(), _folder.Path, null, resources ?? StepResources.None, null, 0, dependsOn);

    private IReadOnlyList<string> Submitted(string step) =>
        _calls.Single(c => c.Program == "sbatch" && c.Args[^1].EndsWith($"/{step}.sh", StringComparison.Ordinal)).Args;

    [Fact]
    public async Task EachStep_IsSubmittedOnce_AfterTheStepsItNeeds_WithTheirJobIds()
    {
        var errors = await Engine().RunAsync("p", "r1", [Step("join", null, "left", "right"), Step("left", null, "prep"), Step("right", null, "prep"), Step("prep")],
            null, CancellationToken.None);

        Assert.Empty(errors);
        Assert.Equal(["prep.sh", "left.sh", "right.sh", "join.sh"], _calls.Where(c => c.Program == "sbatch").Select(c => Path.GetFileName(c.Args[^1])));
        Assert.DoesNotContain(Submitted("prep"), a => a.StartsWith("--dependency", StringComparison.Ordinal));
        Assert.Contains("--dependency=afterok:100", Submitted("left"));
        Assert.Contains("--dependency=afterok:101:102", Submitted("join"));
        Assert.Contains("--kill-on-invalid-dep=yes", Submitted("join"));
        Assert.DoesNotContain(_calls, c => c.Program == "scancel");
    }

    [Fact]
    public async Task AJobPendingForAReasonThatNeverClears_IsCancelledAndFailed_TheRestSkipped()
    {
        _jobs["100"] = ("PENDING", "PartitionConfig");
        _jobs["101"] = ("PENDING", "Dependency");
        var events = new List<StepEvent>();
        var errors = await Engine().RunAsync("p", "r1", [Step("big", new StepResources(Cpus: 64)), Step("after", null, "big")], events.Add, CancellationToken.None);

        Assert.Contains("can never start (Reason=PartitionConfig)", errors["big"]);
        Assert.Contains(_calls, c => c.Program == "scancel" && c.Args.Contains("100"));
        Assert.Contains(_calls, c => c.Program == "scancel" && c.Args.Contains("101"));
        Assert.Equal(StepState.Skipped, events.Last(e => e.Step == "after").State);
    }

    [Fact]
    public async Task AJobPendingForResources_IsWaitedOn()
    {
        _jobs["100"] = ("PENDING", "Resources");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Engine().RunAsync("p", "r1", [Step("waits")], null, cts.Token));
        // Cancelled while waiting: the job it submitted is cancelled too.
        Assert.Contains(_calls, c => c.Program == "scancel" && c.Args.SequenceEqual(["100"]));
    }

    [Fact]
    public async Task AFailedJob_ReportsItsExitCode()
    {
        _jobs["100"] = ("FAILED", "NonZeroExitCode");
        var errors = await Engine().RunAsync("p", "r1", [Step("broken"), Step("after", null, "broken")], null, CancellationToken.None);
        Assert.StartsWith("Slurm job 100 ended FAILED (exit code 2)", errors["broken"]);
    }

    [Fact]
    public async Task ABadStep_StopsTheRunBeforeAnythingIsSubmitted()
    {
        var bad = Step("bad") with { Environment = new Dictionary<string, string> { ["X;touch y"] = "1" } };
        await Assert.ThrowsAsync<CairnException>(() => Engine().RunAsync("p", "r1", [Step("good"), bad], null, CancellationToken.None));
        Assert.Empty(_calls);
        await Assert.ThrowsAsync<CairnException>(() => Engine().RunAsync("p", "r1", [Step("a", null, "b"), Step("b", null, "a")], null, CancellationToken.None));
        Assert.Empty(_calls);
    }
}
