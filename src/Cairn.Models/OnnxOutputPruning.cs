using Onnx;

namespace Cairn.Models;

/// <summary>
/// Keeps only the graph outputs a package's signature names, and the nodes and initializers they
/// need. ML.NET's exporter makes every intermediate column a graph output (the 450-wide feature
/// vector, each one-hot block, the inputs again), and ONNX Runtime copies every graph output on
/// every run whether or not the caller fetches it: on the flights model that is 10-25% of a large
/// batch's time.
/// </summary>
internal static class OnnxOutputPruning
{
    /// <returns>Whether the graph changed; it is left alone when no output or every output would be kept.</returns>
    public static bool Prune(GraphProto graph, Func<string, bool> keep)
    {
        if (!graph.Output.Any(o => keep(o.Name)) || graph.Output.All(o => keep(o.Name))) return false;
        foreach (var output in graph.Output.Where(o => !keep(o.Name)).ToList()) graph.Output.Remove(output);
        var needed = new HashSet<string>(graph.Output.Select(o => o.Name));
        // Nodes are topologically sorted (the ONNX spec requires it): walking back from the end
        // keeps a node when something kept reads one of its outputs.
        var kept = new List<NodeProto>();
        foreach (var node in graph.Node.Reverse())
        {
            if (!node.Output.Any(needed.Contains)) continue;
            kept.Add(node);
            foreach (var input in node.Input) needed.Add(input);
        }
        kept.Reverse();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        // An initializer also listed as a graph input is that input's default: removing it would make the input required.
        var inputs = graph.Input.Select(i => i.Name).ToHashSet();
        foreach (var initializer in graph.Initializer.Where(t => !needed.Contains(t.Name) && !inputs.Contains(t.Name)).ToList()) graph.Initializer.Remove(initializer);
        foreach (var info in graph.ValueInfo.Where(v => !needed.Contains(v.Name)).ToList()) graph.ValueInfo.Remove(info);
        return true;
    }
}
