using Cairn.Models;
using Cairn.Pipelines;

namespace Cairn.Pipelines.Steps.Tests;

/// <summary>examples/pipelines/flights-delay on the flights sample the repository ships, end to end.</summary>
public sealed class ReferencePipelineTests : IDisposable
{
    private readonly StepsFixture _f = new();

    public void Dispose() => _f.Dispose();

    private static readonly string[] Steps = ["version", "validate", "features", "train", "evaluate", "test", "gate", "register", "challenger"];

    private PipelineDefinition CopyExample()
    {
        var example = Path.Combine(StepsFixture.RepoRoot(), "examples", "pipelines", "flights-delay");
        foreach (var file in new[] { "cairn.pipeline.yaml", "expectations.yaml", "model-tests.yaml" })
            File.Copy(Path.Combine(example, file), Path.Combine(_f.Workspace, file));
        return PipelineYaml.Load(Path.Combine(_f.Workspace, "cairn.pipeline.yaml"));
    }

    [Fact]
    public async Task RegistersAChallenger_ThenRunsFromCache_ThenRerunsWhatAParameterReaches_WithLineageToTheData()
    {
        var pipeline = CopyExample();
        var data = new Dictionary<string, string> { ["data"] = StepsFixture.FlightsSample };

        var first = await _f.RunAsync(pipeline, data);
        StepsFixture.AssertSucceeded(first);
        Assert.Equal(Steps.Order(StringComparer.Ordinal), first.Steps.Select(s => s.Step).Order(StringComparer.Ordinal));
        Assert.All(first.Steps, s => Assert.Equal(StepState.Succeeded, s.State));
        var challenger = await _f.Client.Registry.GetModelVersionByAliasAsync("flights-delay", "challenger");
        Assert.Equal("1", challenger.Version);
        var evaluation = await _f.StepRunAsync(first, "evaluate");
        Assert.InRange(evaluation.Data.Metrics.Single(m => m.Key == "auc").Value, 0.55, 1.0);

        // Nothing changed: nothing runs, and the alias still names the same version.
        var second = await _f.RunAsync(pipeline, data);
        StepsFixture.AssertSucceeded(second);
        Assert.Equal(0, second.Executed);
        Assert.All(second.Steps, s => Assert.Equal(StepState.Cached, s.State));
        Assert.Equal("1", (await _f.Client.Registry.GetModelVersionByAliasAsync("flights-delay", "challenger")).Version);

        // leaves is read by train: train and everything after it run again; the data steps do not.
        var third = await _f.RunAsync(pipeline, new Dictionary<string, string>(data) { ["leaves"] = "8" });
        StepsFixture.AssertSucceeded(third);
        Assert.Equal(["version", "validate", "features"], third.Steps.Where(s => s.State == StepState.Cached).Select(s => s.Step));
        Assert.Equal(["train", "evaluate", "test", "gate", "register", "challenger"], third.Steps.Where(s => s.State == StepState.Succeeded).Select(s => s.Step));
        Assert.Equal("2", (await _f.Client.Registry.GetModelVersionByAliasAsync("flights-delay", "challenger")).Version);

        // Lineage: the registered version's run is the first run's train step, a child of that pipeline
        // run, and it consumed the dataset version the first step made.
        var lineage = await new ModelRegistry(_f.Client).LineageAsync("models:/flights-delay/1");
        Assert.Equal(first.Steps.Single(s => s.Step == "train").RunId, lineage.Run!.Info.RunId);
        Assert.Equal(first.PipelineRunId, PipelineTags.Tag(lineage.Run, PipelineTags.ParentRun));
        var dataset = (await _f.Client.Datasets.ListVersionsAsync("flights")).Single();
        Assert.Contains(lineage.Run.Inputs!.DatasetInputs, i => i.Dataset.Source == "data:/flights@1" && i.Dataset.Digest == dataset.Digest);
    }
}
