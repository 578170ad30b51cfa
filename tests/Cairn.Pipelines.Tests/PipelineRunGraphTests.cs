using Cairn.Pipelines;

namespace Cairn.Pipelines.Tests;

/// <summary>A recorded run's DAG with each step's state, as the web UI draws it, read back over the store interfaces.</summary>
public sealed class PipelineRunGraphTests : IDisposable
{
    private readonly PipelineFixture _f = new();

    public void Dispose() => _f.Dispose();

    private const string Yaml = """
        name: states
        steps:
          first:
            run: echo first
          broken:
            run: exit 2
            needs: [first]
          after:
            run: echo after
            needs: [broken]
          aside:
            run: echo aside
        """;

    [Fact]
    public async Task AFailedRun_HasEveryStepOfItsDefinition_WithItsStateAndEdges_ThenTheCachedRerun()
    {
        var pipeline = _f.Write(Yaml);
        var failed = await _f.RunAsync(pipeline, new PipelineRunOptions { Parallel = 1 });
        // Read with the stores only, as the server's UI does.
        var history = new PipelineHistory(_f.Client.Tracking, _f.Client.Artifacts);
        var graph = PipelineRunGraph.Of(await history.ShowAsync(failed.PipelineRunId, CancellationToken.None));

        Assert.True(graph.FromDefinition);
        Assert.Equal(["first", "broken", "after", "aside"], graph.Nodes.Select(n => n.Step));
        Assert.Equal([StepState.Succeeded, StepState.Failed, StepState.Skipped, StepState.Succeeded], graph.Nodes.Select(n => n.State));
        Assert.Null(graph.Nodes.Single(n => n.Step == "after").Run);
        Assert.Equal([new PipelineRunEdge("first", "broken"), new PipelineRunEdge("broken", "after")], graph.Edges);

        var again = await _f.RunAsync(pipeline, new PipelineRunOptions { Parallel = 1 });
        var view = await history.ShowAsync(again.PipelineRunId, CancellationToken.None);
        var first = view.Steps.Single(s => s.Step == "first");
        Assert.Equal(StepState.Cached, first.State);
        Assert.Equal(failed.Steps.Single(s => s.Step == "first").RunId, first.CachedFrom);
        Assert.Equal(first.CachedFrom, first.ArtifactsRunId); // its log lives with the run that computed it
        Assert.Equal(StepState.Failed, PipelineRunGraph.Of(view).Nodes.Single(n => n.Step == "broken").State);
    }

    [Fact]
    public async Task WithoutADefinition_TheStepRunsAreTheNodes_WithoutEdges()
    {
        var failed = await _f.RunAsync(_f.Write(Yaml), new PipelineRunOptions { Parallel = 1 });
        var view = await new PipelineHistory(_f.Client).ShowAsync(failed.PipelineRunId, CancellationToken.None);
        var graph = PipelineRunGraph.Of(view with { Definition = null });
        Assert.False(graph.FromDefinition);
        Assert.Empty(graph.Edges);
        Assert.Equal(["aside", "broken", "first"], graph.Nodes.Select(n => n.Step).Order());
    }
}
