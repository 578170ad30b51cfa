using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace Cairn.Models;

/// <summary>
/// A graph whose tree ensemble is scored by <see cref="TreeEnsembleScorer"/>: ONNX Runtime runs
/// the nodes the ensemble does not depend on (the head: encoders, the feature vector), the scorer
/// runs the ensemble, and ONNX Runtime runs the nodes after it (the tail: a sigmoid, a binarizer).
/// </summary>
internal sealed class TreeEnsembleSplitSession : IDisposable
{
    private readonly InferenceSession _head;
    private readonly InferenceSession? _tail;
    private readonly TreeEnsembleScorer _scorer;
    private readonly string _features;
    private readonly string _score;
    private readonly List<string> _headValuesForTail;
    private readonly HashSet<string> _tailOutputs;

    private TreeEnsembleSplitSession(InferenceSession head, InferenceSession? tail, TreeEnsembleScorer scorer, string features, string score, List<string> headValuesForTail)
    {
        (_head, _tail, _scorer, _features, _score, _headValuesForTail) = (head, tail, scorer, features, score, headValuesForTail);
        _tailOutputs = tail?.OutputMetadata.Keys.ToHashSet() ?? [];
    }

    /// <summary>The split graph, or null when it has no single tree ensemble the scorer reproduces, or ONNX Runtime refuses a part.</summary>
    public static TreeEnsembleSplitSession? TryCreate(byte[] modelBytes, SessionOptions options)
    {
        var model = ModelProto.Parser.ParseFrom(modelBytes);
        var graph = model.Graph;
        // A subgraph (If, Loop, Scan) can read outer values without naming them as inputs, so it cannot be cut safely.
        if (graph.Node.Any(n => n.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0))) return null;
        var ensembles = graph.Node.Where(n => n.OpType.StartsWith("TreeEnsemble", StringComparison.Ordinal)).ToList();
        if (ensembles.Count != 1 || TreeEnsembleScorer.TryCompile(ensembles[0]) is not { } scorer) return null;
        var ensemble = ensembles[0];
        var (features, score) = (ensemble.Input[0], ensemble.Output[0]);

        // Nodes are topologically sorted (the ONNX spec requires it), so one pass finds everything downstream of the score.
        var downstream = new HashSet<string> { score };
        var head = new List<NodeProto>();
        var tail = new List<NodeProto>();
        foreach (var node in graph.Node.Where(n => n != ensemble))
        {
            if (node.Input.Any(downstream.Contains))
            {
                tail.Add(node);
                downstream.UnionWith(node.Output);
            }
            else head.Add(node);
        }
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        var graphInputs = graph.Input.ToDictionary(i => i.Name);
        var tailReads = tail.SelectMany(n => n.Input).Where(v => v.Length > 0 && !downstream.Contains(v)).Distinct().ToList();
        var headValuesForTail = tailReads.Where(v => !initializers.Contains(v) && !graphInputs.ContainsKey(v)).ToList();
        var known = graph.ValueInfo.Concat(graph.Output).Concat(graph.Input).GroupBy(v => v.Name).ToDictionary(g => g.Key, g => g.First());
        ValueInfoProto Info(string name) => known.TryGetValue(name, out var info) ? info : new ValueInfoProto { Name = name };

