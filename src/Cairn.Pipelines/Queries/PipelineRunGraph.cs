using Cairn.Tracking;

namespace Cairn.Pipelines;

/// <summary>One step of a pipeline run as a node of its DAG: its state, and its run when it has one.</summary>
public sealed record PipelineRunNode(string Step, StepState State, StepRunView? Run);

/// <summary>An edge of the DAG: <paramref name="To"/> needs <paramref name="From"/>.</summary>
public sealed record PipelineRunEdge(string From, string To);

/// <summary>
/// The DAG of a pipeline run with each step's state: the steps and edges of the definition the run
/// recorded, with the steps that have no run marked pending (the run goes on) or skipped (it
/// ended). Without a definition (a C# pipeline, or one that no longer parses) the nodes are the
/// step runs, without edges.
/// </summary>
/// <param name="FromDefinition">Whether the nodes and edges come from the recorded definition (else only from the step runs).</param>
public sealed record PipelineRunGraph(IReadOnlyList<PipelineRunNode> Nodes, IReadOnlyList<PipelineRunEdge> Edges, bool FromDefinition)
{
    public static PipelineRunGraph Of(PipelineRunView view)
    {
        var runs = view.Steps.ToDictionary(s => s.Step, StringComparer.Ordinal);
        var graph = Recorded(view.Definition);
        if (graph is null)
            return new PipelineRunGraph(view.Steps.Select(s => new PipelineRunNode(s.Step, s.State, s)).ToList(), [], false);
        var notRun = view.Run.Info.Status is RunStatus.Running or RunStatus.Scheduled ? StepState.Pending : StepState.Skipped;
        var nodes = graph.Order.Select(s => runs.TryGetValue(s.Name, out var r) ? new PipelineRunNode(s.Name, r.State, r) : new PipelineRunNode(s.Name, notRun, null)).ToList();
        // A step run the definition does not name (the store was written by something else) is still shown.
        var named = graph.Order.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        nodes.AddRange(view.Steps.Where(s => !named.Contains(s.Step)).Select(s => new PipelineRunNode(s.Step, s.State, s)));
        var edges = graph.Order.SelectMany(s => graph.Upstream(s.Name).Select(up => new PipelineRunEdge(up, s.Name))).ToList();
        return new PipelineRunGraph(nodes, edges, true);
    }

    /// <summary>
    /// The graph of a definition that already ran. The step kinds it uses are taken as known: the
    /// ones this process has wired do not matter for drawing what ran elsewhere.
    /// </summary>
    private static PipelineGraph? Recorded(PipelineDefinition? definition)
    {
        if (definition is null) return null;
        try
        {
            return PipelineGraph.Build(definition, definition.Steps.Select(s => s.Uses).OfType<string>().ToHashSet(StringComparer.Ordinal));
        }
        catch (CairnException e) when (!e.IsInternal)
        {
            return null;
        }
    }
}
