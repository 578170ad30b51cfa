using System.Diagnostics;
using Cairn.Pipelines;
using Cairn.Tracking;

namespace Cairn.Pipelines.Tests;

/// <summary>Failures, retries, timeouts, cancellation and resuming, with real processes.</summary>
public sealed class PipelineFailureTests : IDisposable
{
    private readonly PipelineFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task AFailingStep_StopsItsDependents_AndFailsTheRun_WithItsLogKept()
    {
        var pipeline = _f.Write("""
            name: failing
            steps:
              broken:
                run: echo "about to fail" && exit 3
              after:
                run: echo after >> executions.log
                needs: [broken]
            """);
        var result = await _f.RunAsync(pipeline);
        Assert.False(result.Succeeded);
        Assert.Equal(StepState.Failed, result.Steps.Single(s => s.Step == "broken").State);
        Assert.Equal("the command exited with code 3.", result.Steps.Single(s => s.Step == "broken").Error);
        Assert.Equal(StepState.Skipped, result.Steps.Single(s => s.Step == "after").State);
        Assert.Empty(_f.Executions());
        var run = await _f.Client.Tracking.GetRunAsync(result.PipelineRunId);
        Assert.Equal(RunStatus.Failed, run.Info.Status);
        var log = await new PipelineHistory(_f.Client).LogAsync(await _f.StepRunAsync(result.PipelineRunId, "broken"), CancellationToken.None);
        Assert.Contains("about to fail", log);
    }

    [Fact]
    public async Task Retries_RunTheStepAgain_AfterABackoff()
    {
        var pipeline = _f.Write("""
            name: flaky
            steps:
              flaky:
                run: echo try >> executions.log && if [ ! -f once ]; then touch once; exit 1; fi
                retries: 2
                retry_backoff: 0.1s
            """);
        var result = await _f.RunAsync(pipeline);
        Assert.True(result.Succeeded);
        Assert.Equal(2, result.Steps.Single().Attempts);
        Assert.Equal(2, _f.Executions()["try"]);
        Assert.Equal("2", PipelineTags.Tag(await _f.StepRunAsync(result.PipelineRunId, "flaky"), PipelineTags.Attempts));
    }

    [Fact]
    public async Task ATimeout_KillsTheStepsProcessTree()
    {
        var pipeline = _f.Write("""
            name: slow
            steps:
              slow:
                run: sleep 300 & echo $! > child.pid; wait
                timeout: 1s
            """);
        var result = await _f.RunAsync(pipeline);
        Assert.False(result.Succeeded);
        Assert.Contains("timeout", result.Steps.Single().Error);
        AssertGone(int.Parse(_f.Read("child.pid")));
    }

    [Fact]
    public async Task Cancelling_KillsEveryRunningStep_AndLeavesNoOrphan()
    {
        var pipeline = _f.Write("""
            name: cancel
            steps:
              one:
                run: sleep 300 & echo $! > one.pid; wait
              two:
                run: sleep 300 & echo $! > two.pid; wait
            """);
        using var cts = new CancellationTokenSource();
        var running = _f.RunAsync(pipeline, new PipelineRunOptions { Parallel = 2 }, cts.Token);
        await WaitForFile("one.pid");
        await WaitForFile("two.pid");
        cts.Cancel();
        var result = await running;
        Assert.True(result.Cancelled);
        Assert.All(result.Steps, s => Assert.Equal(StepState.Killed, s.State));
        AssertGone(int.Parse(_f.Read("one.pid")));
        AssertGone(int.Parse(_f.Read("two.pid")));
        Assert.Equal(RunStatus.Killed, (await _f.Client.Tracking.GetRunAsync(result.PipelineRunId)).Info.Status);
    }

    // a -> b -> c; b's first run is killed with SIGKILL half way, then the run is resumed.
    private const string Resumable = """
        name: resumable
        steps:
          a:
            run: echo a >> executions.log && seq 1 1000 > a.txt
            outputs: {data: a.txt}
          b:
            run: echo b >> executions.log && if [ -f kill-me ]; then rm kill-me; echo $$ > b.pid; sleep 300; fi; sort -rn ${{ steps.a.outputs.data }} > b.txt
            outputs: {data: b.txt}
          c:
            run: echo c >> executions.log && head -3 ${{ steps.b.outputs.data }} > c.txt
            outputs: {data: c.txt}
        """;

