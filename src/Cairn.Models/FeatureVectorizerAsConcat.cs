using Onnx;

namespace Cairn.Models;

/// <summary>
/// Replaces each FeatureVectorizer (ai.onnx.ml) by Cast + Reshape to [rows, width] + Concat on
/// axis 1. They compute the same float matrix when every input holds the width its
/// <c>inputdimensions</c> entry says, which is how ML.NET's exporter writes them (its one-hot
/// blocks come as [rows, 1, width]); ONNX Runtime's FeatureVectorizer copies value by value and
/// was a fifth of the flights model's time, Concat copies rows of memory. Where an input's width
/// differs, Reshape or Concat fails rather than computing something else, and
/// <see cref="OnnxPredictor"/> checks the rewritten graph against the original at load.
/// </summary>
internal static class FeatureVectorizerAsConcat
{
    public static bool Rewrite(ModelProto model)
    {
        // Reshape takes its shape as an input from opset 5 on.
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0;
        var graph = model.Graph;
        var targets = graph.Node.Where(n => n.OpType == "FeatureVectorizer").ToList();
        if (opset < 5) return false;
        var changed = false;
        foreach (var node in targets)
        {
            var widths = node.Attribute.FirstOrDefault(a => a.Name == "inputdimensions")?.Ints;
            if (widths is null || widths.Count != node.Input.Count || widths.Any(w => w <= 0)) continue;
            var replacement = new List<NodeProto>();
            var columns = new List<string>();
            for (var i = 0; i < node.Input.Count; i++)
            {
                var prefix = $"cairn.{node.Output[0]}.{i}";
                var shape = new TensorProto { Name = prefix + ".shape", DataType = (int)TensorProto.Types.DataType.Int64 };
                shape.Dims.Add(2);
                shape.Int64Data.Add([-1, widths[i]]);
                graph.Initializer.Add(shape);
                // FeatureVectorizer outputs float whatever its inputs hold; a float-to-float Cast is removed by ONNX Runtime.
                replacement.Add(Node("Cast", [node.Input[i]], prefix + ".float", new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float }));
                replacement.Add(Node("Reshape", [prefix + ".float", shape.Name], prefix + ".rows"));
                columns.Add(prefix + ".rows");
            }
            replacement.Add(Node("Concat", columns, node.Output[0], new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 }));
            var at = graph.Node.IndexOf(node);
            graph.Node.RemoveAt(at);
            for (var i = 0; i < replacement.Count; i++) graph.Node.Insert(at + i, replacement[i]);
            changed = true;
        }
        return changed;
    }

    private static NodeProto Node(string op, IEnumerable<string> inputs, string output, AttributeProto? attribute = null)
    {
        var node = new NodeProto { OpType = op, Name = output + "." + op, Domain = "" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        if (attribute is not null) node.Attribute.Add(attribute);
        return node;
    }
}
