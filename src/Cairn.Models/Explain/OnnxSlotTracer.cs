using Onnx;

namespace Cairn.Models.Explain;

/// <summary>
/// Which input columns each value of a feature vector is computed from, found by following the
/// graph's nodes rather than by running them: a one-hot block depends on the column it encodes, a
/// FeatureVectorizer or Concat lays its inputs side by side, elementwise ops keep slots where they
/// are. An op not known here makes each of its outputs depend on all of its inputs, which is
/// never wrong, only coarser.
/// </summary>
internal static class OnnxSlotTracer
{
    /// <summary>What a value depends on: per slot when known, else the same columns for every slot.</summary>
    private sealed record Sources(int[] All, int? Width, int[][]? Slots = null)
    {
        public static Sources Uniform(IEnumerable<int> columns, int? width) => new([.. columns.Distinct().Order()], width);

        public static Sources PerSlot(int[][] slots) => new([.. slots.SelectMany(s => s).Distinct().Order()], slots.Length, slots);

        /// <summary>The sources of <paramref name="width"/> slots: the known ones if they number that many, else all columns for each.</summary>
        public int[][] Expand(int width) => Slots is { } s && s.Length == width ? s : [.. Enumerable.Repeat(All, width)];
    }

    private static readonly HashSet<string> Elementwise =
    [
        "Identity", "Cast", "CastLike", "LabelEncoder", "Imputer", "Scaler", "Binarizer", "Abs", "Neg", "Sqrt", "Exp", "Log", "Floor", "Ceil",
        "Round", "Sign", "Relu", "Sigmoid", "Clip", "Not", "IsNaN", "IsInf", "Reciprocal",
    ];

