using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace Cairn.Models;

/// <summary>
/// A graph whose tree ensembles are scored by <see cref="TreeEnsembleScorer"/>: ONNX Runtime runs
/// the nodes no ensemble depends on (the head: encoders, the feature vector), the scorers run the
/// ensembles (one for a binary model or a regression, one per class for LightGBM's multiclass
/// export), and ONNX Runtime runs the nodes after them (the tail: a sigmoid, a softmax, a binarizer).
/// </summary>
internal sealed class TreeEnsembleSplitSession : IDisposable
{
    /// <summary>An ensemble of the graph: what it reads, its scorer, what it writes.</summary>
    private sealed record Ensemble(string Features, TreeEnsembleScorer Scorer, string Score);

    private readonly InferenceSession _head;
    private readonly InferenceSession? _tail;
    private readonly List<Ensemble> _ensembles;
    private readonly List<string> _headFetches;       // every ensemble's features, then what the tail reads from the head
    private readonly List<string> _headValuesForTail;
    private readonly HashSet<string> _tailOutputs;

    private TreeEnsembleSplitSession(InferenceSession head, InferenceSession? tail, List<Ensemble> ensembles, List<string> headValuesForTail)
    {
        (_head, _tail, _ensembles, _headValuesForTail) = (head, tail, ensembles, headValuesForTail);
        _headFetches = ensembles.Select(e => e.Features).Concat(headValuesForTail).Distinct().ToList();
        _tailOutputs = tail?.OutputMetadata.Keys.ToHashSet() ?? [];
    }

    /// <summary>The split graph, or null when an ensemble is one the scorer does not reproduce, one reads another's score, or ONNX Runtime refuses a part.</summary>
    public static TreeEnsembleSplitSession? TryCreate(byte[] modelBytes, SessionOptions options)
    {
        var model = ModelProto.Parser.ParseFrom(modelBytes);
        var graph = model.Graph;
        // A subgraph (If, Loop, Scan) can read outer values without naming them as inputs, so it cannot be cut safely.
        if (graph.Node.Any(n => n.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0))) return null;
        var nodes = graph.Node.Where(n => n.OpType.StartsWith("TreeEnsemble", StringComparison.Ordinal)).ToList();
        if (nodes.Count == 0) return null;
        var ensembles = new List<Ensemble>();
        foreach (var node in nodes)
        {
            if (TreeEnsembleScorer.TryCompile(node) is not { } scorer) return null;
            ensembles.Add(new Ensemble(node.Input[0], scorer, node.Output[0]));
        }

        // Nodes are topologically sorted (the ONNX spec requires it), so one pass finds everything downstream of the scores.
        var downstream = ensembles.Select(e => e.Score).ToHashSet();
        var head = new List<NodeProto>();
        var tail = new List<NodeProto>();
        foreach (var node in graph.Node.Where(n => !nodes.Contains(n)))
        {
            if (node.Input.Any(downstream.Contains))
            {
                tail.Add(node);
                downstream.UnionWith(node.Output);
            }
            else head.Add(node);
        }
        if (ensembles.Any(e => downstream.Contains(e.Features))) return null; // an ensemble fed by another's score
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        var graphInputs = graph.Input.ToDictionary(i => i.Name);
        var tailReads = tail.SelectMany(n => n.Input).Where(v => v.Length > 0 && !downstream.Contains(v)).Distinct().ToList();
        var headValuesForTail = tailReads.Where(v => !initializers.Contains(v) && !graphInputs.ContainsKey(v)).ToList();
        var declared = OnnxSubgraph.Declarations(graph);
        ValueInfoProto Info(string name) => declared(name) ?? new ValueInfoProto { Name = name };
        var featureNames = ensembles.Select(e => e.Features).Distinct().ToList();

        InferenceSession? headSession = null, tailSession = null;
        try
        {
            var headModel = OnnxSubgraph.Of(model, head,
                featureNames.Select(f => declared(f) ?? FloatTensor(f, -1, -1))
                    .Concat(headValuesForTail.Except(featureNames).Select(Info))
                    .Concat(graph.Output.Where(o => !downstream.Contains(o.Name) && !featureNames.Contains(o.Name) && !headValuesForTail.Contains(o.Name)).Select(o => o.Clone())));
            headSession = new InferenceSession(headModel.ToByteArray(), options);
            if (featureNames.Any(f => headSession.OutputMetadata[f].ElementType != typeof(float)))
            {
                headSession.Dispose();
                return null;
            }

            var scores = ensembles.Select(e => e.Score).ToHashSet();
            var tailOutputs = graph.Output.Where(o => downstream.Contains(o.Name) && !scores.Contains(o.Name)).ToList();
            if (tailOutputs.Count > 0)
            {
                var tailModel = model.Clone();
                var tailGraph = tailModel.Graph;
                tailGraph.Node.Clear();
                tailGraph.Node.AddRange(tail.Select(n => n.Clone()));
                tailGraph.Input.Clear();
                tailGraph.Input.AddRange(ensembles.Select(e => FloatTensor(e.Score, -1, 1)));
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
            return new TreeEnsembleSplitSession(headSession, tailSession, ensembles, headValuesForTail);
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
        using var headResults = _head.Run(inputs.Where(i => _head.InputMetadata.ContainsKey(i.Name)).ToList(), _headFetches.Concat(fromHead).Distinct().ToList());
        var byName = headResults.ToDictionary(r => r.Name);
        var values = new Dictionary<string, Array>();
        foreach (var ensemble in _ensembles)
        {
            var features = (DenseTensor<float>)byName[ensemble.Features].Value;
            var scores = new float[rows];
            ensemble.Scorer.Score(features.Buffer.Span, rows == 0 ? 0 : (int)(features.Length / rows), scores);
            values[ensemble.Score] = scores;
        }
        foreach (var name in fromHead) values[name] = TensorArrays.Flatten(byName[name].Value);
        var fromTail = outputNames.Where(_tailOutputs.Contains).ToList();
        if (fromTail.Count > 0)
        {
            var tailInputs = _ensembles.Select(e => NamedOnnxValue.CreateFromTensor(e.Score, new DenseTensor<float>((float[])values[e.Score], [rows, 1]))).ToList();
            tailInputs.AddRange(_headValuesForTail.Select(v => (NamedOnnxValue)byName[v]));
            tailInputs.AddRange(inputs.Where(i => _tail!.InputMetadata.ContainsKey(i.Name)));
            using var tailResults = _tail!.Run(tailInputs, fromTail);
            foreach (var result in tailResults) values[result.Name] = TensorArrays.Flatten(result.Value);
        }
        return outputNames.Select(n => (n, values[n])).ToList();
    }

    private static ValueInfoProto FloatTensor(string name, params long[] dims) => OnnxSubgraph.FloatTensor(name, dims);

    private static ValueInfoProto TensorInfo(string name, NodeMetadata meta) => OnnxSubgraph.TensorInfo(name, meta);

    public void Dispose()
    {
        _head.Dispose();
        _tail?.Dispose();
    }
}
