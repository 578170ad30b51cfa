using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace Cairn.Models.Explain;

/// <summary>
/// An ONNX model seen as TreeSHAP sees it: the one tree ensemble behind the explained output, a
/// head that computes the ensemble's feature vector from input rows (the graph's encoders, run by
/// ONNX Runtime), and which input column each vector slot comes from.
/// </summary>
/// <remarks>
/// Players are the model's input columns. A slot computed from several columns (an op mixing
/// them) ties those columns together: they become one player named by their names joined with
/// <c>+</c> (for example <c>Origin+Destination</c>), since their effects cannot be told apart from
/// the vector. The explained output is the first graph output that is a tree ensemble's output
/// passed through unchanged (Identity, Cast, Reshape): for an ML.NET binary classifier its
/// <c>Score</c> (the margin; <c>Probability</c> comes from a calibrator after it), for a classifier
/// its probability of the explained class (in log-odds when the node applies LOGISTIC). Vectors
/// are read as floats: a double input holding values no float equals may split differently than
/// in ONNX Runtime, which <see cref="EnsureReproduces"/> reports rather than lets through.
/// </remarks>
public sealed class OnnxTreeModel : IDisposable
{
    private const string FeaturesValue = "cairn.explain.features";

    private readonly InferenceSession _head;
    private readonly InferenceSession _whole;
    private readonly HashSet<string> _required;
    private readonly string _graphOutput;
    private readonly int _column;

    /// <summary>The trees behind the explained output, over vectors of <see cref="TreeEnsemble.FeatureCount"/> values.</summary>
    public TreeEnsemble Ensemble { get; }
    /// <summary>The players: input columns, or columns tied together as <c>a+b</c>.</summary>
    public IReadOnlyList<string> Features { get; }
    /// <summary>Per vector slot: the player (index into <see cref="Features"/>) it belongs to; slots that no column feeds (constants) are given to player 0, where they change nothing.</summary>
    public int[] GroupOf { get; }
    /// <summary>One of <see cref="ExplainLinks"/>: how the ensemble's raw output relates to the explained output.</summary>
    public string Link { get; }
    /// <summary>The explained output: its name (without ML.NET's <c>.output</c>), with <c>[column]</c> when it has several columns (a classifier's probabilities).</summary>
    public string OutputName { get; }

    private OnnxTreeModel(InferenceSession head, InferenceSession whole, HashSet<string> required, string graphOutput, int column,
        TreeEnsemble ensemble, IReadOnlyList<string> features, int[] groupOf, string link, string outputName)
    {
        (_head, _whole, _required, _graphOutput, _column) = (head, whole, required, graphOutput, column);
        (Ensemble, Features, GroupOf, Link, OutputName) = (ensemble, features, groupOf, link, outputName);
    }

    /// <summary>Reads a model file; null when its graph has no tree ensemble.</summary>
    /// <inheritdoc cref="TryLoad(byte[], ModelSignature?, int?)"/>
    public static OnnxTreeModel? TryLoad(string path, ModelSignature? signature, int? target = null) => TryLoad(File.ReadAllBytes(path), signature, target);

