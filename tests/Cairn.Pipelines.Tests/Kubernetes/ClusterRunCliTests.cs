using Cairn.Cli;
using Cairn.Testing;
using k8s;
using k8s.Models;

namespace Cairn.Pipelines.Tests.Kubernetes;

/// <summary>
/// `pipeline run --executor kubernetes --dry-run`, `export --format argo` and `finish` through the
/// CLI, against a real server over a socket (what a cluster's Pods reach). The written Jobs are then
/// run as a cluster would: each Job's own command and environment, in dependency order, as processes.
/// </summary>
public class ClusterRunCliTests : IAsyncLifetime
{
    private const string Yaml = """
        name: cluster_demo
        params:
          greeting: { type: string, default: hello }
        steps:
          make:
            run: printf '%s' "${{ params.greeting }}" > made.txt
            outputs: { file: made.txt }
          shout:
            run: tr a-z A-Z < ${{ steps.make.outputs.file }} > loud.txt
            outputs: { file: loud.txt }
        """;

    private readonly TempFolder _folder = new();
    private RunningServer _server = null!;
    private string _workspace = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync();
        _workspace = Directory.CreateDirectory(_folder.File("work")).FullName;
        File.WriteAllText(Path.Combine(_workspace, "cairn.pipeline.yaml"), Yaml);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private async Task<(int Exit, string Out, string Err)> Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["--tracking-uri", _server.BaseUri.ToString(), .. args], stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task DryRun_WritesOneJobPerStep_ThatRunTheRecordedRunWhenApplied_AndFinishClosesIt()
    {
        var manifests = _folder.File("manifests");
        var (exit, output, error) = await Cli("pipeline", "run", Path.Combine(_workspace, "cairn.pipeline.yaml"), "-p", "greeting=bonjour",
            "--executor", "kubernetes", "--dry-run", "--out", manifests, "--image", "registry.local/delay:1", "--job-cairn", "cairn");
        Assert.True(exit == 0, error);
        var runId = output.Split("for run ")[1].Split(' ')[0];
        var jobs = Directory.GetFiles(manifests, "*.yaml").Select(f => KubernetesYaml.Deserialize<V1Job>(File.ReadAllText(f), strict: true))
            .ToDictionary(j => j.Metadata.Annotations["cairn.dev/step-name"]);
        Assert.Equal(["make", "shout"], jobs.Keys.Order());
        var shout = jobs["shout"].Spec.Template.Spec.Containers[0];
        Assert.Equal(["cairn", "pipeline", "step", runId, "shout"], shout.Command);
        Assert.Equal("registry.local/delay:1", shout.Image);
        Assert.Equal("/workspace", shout.WorkingDir);
        Assert.Equal(_server.BaseUri.ToString(), shout.Env.Single(e => e.Name == "CAIRN_TRACKING_URI").Value);
        Assert.Contains("make", jobs["shout"].Metadata.Annotations["cairn.dev/depends-on"]);

        // The cluster's part: each Job's command, with its environment, in its folder (here the workspace).
        foreach (var step in new[] { "make", "shout" })
        {
            var container = jobs[step].Spec.Template.Spec.Containers[0];
            Assert.Equal("cairn", container.Command[0]);
            using var pod = ChildProcess.StartDll("cairn.dll", container.Command.Skip(1),
                container.Env.ToDictionary(e => e.Name, e => e.Value), workingDirectory: _workspace);
            Assert.True(await pod.WaitAsync(TimeSpan.FromMinutes(2)) == 0, pod.StandardError);
        }
        Assert.Equal("BONJOUR", File.ReadAllText(Path.Combine(_workspace, "loud.txt")));

        var (finished, summary, finishError) = await Cli("pipeline", "finish", runId);
        Assert.True(finished == 0, finishError + summary);
        var run = await _server.Store.GetRunAsync(runId);
        Assert.Equal(Cairn.Tracking.RunStatus.Finished, run.Info.Status);
        Assert.Equal("kubernetes", run.Data.Tags.Single(t => t.Key == "cairn.pipeline.executor").Value);
    }

