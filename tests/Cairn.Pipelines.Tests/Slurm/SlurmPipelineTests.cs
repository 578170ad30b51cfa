using System.Diagnostics;
using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Pipelines.Tests.Slurm;

/// <summary>
/// A YAML pipeline run by the real <c>cairn</c> CLI with <c>--executor slurm</c> on a real cluster,
/// each step a job running <c>cairn pipeline step</c>, against the same pipeline run locally.
/// </summary>
public sealed class SlurmPipelineTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // A parameter, files declared as outputs (a file and a folder), a value output and data flow between steps.
    private const string Yaml = """
        name: same-everywhere
        params:
          rows: {type: int, default: 5}
        steps:
          prepare:
            run: seq 1 ${{ params.rows }} > raw.txt
            outputs: {raw: raw.txt}
          square:
            run: mkdir -p squares && awk '{print $1 * $1}' ${{ steps.prepare.outputs.raw }} > squares/all.txt
            outputs: {squares: squares}
          total:
            run: awk '{s += $1} END {print s}' ${{ steps.prepare.outputs.raw }} > total.txt && echo "count=$(wc -l < ${{ steps.prepare.outputs.raw }})" >> $CAIRN_OUTPUTS
            outputs:
              total: total.txt
              count:
          report:
            run: echo "rows ${{ params.rows }}, count ${{ steps.total.outputs.count }}, total $(cat ${{ steps.total.outputs.total }}), largest $(tail -n 1 ${{ steps.square.outputs.squares }}/all.txt)" > report.txt
            outputs: {report: report.txt}
        """;

    private static readonly string[] Files = ["raw.txt", "squares/all.txt", "total.txt", "report.txt"];

    [SlurmFact]
    public async Task TheSamePipeline_OnLocalAndOnSlurm_GivesIdenticalOutputs()
    {
        // Local: the engine in this process.
        using var local = new PipelineFixture();
        var localResult = await local.RunAsync(local.Write(Yaml), new PipelineRunOptions { Parameters = new Dictionary<string, string> { ["rows"] = "7" } });
        Assert.True(localResult.Succeeded, string.Join("; ", localResult.Steps.Select(s => $"{s.Step}: {s.Error}")));

        // Slurm: the real CLI, each step an sbatch job running `cairn pipeline step` on the node.
        var (workspace, store) = Workspace("slurm");
        var (exit, stdout, stderr) = await CairnAsync(workspace, "pipeline", "run", "cairn.pipeline.yaml", "--executor", "slurm", "-p", "rows=7",
            "--tracking-uri", store, "--output-run-id", "run-id.txt");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("Succeeded: 4 steps: 4 ran, 0 from cache", stdout);
        var slurmRunId = File.ReadAllText(Path.Combine(workspace, "run-id.txt")).Trim();

        foreach (var file in Files)
            Assert.Equal(File.ReadAllBytes(Path.Combine(local.Workspace, file)), File.ReadAllBytes(Path.Combine(workspace, file)));
        Assert.Equal("rows 7, count 7, total 28, largest 49\n", File.ReadAllText(Path.Combine(workspace, "report.txt")));

        // The store says the same: every step's output values and content digests are equal, and the run is recorded as a Slurm run.
        using var client = CairnClient.Open(store);
        var history = new PipelineHistory(client);
        var slurmView = await history.ShowAsync(slurmRunId, CancellationToken.None);
        var localView = await new PipelineHistory(local.Client).ShowAsync(localResult.PipelineRunId, CancellationToken.None);
        Assert.Equal(RunStatus.Finished, slurmView.Run.Info.Status);
        Assert.Equal("slurm", PipelineTags.Tag(slurmView.Run, PipelineTags.Executor));
        Assert.Equal(localView.Steps.Select(s => s.Step).Order(), slurmView.Steps.Select(s => s.Step).Order());
        foreach (var step in localView.Steps)
        {
            var there = PipelineRecorder.Record(slurmView.Steps.Single(s => s.Step == step.Step).Run);
            var here = PipelineRecorder.Record(step.Run);
            Assert.Equal(here.Outputs.OrderBy(p => p.Key), there.Outputs.OrderBy(p => p.Key));
            Assert.Equal(here.Digests.OrderBy(p => p.Key), there.Digests.OrderBy(p => p.Key));
            Assert.NotEmpty(there.Digests);
        }
        Assert.Equal("7", slurmView.Run.Data.Params.Single(p => p.Key == "rows").Value);
    }

    [SlurmFact]
    public async Task AFailingStep_OnSlurm_FailsTheRun_AndTheStepsAfterItNeverRun()
    {
        var (workspace, store) = Workspace("failing");
        File.WriteAllText(Path.Combine(workspace, "cairn.pipeline.yaml"), """
            name: breaks-on-slurm
            steps:
              first:
                run: echo one > one.txt
                outputs: {one: one.txt}
              broken:
                run: echo 'no such data' >&2 && exit 4
                needs: [first]
              after:
                run: touch after.ran
                needs: [broken]
            """);
        var (exit, stdout, stderr) = await CairnAsync(workspace, "pipeline", "run", "--executor", "slurm", "--tracking-uri", store, "--slurm-log-dir", "slurm logs");

        Assert.Equal(1, exit);
        Assert.Contains("Failed:", stdout);
        Assert.Contains("step 'broken' failed", stderr);
        Assert.False(File.Exists(Path.Combine(workspace, "after.ran")));
        Assert.True(Directory.EnumerateFiles(Path.Combine(workspace, "slurm logs"), "broken.log", SearchOption.AllDirectories).Any());
    }

    [SlurmFact]
    public async Task CtrlC_OnTheCli_CancelsTheSlurmJobs_AndClosesTheRunAsKilled()
    {
        var (workspace, store) = Workspace("cancel");
        File.WriteAllText(Path.Combine(workspace, "cairn.pipeline.yaml"), """
            name: cancelled-on-slurm
            steps:
              long:
                run: sleep 300
              next:
                run: touch next.ran
                needs: [long]
            """);
        var environment = new Dictionary<string, string>(SlurmCluster.Instance.Environment);
        using var cli = ChildProcess.StartDll("cairn.dll", ["pipeline", "run", "--executor", "slurm", "--tracking-uri", store], environment, workspace, interruptible: true);
        await cli.WaitForLineAsync(l => l.Contains("long") && l.Contains("running"), TimeSpan.FromSeconds(120));
        Assert.NotEmpty(SlurmCluster.Instance.Jobs("cairn-cancelled-on-slurm-"));

        using (var interrupt = Process.Start("kill", ["-INT", cli.Process.Id.ToString()])) await interrupt.WaitForExitAsync();
        Assert.Equal(130, await cli.WaitAsync(TimeSpan.FromSeconds(60)));

        for (var i = 0; i < 100 && SlurmCluster.Instance.Jobs("cairn-cancelled-on-slurm-").Count > 0; i++) await Task.Delay(100);
        Assert.Empty(SlurmCluster.Instance.Jobs("cairn-cancelled-on-slurm-"));
        Assert.False(File.Exists(Path.Combine(workspace, "next.ran")));
        using var client = CairnClient.Open(store);
        var run = (await new PipelineHistory(client).ListAsync("cancelled-on-slurm", 1, CancellationToken.None)).Single();
        Assert.Equal(RunStatus.Killed, run.Info.Status);
    }

    private (string Workspace, string Store) Workspace(string name)
    {
        var workspace = Directory.CreateDirectory(_folder.File(name)).FullName;
        File.WriteAllText(Path.Combine(workspace, "cairn.pipeline.yaml"), Yaml);
        return (workspace, _folder.File(name + "-store"));
    }

    private static async Task<(int Exit, string Out, string Err)> CairnAsync(string workspace, params string[] args)
    {
        using var cli = ChildProcess.StartDll("cairn.dll", args, new Dictionary<string, string>(SlurmCluster.Instance.Environment), workspace);
        var exit = await cli.WaitAsync(TimeSpan.FromMinutes(4));
        return (exit, cli.StandardOutput, cli.StandardError);
    }
}
