using Cairn.Cli;
using Cairn.Data;
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

    [Fact]
    public async Task ModelLineage_ReachesThroughThePipelineRun_ToTheDatasetVersionsItsStepsRead()
    {
        var digest = "blake3:" + new string('a', 64);
        await _f.Client.Datasets.CreateVersionAsync(new NewDatasetVersion("flights", digest, "file", 10, 1, "flights.parquet", null, null, null, "test"));
        await _f.Client.Registry.CreateRegisteredModelAsync("delay");
        var pipeline = Pipeline.Create("lineage_demo")
            .Step("validate", (_, _) => Task.CompletedTask, s => s.With("data", "data:/flights@1"))
            .Step("train", async (context, ct) =>
            {
                var version = await context.Client!.Registry.CreateModelVersionAsync(
                    new NewModelVersion("delay", $"runs:/{context.StepRunId}/model", context.StepRunId), ct);
                context.SetOutput("model", $"models:/delay/{version.Version}");
            }, s => s.Needs("validate").Output("model"))
            .Build();
        var result = await _f.RunAsync(pipeline);
        Assert.True(result.Succeeded, string.Join("; ", result.Steps.Select(s => s.Error)));

        var lineage = await new Cairn.Models.ModelRegistry(_f.Client).LineageAsync("models:/delay/1");
        Assert.Equal(result.PipelineRunId, lineage.ParentRun?.Info.RunId);
        var input = Assert.Single(lineage.UpstreamDataInputs);
        Assert.Contains("data:/flights/1", input.Replace('@', '/'));
        Assert.Contains("in 'validate'", input);

        var (exit, text, error) = await Cli("models", "lineage", "models:/delay/1");
        Assert.True(exit == 0, error);
        Assert.Contains(result.PipelineRunId, text);
        Assert.Contains("data:/flights", text);
    }

    [Fact]
    public async Task AStepNamingAnUnknownDataset_FailsWithTheArgumentNamed()
    {
        var pipeline = Pipeline.Create("unknown_data").Step("validate", (_, _) => Task.CompletedTask, s => s.With("data", "data:/nowhere@1")).Build();
        var result = await _f.RunAsync(pipeline);
        Assert.False(result.Succeeded);
        Assert.Contains("with.data", result.Steps.Single().Error);
        Assert.Contains("nowhere", result.Steps.Single().Error);
    }

    private async Task<(int Exit, string Out, string Err)> Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["--tracking-uri", _f.StoreFolder, .. args], stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