    private static readonly HashSet<string> Broadcasting = ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "And", "Or", "Xor", "Where"];

    /// <summary>Row-preserving reshapes: with the batch first, a row's values keep their order.</summary>
    private static readonly HashSet<string> Reshapes = ["Reshape", "Flatten", "Squeeze", "Unsqueeze"];

    /// <summary>Per slot of <paramref name="value"/> (a row of <paramref name="width"/> values): the indices of the <paramref name="columns"/> it depends on.</summary>
    /// <param name="graph">The whole graph (for declarations and initializers).</param>
    /// <param name="nodes">The nodes computing the value, in graph order.</param>
    /// <param name="columns">The graph inputs that are input columns; other inputs (a label, say) are treated as constants.</param>
    /// <param name="value">The traced value (the ensemble's input).</param>
    /// <param name="width">Its values per row.</param>
    public static int[][] Trace(GraphProto graph, IEnumerable<NodeProto> nodes, IReadOnlyList<string> columns, string value, int width)
    {
        var declared = OnnxSubgraph.Declarations(graph);
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var sources = new Dictionary<string, Sources>();
        foreach (var input in graph.Input)
        {
            var column = columns.ToList().IndexOf(input.Name);
            sources[input.Name] = Sources.Uniform(column >= 0 ? [column] : [], WidthOf(declared(input.Name)));
        }
        Sources Of(string name) => sources.TryGetValue(name, out var s) ? s : Sources.Uniform([], null); // an initializer or an absent optional input

        foreach (var node in nodes)
        {
            var inputs = node.Input.Where(i => i.Length > 0).Select(Of).ToList();
            var traced = node.Output.Count == 1 && inputs.Count > 0 ? Follow(node, inputs, initializers) : null;
            foreach (var output in node.Output)
            {
                var s = traced ?? Sources.Uniform(inputs.SelectMany(i => i.All), null);
                sources[output] = s.Width is null ? s with { Width = WidthOf(declared(output)) } : s;
            }
        }
        return Of(value).Expand(width);
    }

    /// <summary>The sources of a node's one output, or null for an op not known here.</summary>
    private static Sources? Follow(NodeProto node, List<Sources> inputs, Dictionary<string, TensorProto> initializers)
    {
        var first = inputs[0];
        if (node.Domain is "" or "ai.onnx" && (Elementwise.Contains(node.OpType) || Reshapes.Contains(node.OpType))
            || node.Domain == "ai.onnx.ml" && Elementwise.Contains(node.OpType))
        {
            // Other inputs (Clip's bounds, Reshape's shape) are constants in the graphs exporters write.
            var rest = inputs.Skip(1).SelectMany(i => i.All).ToHashSet();
            return rest.Count == 0 ? first : null;
        }
        if (Broadcasting.Contains(node.OpType) && node.Domain is "" or "ai.onnx")
        {
            var perSlot = inputs.Where(i => i.Slots is not null).ToList();
            var shared = inputs.Where(i => i.Slots is null).SelectMany(i => i.All).ToList();
            if (perSlot.Count == 0) return Sources.Uniform(shared, inputs.Select(i => i.Width).FirstOrDefault(w => w > 1) ?? first.Width);
            if (perSlot.Any(p => p.Slots!.Length != perSlot[0].Slots!.Length)) return null;
            return Sources.PerSlot([.. Enumerable.Range(0, perSlot[0].Slots!.Length).Select(j => perSlot.SelectMany(p => p.Slots![j]).Concat(shared).Distinct().Order().ToArray())]);
        }
        switch (node.OpType)
        {
            case "OneHotEncoder" when node.Domain == "ai.onnx.ml":
            {
                var categories = Math.Max(Attribute(node, "cats_int64s")?.Ints.Count ?? 0, Attribute(node, "cats_strings")?.Strings.Count ?? 0);
                if (first.Slots is { } slots) return Sources.PerSlot([.. slots.SelectMany(s => Enumerable.Repeat(s, categories))]);
                return Sources.Uniform(first.All, first.Width * categories);
            }
            case "FeatureVectorizer" when node.Domain == "ai.onnx.ml":
            {
                var widths = Attribute(node, "inputdimensions")?.Ints;
                if (widths is null || widths.Count != inputs.Count) return null;
                return Sources.PerSlot([.. inputs.SelectMany((input, i) => input.Expand((int)widths[i]))]);
            }
            case "Concat" when node.Domain is "" or "ai.onnx":
            {
                // Along the last axis of rows whose other axes are 1 ([rows, width] or [rows, 1, width]): slots side by side.
                var axis = Attribute(node, "axis")?.I;
                if (axis is not (1 or -1) || inputs.Any(i => i.Width is null)) return null;
                return Sources.PerSlot([.. inputs.SelectMany(i => i.Expand(i.Width!.Value))]);
            }
            case "Gather" when node.Domain is "" or "ai.onnx":
            {
                if (Attribute(node, "axis")?.I is not (1 or -1) || node.Input.Count < 2 || !initializers.TryGetValue(node.Input[1], out var indices) || first.Width is not { } width) return null;
                var picked = indices.Int64Data.Count > 0 ? indices.Int64Data.ToList() : indices.Int32Data.Select(i => (long)i).ToList();
                if (picked.Count == 0 && indices.RawData.Length > 0)
                    picked = indices.DataType == (int)TensorProto.Types.DataType.Int32
                        ? [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(indices.RawData.Span).ToArray().Select(i => (long)i)]
                        : [.. System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(indices.RawData.Span).ToArray()];
                if (picked.Any(i => i < -width || i >= width)) return null;
                var slots = first.Expand(width);
                return Sources.PerSlot([.. picked.Select(i => slots[i < 0 ? i + width : i])]);
            }
            default:
                return null;
        }
    }

    private static AttributeProto? Attribute(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name);

    /// <summary>Values per row of a declared tensor (the product of its dimensions after the batch), or null when a dimension is not a number.</summary>
    private static int? WidthOf(ValueInfoProto? info)
    {
        var dims = info?.Type?.TensorType?.Shape?.Dim;
        if (dims is null || dims.Count == 0) return null;
        long width = 1;
        foreach (var dim in dims.Skip(1))
        {
            if (dim.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || dim.DimValue <= 0) return null;
            width *= dim.DimValue;
        }
        return (int)width;
    }
}
