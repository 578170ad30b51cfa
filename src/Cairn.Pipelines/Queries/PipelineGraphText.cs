using System.Text;

namespace Cairn.Pipelines;

/// <summary>The DAG for people (one line per step, with what it waits for) and for Graphviz (DOT).</summary>
public static class PipelineGraphText
{
    public static string Text(PipelineGraph graph)
    {
        var text = new StringBuilder();
        foreach (var step in graph.Order)
        {
            var ups = graph.Upstream(step.Name);
            text.Append(step.Name).Append(" [").Append(step.Uses ?? step.Kind.ToString().ToLowerInvariant()).Append(']');
            if (ups.Count > 0) text.Append(" <- ").Append(string.Join(", ", ups));
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <param name="states">Optional state per step (from a run), shown as the node's colour.</param>
    public static string Dot(PipelineGraph graph, IReadOnlyDictionary<string, string>? states = null)
    {
        static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
        var text = new StringBuilder().Append("digraph ").Append(Quote(graph.Pipeline.Name)).Append(" {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n");
        foreach (var step in graph.Order)
        {
            var label = step.Name + "\\n" + (step.Uses ?? step.Kind.ToString().ToLowerInvariant());
            text.Append("  ").Append(Quote(step.Name)).Append(" [label=").Append(Quote(label).Replace("\\\\n", "\\n", StringComparison.Ordinal));
            if (states is not null && states.TryGetValue(step.Name, out var state))
                text.Append(", style=\"rounded,filled\", fillcolor=").Append(Quote(state switch
                {
                    "succeeded" or "finished" => "palegreen", "cached" or "reused" => "lightblue", "failed" or "killed" => "salmon", "running" => "khaki", _ => "white",
                }));
            text.Append("];\n");
        }
        foreach (var step in graph.Order)
            foreach (var up in graph.Upstream(step.Name))
                text.Append("  ").Append(Quote(up)).Append(" -> ").Append(Quote(step.Name)).Append(";\n");
        return text.Append("}\n").ToString();
    }
}