    [Fact]
    public async Task Finish_BeforeTheStepsRan_SaysFailedAndExitsNonZero()
    {
        var (exit, output, error) = await Cli("pipeline", "run", Path.Combine(_workspace, "cairn.pipeline.yaml"),
            "--executor", "kubernetes", "--dry-run", "--out", _folder.File("m"), "--image", "img:1");
        Assert.True(exit == 0, error);
        var runId = output.Split("for run ")[1].Split(' ')[0];
        var (finished, summary, _) = await Cli("pipeline", "finish", runId);
        Assert.Equal(1, finished);
        Assert.Contains("Failed", summary);
    }

    [Fact]
    public async Task ExportArgo_WritesAWorkflowWithTheSameDag()
    {
        var file = _folder.File("workflow.yaml");
        var (exit, output, error) = await Cli("pipeline", "export", Path.Combine(_workspace, "cairn.pipeline.yaml"), "--format", "argo", "--out", file, "--image", "img:1");
        Assert.True(exit == 0, error);
        Assert.Contains("argo submit", output);
        var text = File.ReadAllText(file);
        Assert.Contains("kind: Workflow", text);
        Assert.Contains("- make", text); // shout's dependencies
    }

    [Fact]
    public async Task ALocalStoreFolder_IsRefusedForTheCluster_BeforeAnythingIsRecorded()
    {
        var store = _folder.File("local-store");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["--tracking-uri", store, "pipeline", "run", Path.Combine(_workspace, "cairn.pipeline.yaml"),
            "--executor", "kubernetes", "--dry-run", "--out", _folder.File("m2"), "--image", "img:1"], stdout, stderr);
        Assert.NotEqual(0, exit);
        Assert.Contains("--job-tracking-uri", stderr.ToString());
        Assert.DoesNotContain("   at ", stderr.ToString());
        Assert.False(Directory.Exists(_folder.File("m2")));
    }

    [Fact]
    public async Task NoCache_IsPassedToEveryStepJob()
    {
        var manifests = _folder.File("nocache");
        var (exit, _, error) = await Cli("pipeline", "run", Path.Combine(_workspace, "cairn.pipeline.yaml"), "--no-cache",
            "--executor", "kubernetes", "--dry-run", "--out", manifests, "--image", "img:1");
        Assert.True(exit == 0, error);
        var commands = Directory.GetFiles(manifests, "*.yaml")
            .Select(f => KubernetesYaml.Deserialize<V1Job>(File.ReadAllText(f), strict: true).Spec.Template.Spec.Containers[0].Command).ToList();
        Assert.Equal(2, commands.Count);
        Assert.All(commands, c => Assert.Equal("--no-cache", c[^1]));
    }

    [Fact]
    public async Task OptionsOfAnotherExecutor_AreRefused()
    {
        var (exit, _, error) = await Cli("pipeline", "run", Path.Combine(_workspace, "cairn.pipeline.yaml"), "--slurm-log-dir", "logs");
        Assert.NotEqual(0, exit);
        Assert.Contains("--executor slurm", error);
        (exit, _, error) = await Cli("pipeline", "run", Path.Combine(_workspace, "cairn.pipeline.yaml"), "--executor", "slurm", "--namespace", "ml");
        Assert.NotEqual(0, exit);
        Assert.Contains("--executor kubernetes", error);
    }

    [Fact]
    public async Task NoImage_IsRefusedBeforeARunIsRecorded()
    {
        var (exit, _, error) = await Cli("pipeline", "run", Path.Combine(_workspace, "cairn.pipeline.yaml"),
            "--executor", "kubernetes", "--dry-run", "--out", _folder.File("m3"));
        Assert.NotEqual(0, exit);
        Assert.Contains("step 'make' needs an image", error);
        Assert.Null(await _server.Store.GetExperimentByNameAsync("pipelines/cluster_demo"));
    }

    [Fact]
    public async Task DryRun_WithoutKubernetes_OrWithoutOut_IsAClearError()
    {
        var (exit, _, error) = await Cli("pipeline", "run", Path.Combine(_workspace, "cairn.pipeline.yaml"), "--dry-run", "--out", _folder.File("x"));
        Assert.NotEqual(0, exit);
        Assert.Contains("--executor kubernetes", error);
        (exit, _, error) = await Cli("pipeline", "run", Path.Combine(_workspace, "cairn.pipeline.yaml"), "--executor", "kubernetes", "--dry-run");
        Assert.NotEqual(0, exit);
        Assert.Contains("--out", error);
    }
}