    /// <summary>Reads a model; null when its graph has no tree ensemble.</summary>
    /// <param name="modelBytes">The ONNX model.</param>
    /// <param name="signature">The package's signature: its inputs are the columns explained (all graph inputs when it lists none).</param>
    /// <param name="target">The regressor's target or the classifier's class to explain; null: target 0, or the last class (a binary classifier's positive one).</param>
    /// <exception cref="CairnException">The graph is not valid ONNX, or its explained output is not one tree ensemble's output in a form Cairn reads (the message names the node or attribute).</exception>
    public static OnnxTreeModel? TryLoad(byte[] modelBytes, ModelSignature? signature, int? target = null)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(modelBytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw CairnException.InvalidParameter($"The model is not a valid ONNX file: {e.Message}");
        }
        var graph = model.Graph;
        var trees = graph.Node.Where(OnnxTreeEnsembles.IsTreeEnsemble).ToList();
        if (trees.Count == 0) return null;
        var (node, graphOutput) = ExplainedOutput(graph, trees);
        var read = OnnxTreeEnsembles.Read(node, target);

        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        var graphInputs = graph.Input.Where(i => !initializers.Contains(i.Name)).Select(i => i.Name).ToList();
        var columns = signature is { Inputs.Count: > 0 } ? signature.Inputs.Select(c => c.Name).ToList() : graphInputs;
        var features = node.Input[0];
        var head = OnnxSubgraph.Upstream(graph, [features]);
        // The vector as float rows, whatever type and shape the ensemble reads it in.
        head.Add(Node("Cast", [features], FeaturesValue + ".float", new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float }));
        head.Add(Node("Flatten", [FeaturesValue + ".float"], FeaturesValue, new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 }));
        var options = new SessionOptions { IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        InferenceSession? headSession = null, whole = null;
        try
        {
            headSession = new InferenceSession(OnnxSubgraph.Of(model, head, [OnnxSubgraph.FloatTensor(FeaturesValue, -1, -1)]).ToByteArray(), options);
            whole = new InferenceSession(modelBytes, options);
            var width = VectorWidth(headSession) ?? read.Ensemble.FeatureCount;
            if (width < read.Ensemble.FeatureCount)
                throw CairnException.InvalidParameter($"The {node.OpType} node '{node.Name}' reads feature {read.Ensemble.FeatureCount - 1}, but its input '{features}' has {width} values a row.");
            var ensemble = new TreeEnsemble { Trees = read.Ensemble.Trees, BaseValue = read.Ensemble.BaseValue, FeatureCount = width };
            var slots = OnnxSlotTracer.Trace(graph, head, columns, features, width);
            var (players, groupOf) = Players(columns, slots);
            var columnsOut = whole.OutputMetadata[graphOutput].Dimensions.Skip(1).Aggregate(1, (a, d) => a * Math.Max(d, 1));
            var name = graphOutput.EndsWith(".output", StringComparison.Ordinal) ? graphOutput[..^".output".Length] : graphOutput;
            return new OnnxTreeModel(headSession, whole, columns.Where(graphInputs.Contains).ToHashSet(), graphOutput, read.Column, ensemble, players, groupOf,
                read.Link, columnsOut > 1 ? $"{name}[{read.Column}]" : name);
        }
        catch (OnnxRuntimeException e)
        {
            headSession?.Dispose();
            whole?.Dispose();
            throw CairnException.InvalidParameter($"ONNX Runtime cannot load the model (or the part of it before its tree ensemble): {e.Message}");
        }
        catch
        {
            headSession?.Dispose();
            whole?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The tree ensemble node and the graph output explained: the first graph output that is an
    /// ensemble's score (a regressor's output, a classifier's probabilities) passed through ops
    /// that do not change values.
    /// </summary>
    private static (NodeProto Node, string Output) ExplainedOutput(GraphProto graph, List<NodeProto> trees)
    {
        var producer = new Dictionary<string, NodeProto>();
        foreach (var node in graph.Node)
            foreach (var output in node.Output) producer[output] = node;
        foreach (var output in graph.Output)
        {
            var value = output.Name;
            while (producer.TryGetValue(value, out var node) && node.OpType is "Identity" or "Cast" or "Reshape" or "Flatten" or "Squeeze" or "Unsqueeze" && node.Domain is "" or "ai.onnx")
                value = node.Input[0];
            if (!producer.TryGetValue(value, out var tree) || !trees.Contains(tree)) continue;
            if (!OnnxTreeEnsembles.OpTypes.Contains(tree.OpType)) OnnxTreeEnsembles.Read(tree); // throws, naming the op
            if (value == tree.Output[tree.OpType == "TreeEnsembleClassifier" ? 1 : 0]) return (tree, output.Name);
        }
        // No output is an ensemble's score as it is: say why.
        foreach (var tree in trees.Where(t => !OnnxTreeEnsembles.OpTypes.Contains(t.OpType))) OnnxTreeEnsembles.Read(tree);
        foreach (var output in graph.Output)
        {
            var behind = OnnxSubgraph.Upstream(graph, [output.Name]).Where(trees.Contains).ToList();
            if (behind.Count > 1)
                throw CairnException.InvalidParameter(
                    $"Output '{output.Name}' is computed from {behind.Count} tree ensembles ({string.Join(", ", behind.Select(n => $"{n.OpType} '{n.Name}'"))}), which Cairn cannot explain as one ensemble.");
        }
        var zipMap = graph.Node.FirstOrDefault(n => n.OpType == "ZipMap" && trees.Any(t => t.Output.Contains(n.Input[0])));
        throw CairnException.InvalidParameter(zipMap is not null
            ? $"The classifier's probabilities reach the outputs only through ZipMap node '{zipMap.Name}'; export the model without ZipMap (skl2onnx: zipmap=False) to explain it."
            : $"No output of the model is a tree ensemble's output passed through unchanged (the ensembles: {string.Join(", ", trees.Select(n => $"{n.OpType} '{n.Name}'"))}); Cairn cannot tell which output to explain.");
    }

    /// <summary>Players from the columns each slot depends on: columns sharing a slot are merged (union-find), named in column order joined by <c>+</c>.</summary>
    private static (List<string> Players, int[] GroupOf) Players(IReadOnlyList<string> columns, int[][] slots)
    {
        var parent = Enumerable.Range(0, columns.Count).ToArray();
        int Find(int c) => parent[c] == c ? c : parent[c] = Find(parent[c]);
        foreach (var slot in slots)
            foreach (var c in slot.Skip(1)) parent[Find(c)] = Find(slot[0]);
        var roots = Enumerable.Range(0, columns.Count).Select(Find).Distinct().ToList(); // in the order of each group's first column
        var players = roots.Select(r => string.Join("+", Enumerable.Range(0, columns.Count).Where(c => Find(c) == r).Select(c => columns[c]))).ToList();
        var groupOf = slots.Select(s => s.Length == 0 ? 0 : roots.IndexOf(Find(s[0]))).ToArray();
        return (players, groupOf);
    }

    /// <summary>The vector's width as ONNX Runtime types it, or as one row of default values gives it.</summary>
    private static int? VectorWidth(InferenceSession head)
    {
        if (head.OutputMetadata[FeaturesValue].Dimensions is [_, > 0 and var width]) return width;
        try
        {
            using var results = head.Run(OnnxRowFeeds.Feeds(head.InputMetadata, [new Dictionary<string, object?>()], new HashSet<string>()), [FeaturesValue]);
            return (int)results.Single().AsTensor<float>().Length;
        }
        catch (OnnxRuntimeException)
        {
            return null;
        }
    }

    /// <summary>The feature vectors of rows of input values (as <see cref="IModelPredictor.Predict"/> takes them).</summary>
    /// <exception cref="CairnException">A row lacks an input of the signature, or has a value of the wrong type (the message names the row).</exception>
    public float[][] FeatureVectors(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        if (rows.Count == 0) return [];
        using var results = _head.Run(OnnxRowFeeds.Feeds(_head.InputMetadata, rows, _required), [FeaturesValue]);
        var flat = ((DenseTensor<float>)results.Single().Value).Buffer.Span;
        var width = flat.Length / rows.Count;
        if (width != Ensemble.FeatureCount)
            throw CairnException.InvalidParameter($"The model computed {width} features a row; its tree ensemble reads {Ensemble.FeatureCount}.");
        var vectors = new float[rows.Count][];
        for (var r = 0; r < rows.Count; r++) vectors[r] = flat.Slice(r * width, width).ToArray();
        return vectors;
    }

    /// <summary>The explained output as the whole model computes it (in the model's space: a probability, not log-odds).</summary>
    public double[] ModelOutputs(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        if (rows.Count == 0) return [];
        using var results = _whole.Run(OnnxRowFeeds.Feeds(_whole.InputMetadata, rows, _required), [_graphOutput]);
        var flat = TensorArrays.Flatten(results.Single().Value);
        var width = flat.Length / rows.Count;
        return [.. Enumerable.Range(0, rows.Count).Select(r => Convert.ToDouble(flat.GetValue(r * width + _column), System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>
    /// Checks that the ensemble, on the rows' vectors, gives what the whole model outputs (within
    /// 1e-4 relative, after the link's inverse), so that attributions are never given for something
    /// the model does not compute.
    /// </summary>
    /// <exception cref="CairnException">A row where they differ (InvalidState, naming the row and both values).</exception>
    public void EnsureReproduces(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, IReadOnlyList<float[]> vectors)
    {
        var expected = ModelOutputs(rows);
        for (var r = 0; r < rows.Count; r++)
        {
            var raw = Ensemble.Predict(vectors[r]);
            var actual = Link == ExplainLinks.Logit ? 1 / (1 + Math.Exp(-raw)) : raw;
            if (!(Math.Abs(actual - expected[r]) <= 1e-4 * Math.Max(1, Math.Abs(expected[r]))))
                throw CairnException.InvalidState(
                    $"The tree ensemble read from the model gives {actual} for row {r} where the model outputs {expected[r]} as '{OutputName}'; Cairn will not attribute an output it does not reproduce.");
        }
    }

    private static NodeProto Node(string op, string[] inputs, string output, AttributeProto attribute)
    {
        var node = new NodeProto { OpType = op, Name = output, Domain = "" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attribute);
        return node;
    }

    /// <summary>Releases the ONNX Runtime sessions.</summary>
    public void Dispose()
    {
        _head.Dispose();
        _whole.Dispose();
    }
}
