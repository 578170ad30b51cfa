using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Pipelines.Tests.Slurm;

/// <summary>
/// The reference pipeline (examples/pipelines/flights-delay, on the shipped flights sample) run by
/// the real CLI here and with <c>--executor slurm</c> on a real cluster: the same outputs, step by step.
/// </summary>
public sealed class ReferencePipelineOnSlurmTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [SlurmFact]
    public async Task TheReferencePipeline_OnLocalAndOnSlurm_GivesIdenticalOutputs()
    {
        var (localWorkspace, localStore) = Workspace("local");
        var (slurmWorkspace, slurmStore) = Workspace("slurm");

        var local = await CairnAsync(localWorkspace, "pipeline", "run", "--tracking-uri", localStore, "-p", $"data={Sample}", "--output-run-id", "run-id.txt");
        Assert.True(local.Exit == 0, local.Out + local.Err);
        var slurm = await CairnAsync(slurmWorkspace, "pipeline", "run", "--executor", "slurm", "--tracking-uri", slurmStore, "-p", $"data={Sample}",
            "--output-run-id", "run-id.txt", "--output-model-version", "flights-delay=version.txt");
        Assert.True(slurm.Exit == 0, slurm.Out + slurm.Err);
        Assert.Contains("Succeeded: 9 steps: 9 ran, 0 from cache", slurm.Out);
        Assert.Equal("1", File.ReadAllText(Path.Combine(slurmWorkspace, "version.txt")).Trim());

        using var localClient = CairnClient.Open(localStore);
        using var slurmClient = CairnClient.Open(slurmStore);
        var localView = await new PipelineHistory(localClient).ShowAsync(RunId(localWorkspace), CancellationToken.None);
        var slurmView = await new PipelineHistory(slurmClient).ShowAsync(RunId(slurmWorkspace), CancellationToken.None);
        Assert.Equal(RunStatus.Finished, slurmView.Run.Info.Status);
        Assert.Equal("slurm", PipelineTags.Tag(slurmView.Run, PipelineTags.Executor));
        Assert.Equal(localView.Steps.Select(s => s.Step).Order(), slurmView.Steps.Select(s => s.Step).Order());
        foreach (var step in localView.Steps)
        {
            var here = PipelineRecorder.Record(step.Run);
            var there = PipelineRecorder.Record(slurmView.Steps.Single(s => s.Step == step.Step).Run);
            // Values naming runs differ by store (runs:/<id>/model); everything else, and every digest, is the same.
            Assert.Equal(Comparable(here.Outputs), Comparable(there.Outputs));
            Assert.Equal(here.Digests.OrderBy(p => p.Key), there.Digests.OrderBy(p => p.Key));
        }
        Assert.Equal(File.ReadAllBytes(Path.Combine(localWorkspace, "features", "flights.csv")), File.ReadAllBytes(Path.Combine(slurmWorkspace, "features", "flights.csv")));
        Assert.Equal(Metric(localView, "evaluate", "auc"), Metric(slurmView, "evaluate", "auc"));
        Assert.Equal("1", (await slurmClient.Registry.GetModelVersionByAliasAsync("flights-delay", "challenger")).Version);
    }

    private static string Sample => Path.Combine(RepoRoot(), "examples", "Quickstart", "data", "flights-sample.csv");

    private static IEnumerable<KeyValuePair<string, string>> Comparable(IReadOnlyDictionary<string, string> outputs) =>
        outputs.Where(p => !p.Value.StartsWith("runs:/", StringComparison.Ordinal) && p.Key != "run_id").OrderBy(p => p.Key, StringComparer.Ordinal);

    private static double Metric(PipelineRunView view, string step, string key) =>
        view.Steps.Single(s => s.Step == step).Run.Data.Metrics.Single(m => m.Key == key).Value;

    private static string RunId(string workspace) => File.ReadAllText(Path.Combine(workspace, "run-id.txt")).Trim();

    private (string Workspace, string Store) Workspace(string name)
    {
        var workspace = Directory.CreateDirectory(_folder.File(name)).FullName;
        foreach (var file in new[] { "cairn.pipeline.yaml", "expectations.yaml", "model-tests.yaml" })
            File.Copy(Path.Combine(RepoRoot(), "examples", "pipelines", "flights-delay", file), Path.Combine(workspace, file));
        using (var git = ChildProcess.Start("git", ["-C", workspace, "init", "-q", "."])) git.WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        return (workspace, _folder.File(name + "-store"));
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Cairn.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Cairn.slnx not found above the tests.");
    }

    private static async Task<(int Exit, string Out, string Err)> CairnAsync(string workspace, params string[] args)
    {
        using var cli = ChildProcess.StartDll("cairn.dll", args, new Dictionary<string, string>(SlurmCluster.Instance.Environment), workspace);
        var exit = await cli.WaitAsync(TimeSpan.FromMinutes(5));
        return (exit, cli.StandardOutput, cli.StandardError);
    }
}