        InferenceSession? headSession = null, tailSession = null;
        try
        {
            var headModel = model.Clone();
            headModel.Graph.Node.Clear();
            headModel.Graph.Node.AddRange(head.Select(n => n.Clone()));
            headModel.Graph.Output.Clear();
            headModel.Graph.Output.Add(known.ContainsKey(features) ? Info(features).Clone() : FloatTensor(features, -1, -1));
            headModel.Graph.Output.AddRange(headValuesForTail.Where(v => v != features).Select(v => Info(v).Clone()));
            headModel.Graph.Output.AddRange(graph.Output.Where(o => !downstream.Contains(o.Name) && o.Name != features && !headValuesForTail.Contains(o.Name)).Select(o => o.Clone()));
            headSession = new InferenceSession(headModel.ToByteArray(), options);
            if (headSession.OutputMetadata[features].ElementType != typeof(float))
            {
                headSession.Dispose();
                return null;
            }

            var tailOutputs = graph.Output.Where(o => downstream.Contains(o.Name) && o.Name != score).ToList();
            if (tailOutputs.Count > 0)
            {
                var tailModel = model.Clone();
                var tailGraph = tailModel.Graph;
                tailGraph.Node.Clear();
                tailGraph.Node.AddRange(tail.Select(n => n.Clone()));
                tailGraph.Input.Clear();
                tailGraph.Input.Add(FloatTensor(score, -1, 1));
                // A value the head computes goes in with the type ONNX Runtime gave it there.
                tailGraph.Input.AddRange(headValuesForTail.Select(v => TensorInfo(v, headSession.OutputMetadata[v])));
                tailGraph.Input.AddRange(tailReads.Where(graphInputs.ContainsKey).Select(v => graphInputs[v].Clone()));
                var kept = tailReads.Where(initializers.Contains).ToHashSet();
                foreach (var unused in tailGraph.Initializer.Where(t => !kept.Contains(t.Name)).ToList()) tailGraph.Initializer.Remove(unused);
                tailGraph.ValueInfo.Clear();
                tailGraph.Output.Clear();
                tailGraph.Output.AddRange(tailOutputs.Select(o => o.Clone()));
                tailSession = new InferenceSession(tailModel.ToByteArray(), options);
            }
            return new TreeEnsembleSplitSession(headSession, tailSession, scorer, features, score, headValuesForTail);
        }
        catch (OnnxRuntimeException)
        {
            // A part ONNX Runtime will not load (an intermediate it cannot type, say): the whole graph runs as it is.
            headSession?.Dispose();
            tailSession?.Dispose();
            return null;
        }
    }

    /// <summary>Runs the graph on <paramref name="rows"/> rows; the named outputs' values, flattened.</summary>
    public List<(string Name, Array Values)> Run(IReadOnlyList<NamedOnnxValue> inputs, int rows, IReadOnlyList<string> outputNames)
    {
        var fromHead = outputNames.Where(n => _head.OutputMetadata.ContainsKey(n)).ToList();
        using var headResults = _head.Run(inputs.Where(i => _head.InputMetadata.ContainsKey(i.Name)).ToList(), new[] { _features }.Concat(_headValuesForTail).Concat(fromHead).Distinct().ToList());
        var byName = headResults.ToDictionary(r => r.Name);
        var features = (DenseTensor<float>)byName[_features].Value;
        var scores = new float[rows];
        _scorer.Score(features.Buffer.Span, rows == 0 ? 0 : (int)(features.Length / rows), scores);

        var values = new Dictionary<string, Array> { [_score] = scores };
        foreach (var name in fromHead) values[name] = TensorArrays.Flatten(byName[name].Value);
        var fromTail = outputNames.Where(_tailOutputs.Contains).ToList();
        if (fromTail.Count > 0)
        {
            var tailInputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(_score, new DenseTensor<float>(scores, [rows, 1])) };
            tailInputs.AddRange(_headValuesForTail.Select(v => (NamedOnnxValue)byName[v]));
            tailInputs.AddRange(inputs.Where(i => _tail!.InputMetadata.ContainsKey(i.Name)));
            using var tailResults = _tail!.Run(tailInputs, fromTail);
            foreach (var result in tailResults) values[result.Name] = TensorArrays.Flatten(result.Value);
        }
        return outputNames.Select(n => (n, values[n])).ToList();
    }

    private static ValueInfoProto FloatTensor(string name, params long[] dims) => TensorInfo(name, (int)TensorProto.Types.DataType.Float, dims);

    private static ValueInfoProto TensorInfo(string name, NodeMetadata meta) => TensorInfo(name, (int)meta.ElementDataType, [.. meta.Dimensions.Select(d => (long)d)]);

    /// <summary>A tensor's declaration; a negative dimension is left symbolic.</summary>
    private static ValueInfoProto TensorInfo(string name, int elementType, long[] dims)
    {
        var shape = new TensorShapeProto();
        for (var i = 0; i < dims.Length; i++)
            shape.Dim.Add(dims[i] >= 0 ? new TensorShapeProto.Types.Dimension { DimValue = dims[i] } : new TensorShapeProto.Types.Dimension { DimParam = $"{name}_{i}" });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType, Shape = shape } } };
    }

    public void Dispose()
    {
        _head.Dispose();
        _tail?.Dispose();
    }
}
