using Google.Protobuf;
using Onnx;

namespace Cairn.Models.Tests.Explain;

/// <summary>Small ONNX graphs built by hand for the explainer's tests.</summary>
internal static class OnnxGraphs
{
    public const int F32 = (int)TensorProto.Types.DataType.Float;
    public const int I64 = (int)TensorProto.Types.DataType.Int64;

    /// <summary>One node of a tree: a split (feature, mode, threshold, true child, false child) or a leaf (weight).</summary>
    public sealed record TreeNode(long Tree, long Id, string Mode, long Feature = 0, float Threshold = 0, long True = 0, long False = 0, bool MissingTrue = false, float Weight = 0, long Class = 0);

    public static TreeNode Split(long tree, long id, string mode, long feature, float threshold, long trueId, long falseId, bool missingTrue = false) =>
        new(tree, id, mode, feature, threshold, trueId, falseId, missingTrue);

    public static TreeNode Leaf(long tree, long id, float weight, long @class = 0) => new(tree, id, "LEAF", Weight: weight, Class: @class);

    /// <summary>A tree ensemble node with the nodes listed in the given order; leaves carry their weights as target (or class 0) weights.</summary>
    public static NodeProto Ensemble(string op, IReadOnlyList<TreeNode> nodes, string input, string[] outputs, params AttributeProto[] more)
    {
        var node = new NodeProto { OpType = op, Domain = "ai.onnx.ml", Name = op.ToLowerInvariant() };
        node.Input.Add(input);
        node.Output.AddRange(outputs);
        node.Attribute.Add(Ints("nodes_treeids", nodes.Select(n => n.Tree)));
        node.Attribute.Add(Ints("nodes_nodeids", nodes.Select(n => n.Id)));
        node.Attribute.Add(Ints("nodes_featureids", nodes.Select(n => n.Feature)));
        node.Attribute.Add(Strings("nodes_modes", nodes.Select(n => n.Mode)));
        node.Attribute.Add(Floats("nodes_values", nodes.Select(n => n.Threshold)));
        node.Attribute.Add(Ints("nodes_truenodeids", nodes.Select(n => n.True)));
        node.Attribute.Add(Ints("nodes_falsenodeids", nodes.Select(n => n.False)));
        node.Attribute.Add(Ints("nodes_missing_value_tracks_true", nodes.Select(n => n.MissingTrue ? 1L : 0L)));
        var leaves = nodes.Where(n => n.Mode == "LEAF").ToList();
        var prefix = op == "TreeEnsembleClassifier" ? "class" : "target";
        node.Attribute.Add(Ints($"{prefix}_treeids", leaves.Select(n => n.Tree)));
        node.Attribute.Add(Ints($"{prefix}_nodeids", leaves.Select(n => n.Id)));
        node.Attribute.Add(Ints($"{prefix}_ids", leaves.Select(n => n.Class)));
        node.Attribute.Add(Floats($"{prefix}_weights", leaves.Select(n => n.Weight)));
        node.Attribute.AddRange(more);
        return node;
    }

    public static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Floats(string name, IEnumerable<float> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        attribute.Floats.AddRange(values);
        return attribute;
    }

    public static AttributeProto Strings(string name, IEnumerable<string> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        attribute.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return attribute;
    }

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static NodeProto Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    public static ValueInfoProto Tensor(string name, int elementType, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(d < 0 ? new TensorShapeProto.Types.Dimension { DimParam = "N" } : new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = shape } } };
    }

    /// <summary>A model of the given inputs, nodes and outputs (opset 15, ai.onnx.ml 3).</summary>
    public static byte[] Model(IEnumerable<ValueInfoProto> inputs, IEnumerable<NodeProto> nodes, IEnumerable<ValueInfoProto> outputs, params TensorProto[] initializers)
    {
        var model = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "g" } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 15 });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx.ml", Version = 3 });
        model.Graph.Input.AddRange(inputs);
        model.Graph.Node.AddRange(nodes);
        model.Graph.Output.AddRange(outputs);
        model.Graph.Initializer.AddRange(initializers);
        return model.ToByteArray();
    }
}