    [Fact]
    public async Task AStepKilledWithSigkill_ThenRetry_DoesNotRerunEarlierSteps_AndEndsWithTheSameOutputs()
    {
        using var reference = new PipelineFixture();
        var clean = await reference.RunAsync(reference.Write(Resumable));
        Assert.True(clean.Succeeded);

        var pipeline = _f.Write(Resumable);
        File.WriteAllText(Path.Combine(_f.Workspace, "kill-me"), "");
        var running = _f.RunAsync(pipeline);
        await WaitForFile("b.pid");
        Process.GetProcessById(int.Parse(_f.Read("b.pid"))).Kill();
        var failed = await running;
        Assert.False(failed.Succeeded);
        Assert.Contains("killed", failed.Steps.Single(s => s.Step == "b").Error);

        var resumed = await _f.RunAsync(pipeline, new PipelineRunOptions { ResumeRunId = failed.PipelineRunId });
        Assert.True(resumed.Succeeded);
        Assert.Equal(failed.PipelineRunId, resumed.PipelineRunId);
        Assert.Equal(StepState.Reused, resumed.Steps.Single(s => s.Step == "a").State);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2, ["c"] = 1 }, _f.Executions());
        foreach (var file in new[] { "a.txt", "b.txt", "c.txt" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(reference.Workspace, file)), File.ReadAllBytes(Path.Combine(_f.Workspace, file)));
        Assert.Equal(RunStatus.Finished, (await _f.Client.Tracking.GetRunAsync(failed.PipelineRunId)).Info.Status);
        await Assert.ThrowsAsync<CairnException>(() => _f.RunAsync(pipeline, new PipelineRunOptions { ResumeRunId = failed.PipelineRunId }));
    }

    [Theory]
    [InlineData("outputs: {x: ../outside.txt}", "leads outside the pipeline's folder")]
    [InlineData("outputs: {x: /etc/passwd}", "is an absolute path")]
    [InlineData("inputs: [../../etc/passwd]", "leads outside the pipeline's folder")]
    [InlineData("outputs: [never]", "did not write its output 'never'")]
    public async Task PathsLeadingOut_AndMissingOutputs_FailTheStep_WithoutRunningWhatFollows(string line, string expected)
    {
        var pipeline = _f.Write($"""
            name: hostile
            steps:
              bad:
                run: echo bad >> executions.log
                {line}
            """);
        var result = await _f.RunAsync(pipeline);
        Assert.False(result.Succeeded);
        Assert.Contains(expected, result.Steps.Single().Error);
        Assert.False(File.Exists(Path.Combine(_f.Workspace, "..", "outside.txt")));
    }

    [Fact]
    public async Task AnOutputWrittenThroughALinkOutOfTheWorkspace_IsRefused()
    {
        var outside = Directory.CreateTempSubdirectory("cairn-outside-");
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(_f.Workspace, "escape"), outside.FullName);
            var pipeline = _f.Write("""
                name: linked
                steps:
                  bad:
                    run: echo x > escape/file.txt
                    outputs: {x: escape/file.txt}
                """);
            var result = await _f.RunAsync(pipeline);
            Assert.Contains("leads outside the pipeline's folder", result.Steps.Single().Error);
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task UndeclaredOrMalformedOutputs_FailTheStep()
    {
        var undeclared = await _f.RunAsync(_f.Write("name: u\nsteps:\n  s:\n    run: echo typo=1 >> $CAIRN_OUTPUTS\n    outputs: [type]\n"));
        Assert.Contains("wrote the output 'typo', which it does not declare", undeclared.Steps.Single().Error);
        var malformed = await _f.RunAsync(_f.Write("name: m\nsteps:\n  s:\n    run: echo 'not a pair' >> $CAIRN_OUTPUTS\n"));
        Assert.Contains("line 1 of $CAIRN_OUTPUTS is not name=value", malformed.Steps.Single().Error);
    }

    private async Task WaitForFile(string name)
    {
        var path = Path.Combine(_f.Workspace, name);
        for (var i = 0; i < 600 && !(File.Exists(path) && new FileInfo(path).Length > 0); i++) await Task.Delay(50);
        Assert.True(File.Exists(path), $"{name} was never written");
    }

    private static void AssertGone(int pid)
    {
        for (var i = 0; i < 100; i++)
        {
            if (!Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] == "Z") return;
            Thread.Sleep(50);
        }
        Assert.Fail($"process {pid} is still running");
    }
}
