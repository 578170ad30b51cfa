using Google.Protobuf;
using Onnx;

namespace Cairn.Models;

/// <summary>
/// The ONNX graph a server runs: the package's graph with rewrites that change how fast it runs,
/// never what it computes. ML.NET's exporter writes graphs that are correct but slow to run:
/// every intermediate column is a graph output, and columns are joined by FeatureVectorizer.
/// </summary>
public static class OnnxServingGraph
{
    /// <summary>The rewritten model (and whether FeatureVectorizers were replaced), or null when nothing would change or the graph is one this does not rewrite.</summary>
    /// <param name="modelPath">The path of the package's .onnx file.</param>
    /// <param name="keepOutput">Whether a graph output (by its graph name) is kept; null keeps them all.</param>
    /// <param name="joinWithConcat">Whether to replace FeatureVectorizer nodes by Reshape + Concat.</param>
    public static (byte[] Model, bool Joined)? Rewrite(string modelPath, Func<string, bool>? keepOutput, bool joinWithConcat)
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
        // Weights in side files are found relative to the model's path, and a subgraph (If, Loop,
        // Scan) can read outer values without naming them as inputs: leave such graphs as they are.
        if (graph is null
            || graph.Initializer.Any(t => t.DataLocation == TensorProto.Types.DataLocation.External)
            || graph.Node.Any(n => n.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0)))
            return null;
        var pruned = keepOutput is not null && OnnxOutputPruning.Prune(graph, keepOutput);
        var joined = joinWithConcat && FeatureVectorizerAsConcat.Rewrite(model);
        return pruned || joined ? (model.ToByteArray(), joined) : null;
    }
}
