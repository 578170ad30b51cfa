using Cairn.Cli;
using Cairn.Registry;
using Cairn.Tracking;

namespace Cairn.Pipelines.Tests;

/// <summary>What a pipeline run leaves for gates and CI scripts: its steps' metrics, and the model version it produced.</summary>
public class PipelineRecordsTests : IDisposable
{
    private readonly PipelineFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task StepMetrics_AreCarriedToThePipelineRun_AlsoWhenTheStepComesFromTheCache()
    {
        var executed = 0;
        var pipeline = Pipeline.Create("metrics_demo")
            .Step("train", async (context, ct) =>
            {
                Interlocked.Increment(ref executed);
                await context.Client!.Tracking.LogMetricAsync(context.StepRunId, new Metric("auc", 0.81, 1, 0), ct);
            })
            .Step("evaluate", async (context, ct) =>
                await context.Client!.Tracking.LogMetricAsync(context.StepRunId, new Metric("auc", 0.77, 1, 0), ct), s => s.Needs("train"))
            .Build();

        var first = await _f.RunAsync(pipeline);
        Assert.True(first.Succeeded);
        var run = await _f.Client.Tracking.GetRunAsync(first.PipelineRunId);
        Assert.Equal(0.77, run.Data.Metrics.Single(m => m.Key == "auc").Value); // the later step wins

        var second = await _f.RunAsync(pipeline);
        Assert.Equal(0, second.Executed);
        Assert.Equal(1, executed);
        var cachedTrain = await _f.StepRunAsync(second.PipelineRunId, "train");
        Assert.Equal(0.81, cachedTrain.Data.Metrics.Single(m => m.Key == "auc").Value);
        var again = await _f.Client.Tracking.GetRunAsync(second.PipelineRunId);
        Assert.Equal(0.77, again.Data.Metrics.Single(m => m.Key == "auc").Value);
    }

    [Fact]
    public async Task OutputModelVersion_WritesTheVersionAStepProduced_AndIsAnErrorForAModelItDidNot()
    {
        await _f.Client.Registry.CreateRegisteredModelAsync("delay");
        await _f.Client.Registry.CreateModelVersionAsync(new NewModelVersion("delay", "mlflow-artifacts:/a"));
        await _f.Client.Registry.CreateModelVersionAsync(new NewModelVersion("delay", "mlflow-artifacts:/b"));
        var file = Path.Combine(_f.Workspace, "cairn.pipeline.yaml");
        File.WriteAllText(file, "name: register_demo\nsteps:\n  register:\n    run: echo model=models:/delay/2 >> $CAIRN_OUTPUTS\n    outputs: [model]\n");
        var versionFile = Path.Combine(_f.Workspace, "version.txt");

        var (exit, stdout, stderr) = await Cli("pipeline", "run", file, "--output-model-version", $"delay={versionFile}");
        Assert.True(exit == 0, stderr + stdout);
        Assert.Equal("2", File.ReadAllText(versionFile).Trim());

        (exit, _, stderr) = await Cli("pipeline", "run", file, "--output-model-version", $"other={versionFile}-other");
        Assert.Equal(1, exit);
        Assert.Contains("registered no version of the model 'other'", stderr);
        Assert.False(File.Exists(versionFile + "-other"));

        (exit, _, stderr) = await Cli("pipeline", "run", file, "--output-model-version", "no-equals-sign");
        Assert.NotEqual(0, exit);
        Assert.Contains("name=file", stderr);
    }

    private async Task<(int Exit, string Out, string Err)> Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["--tracking-uri", _f.StoreFolder, .. args], stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
