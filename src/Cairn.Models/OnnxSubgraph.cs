using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Cairn.Models;

/// <summary>Cutting a part out of an ONNX graph, to run it on its own in ONNX Runtime (the head before a tree ensemble, the tail after it).</summary>
internal static class OnnxSubgraph
{
    /// <summary>A copy of <paramref name="model"/> (inputs, initializers, opsets) that runs only <paramref name="nodes"/> and returns <paramref name="outputs"/>.</summary>
    public static ModelProto Of(ModelProto model, IEnumerable<NodeProto> nodes, IEnumerable<ValueInfoProto> outputs)
    {
        var part = model.Clone();
        part.Graph.Node.Clear();
        part.Graph.Node.AddRange(nodes.Select(n => n.Clone()));
        part.Graph.Output.Clear();
        part.Graph.Output.AddRange(outputs);
        return part;
    }

    /// <summary>
    /// The nodes <paramref name="values"/> are computed from, in graph order (nodes are
    /// topologically sorted, as the ONNX spec requires, so one backward pass finds them).
    /// </summary>
    public static List<NodeProto> Upstream(GraphProto graph, IEnumerable<string> values)
    {
        var needed = values.ToHashSet();
        var kept = new List<NodeProto>();
        for (var i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (!node.Output.Any(needed.Contains)) continue;
            kept.Add(node);
            needed.UnionWith(node.Input.Where(v => v.Length > 0));
        }
        kept.Reverse();
        return kept;
    }

    /// <summary>The declaration of each value the graph declares (value_info, outputs, inputs), by name.</summary>
    public static Func<string, ValueInfoProto?> Declarations(GraphProto graph)
    {
        var known = graph.ValueInfo.Concat(graph.Output).Concat(graph.Input).GroupBy(v => v.Name).ToDictionary(g => g.Key, g => g.First());
        return name => known.TryGetValue(name, out var info) ? info.Clone() : null;
    }

    /// <summary>A float tensor's declaration; a negative dimension is left symbolic.</summary>
    public static ValueInfoProto FloatTensor(string name, params long[] dims) => TensorInfo(name, (int)TensorProto.Types.DataType.Float, dims);

    /// <summary>A declaration with the type ONNX Runtime gave a value.</summary>
    public static ValueInfoProto TensorInfo(string name, NodeMetadata meta) => TensorInfo(name, (int)meta.ElementDataType, [.. meta.Dimensions.Select(d => (long)d)]);

    /// <summary>A tensor's declaration; a negative dimension is left symbolic.</summary>
    public static ValueInfoProto TensorInfo(string name, int elementType, long[] dims)
    {
        var shape = new TensorShapeProto();
        for (var i = 0; i < dims.Length; i++)
            shape.Dim.Add(dims[i] >= 0 ? new TensorShapeProto.Types.Dimension { DimValue = dims[i] } : new TensorShapeProto.Types.Dimension { DimParam = $"{name}_{i}" });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = shape } } };
    }
}
