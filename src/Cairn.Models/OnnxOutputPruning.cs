using Google.Protobuf;
using Onnx;

namespace Cairn.Models;

/// <summary>
/// Rewrites an ONNX graph to keep only the outputs a package's signature names, and the nodes
/// and initializers they need. ML.NET's exporter makes every intermediate column a graph output
/// (the 450-wide feature vector, each one-hot block, the inputs again), and ONNX Runtime copies
/// every graph output on every run whether or not the caller fetches it: on the flights model
/// that is 10-25% of a large batch's time.
/// </summary>
public static class OnnxOutputPruning
{
    /// <summary>The pruned model, or null when nothing would change or the graph is one this does not rewrite (external weights, subgraphs).</summary>
    /// <param name="keep">Whether a graph output (by its graph name) is kept.</param>
    public static byte[]? Prune(string modelPath, Func<string, bool> keep)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
        }
        catch (InvalidProtocolBufferException)
        {
            return null; // ONNX Runtime gives the better error when it loads the file itself.
        }
        var graph = model.Graph;
        if (graph is null || !graph.Output.Any(o => keep(o.Name)) || graph.Output.All(o => keep(o.Name))) return null;
        // Weights in side files are found relative to the model's path, and a subgraph (If, Loop,
        // Scan) can read outer values without naming them as inputs: leave such graphs as they are.
        if (graph.Initializer.Any(t => t.DataLocation == TensorProto.Types.DataLocation.External)
            || graph.Node.Any(n => n.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0)))
            return null;

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
        return model.ToByteArray();
    }
}
