using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Cairn.Models;

/// <summary>
/// The <c>onnx</c> flavor, run by ONNX Runtime, except a tree ensemble, which
/// <see cref="TreeEnsembleScorer"/> scores in batches large enough to gain. Rows map to one tensor
/// per graph input (batch first); outputs named <c>X.output</c> (as ML.NET's exporter names them)
/// are returned as <c>X</c>. Inputs the signature does not list (a label column, say) are fed
/// default values.
/// </summary>
public sealed class OnnxPredictor : IModelPredictor, IColumnPredictor
{
    private readonly InferenceSession _session;
    private readonly TreeEnsembleSplitSession? _split;
    private readonly HashSet<string> _required;
    private readonly HashSet<string>? _wantedOutputs;

    /// <summary>The package's signature when it lists inputs, else one read from the graph's tensors.</summary>
    public ModelSignature Signature { get; }
    /// <inheritdoc />
    public string Flavor => ModelManifest.OnnxFlavor;
    /// <summary>The ONNX Runtime session of the serving graph: the package's graph rewritten by <see cref="OnnxServingGraph"/> (outputs the package signature does not list pruned).</summary>
    public InferenceSession Session => _session;

    /// <summary>Whether the graph's tree ensemble is scored by <see cref="TreeEnsembleScorer"/> for batches of <see cref="SplitMinRows"/> rows or more.</summary>
    public bool TreeEnsembleCompiled => _split is not null;

    /// <summary>Loads an ONNX graph for scoring on the CPU.</summary>
    /// <param name="modelPath">The path of the .onnx file.</param>
    /// <param name="packageSignature">The package's signature; its outputs, when listed, are the only ones computed and returned.</param>
    public OnnxPredictor(string modelPath, ModelSignature? packageSignature = null)
    {
        // One thread per run: large requests are split into sub-batches run side by side (below),
        // which scales better than ORT's own threads on this graph, and small ones gain nothing from more.
        // Warnings about the exporter's shape annotations would otherwise reach every user's console.
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        _wantedOutputs = packageSignature is { Outputs.Count: > 0 } ? packageSignature.Outputs.Select(o => o.Name).ToHashSet() : null;
        var wanted = _wantedOutputs;
        (_session, var served) = LoadServingGraph(modelPath, options, wanted is null ? null : output => wanted.Contains(OutputName(output)));
        _split = LoadSplit(served, options, _session);
        var graph = InferSignature(_session);
        // Column signatures (from an ML.NET package) describe the graph's inputs better than its raw tensors.
        Signature = packageSignature is { Inputs.Count: > 0 } ? packageSignature : graph;
        _required = Signature.Inputs.Select(i => i.Name).ToHashSet();
    }

    /// <summary>
    /// The graph rewritten by <see cref="OnnxServingGraph"/>. Joining columns with Concat in
    /// place of FeatureVectorizer is only kept when the rewritten graph loads and gives the
    /// original's outputs on a few synthesized rows; otherwise only the output pruning is.
    /// </summary>
    /// <returns>The session and the model it runs.</returns>
    private static (InferenceSession Session, byte[] Model) LoadServingGraph(string modelPath, SessionOptions options, Func<string, bool>? keepOutput)
    {
        if (OnnxServingGraph.Rewrite(modelPath, keepOutput, joinWithConcat: true) is { Joined: true } joined)
        {
            InferenceSession? session = null;
            try
            {
                session = new InferenceSession(joined.Model, options);
                using var original = new InferenceSession(modelPath, options);
                if (SameOutputs(original, [.. session.OutputMetadata.Keys], (inputs, _, names) => RunWhole(session, inputs, names))) return (session, joined.Model);
            }
            catch (OnnxRuntimeException)
            {
                // Not a graph this rewrite suits: fall through to the safe one.
            }
            session?.Dispose();
        }
        var model = OnnxServingGraph.Rewrite(modelPath, keepOutput, joinWithConcat: false) is { } pruned ? pruned.Model : File.ReadAllBytes(modelPath);
        return (new InferenceSession(model, options), model);
    }

    /// <summary>The graph split around its tree ensemble (see <see cref="TreeEnsembleSplitSession"/>), kept only when it gives the whole graph's outputs on synthesized rows.</summary>
    private static TreeEnsembleSplitSession? LoadSplit(byte[] model, SessionOptions options, InferenceSession whole)
    {
        TreeEnsembleSplitSession? split = null;
        try
        {
            split = TreeEnsembleSplitSession.TryCreate(model, options);
            if (split is null || SameOutputs(whole, [.. whole.OutputMetadata.Keys], split.Run)) return split;
        }
        catch (Exception)
        {
            // Whatever went wrong, the split is only ever a speed-up: the whole graph in ONNX Runtime is always right.
        }
        split?.Dispose();
        return null;
    }

    private static List<(string Name, Array Values)> RunWhole(InferenceSession session, IReadOnlyList<NamedOnnxValue> inputs, IReadOnlyList<string> outputNames)
    {
        using var results = session.Run(inputs, outputNames);
        return results.Select(r => (r.Name, TensorArrays.Flatten(r.Value))).ToList();
    }

    /// <summary>
    /// Whether a rewritten graph gives the original's outputs (floats within 1e-5 relative) on 64
    /// synthesized rows: numbers cycle through values from -1 to 5,000 so that splits on either
    /// side of typical thresholds are taken; strings are empty.
    /// </summary>
    private static bool SameOutputs(InferenceSession original, IReadOnlyList<string> names, Func<IReadOnlyList<NamedOnnxValue>, int, IReadOnlyList<string>, List<(string Name, Array Values)>> rewritten)
    {
        const int rows = 64;
        double[] numbers = [0, 1, 2.5, -1, 7, 30, 200, 1500, 5000, 0.5, 12, 3];
        var column = 0;
        var inputs = original.InputMetadata.Select(kv =>
        {
            int[] shape = [rows, .. kv.Value.Dimensions.Skip(1).Select(d => Math.Max(d, 1))];
            var count = shape.Aggregate(1, (a, d) => a * d);
            var values = TensorArrays.Defaults(kv.Value.ElementType, count);
            var offset = column++;
            if (kv.Value.ElementType == typeof(bool))
                for (var i = 0; i < count; i++) values.SetValue((i + offset) % 2 == 0, i);
            else if (kv.Value.ElementType != typeof(string))
                for (var i = 0; i < count; i++) values.SetValue(Synthesized(numbers[(i * 5 + offset * 7) % numbers.Length], kv.Value.ElementType), i);
            return TensorArrays.Slice(kv.Key, values, 0, rows, count / rows, shape[1..]);
        }).ToList();
        var expected = RunWhole(original, inputs, names);
        var actual = rewritten(inputs, rows, names);
        return expected.Zip(actual).All(pair => pair.First.Values is var e && pair.Second.Values is var a
            && e.Length == a.Length && Enumerable.Range(0, e.Length).All(i => e.GetValue(i) is float x && a.GetValue(i) is float y
                ? x.Equals(y) || Math.Abs(x - y) <= 1e-5 * Math.Max(1, Math.Abs(x)) : Equals(e.GetValue(i), a.GetValue(i))));
    }

    /// <summary>The number as <paramref name="type"/>; 0 where it does not fit (-1 or 5,000 as a byte).</summary>
    private static object Synthesized(double number, Type type)
    {
        try
        {
            return Convert.ChangeType(number, type, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            return Convert.ChangeType(0, type, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// Rows per sub-batch of a large request. Measured on the flights graph: 1,000-row runs score
    /// ~40% more rows per second than one 10,000-row run (the one-hot intermediates stay in
    /// cache), and sub-batches run on every core at once.
    /// </summary>
    public const int SubBatchRows = 1024;

    /// <inheritdoc />
    /// <remarks>More than 2 × <see cref="SubBatchRows"/> rows are split into sub-batches scored in parallel.</remarks>
    /// <exception cref="CairnException">An input is missing or has a value of the wrong type (the message names the row).</exception>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Predict(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        if (rows.Count <= 2 * SubBatchRows) return PredictBatch(rows);
        var parts = (rows.Count + SubBatchRows - 1) / SubBatchRows;
        var results = new IReadOnlyList<IReadOnlyDictionary<string, object?>>[parts];
        try
        {
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, part =>
            {
                var start = part * SubBatchRows;
                results[part] = PredictBatch(new RowSlice(rows, start, Math.Min(SubBatchRows, rows.Count - start)), start);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.OfType<CairnException>().FirstOrDefault() is { } first)
        {
            // Bad input in one sub-batch is the caller's error (a 400 naming the row), not a failure of the parallel loop.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
        return results.SelectMany(r => r).ToList();
    }

    /// <inheritdoc />
    public IReadOnlyList<TensorColumn> PredictColumns(IReadOnlyList<TensorColumn> inputs, int rows)
    {
        var given = inputs.ToDictionary(c => c.Name);
        var feeds = new List<(string Name, Array Values, int Width, int[] Tail)>();
        foreach (var (name, meta) in _session.InputMetadata)
        {
            int[] tail = [.. meta.Dimensions.Skip(1).Select(d => Math.Max(d, 1))];
            var width = tail.Aggregate(1, (a, d) => a * d);
            Array values;
            if (given.TryGetValue(name, out var column))
            {
                if (column.Width != width)
                    throw CairnException.InvalidParameter($"Input '{name}' has {column.Width} values per row; the model expects {width}.");
                values = TensorArrays.ConvertTo(column.Values, meta.ElementType, name);
            }
            else if (_required.Contains(name))
                throw CairnException.InvalidParameter($"Missing input '{name}': the model needs every input of its signature.");
            else
                values = TensorArrays.Defaults(meta.ElementType, rows * width);
            feeds.Add((name, values, width, tail));
        }
        var outputNames = _session.OutputMetadata.Keys.Where(n => _wantedOutputs is null || _wantedOutputs.Contains(OutputName(n))).ToList();
        var parts = rows <= 2 * SubBatchRows ? 1 : (rows + SubBatchRows - 1) / SubBatchRows;
        var size = parts == 1 ? rows : SubBatchRows;
        var results = new List<(string Name, Array Values)>[parts];
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, part =>
        {
            var start = part * size;
            var count = Math.Min(size, rows - start);
            var named = feeds.Select(f => TensorArrays.Slice(f.Name, f.Values, start, count, f.Width, f.Tail)).ToList();
            results[part] = Run(named, count, outputNames).Select(o => (OutputName(o.Name), o.Values)).ToList();
        });
        return results[0].Select((first, i) =>
        {
            var joined = parts == 1 ? first.Values : TensorArrays.Concat(results.Select(r => r[i].Values).ToList());
            return new TensorColumn(first.Name, joined, rows == 0 ? 1 : joined.Length / rows);
        }).ToList();
    }

    /// <summary>A window on a list of rows, without copying.</summary>
    private sealed class RowSlice(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, int start, int count) : IReadOnlyList<IReadOnlyDictionary<string, object?>>
    {
        public IReadOnlyDictionary<string, object?> this[int index] => rows[start + index];
        public int Count => count;
        public IEnumerator<IReadOnlyDictionary<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < count; i++) yield return rows[start + i];
        }
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// Rows from which a batch runs through the split graph. Below it the two extra runs of ONNX
    /// Runtime cost more than the scorer saves (flights model, per batch: one row 17 µs whole,
    /// 22 µs split; even at 8 to 16 rows; 64 rows 72 µs whole, 42 µs split).
    /// </summary>
    public const int SplitMinRows = 16;

    private List<(string Name, Array Values)> Run(IReadOnlyList<NamedOnnxValue> inputs, int rows, IReadOnlyList<string> outputNames) =>
        _split is not null && rows >= SplitMinRows ? _split.Run(inputs, rows, outputNames) : RunWhole(_session, inputs, outputNames);

    /// <param name="rows">The rows to score in one run.</param>
    /// <param name="firstRow">The request row the first of these is, for error messages.</param>
    private IReadOnlyList<IReadOnlyDictionary<string, object?>> PredictBatch(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, int firstRow = 0)
    {
        var inputs = OnnxRowFeeds.Feeds(_session.InputMetadata, rows, _required, firstRow);
        var outputNames = _session.OutputMetadata.Keys.Where(n => _wantedOutputs is null || _wantedOutputs.Contains(OutputName(n))).ToList();
        var table = Enumerable.Range(0, rows.Count).Select(_ => new Dictionary<string, object?>()).ToList();
        foreach (var (name, values) in Run(inputs, rows.Count, outputNames)) Spread(values, OutputName(name), table);
        return table;
    }

    private static void Spread(Array flat, string name, List<Dictionary<string, object?>> table)
    {
        if (table.Count == 0) return;
        var width = flat.Length / table.Count;
        for (var i = 0; i < table.Count; i++)
        {
            if (width == 1)
            {
                table[i][name] = flat.GetValue(i);
                continue;
            }
            var values = Array.CreateInstance(flat.GetType().GetElementType()!, width);
            Array.Copy(flat, i * width, values, 0, width);
            table[i][name] = values;
        }
    }

    private static string OutputName(string name) => name.EndsWith(".output", StringComparison.Ordinal) ? name[..^".output".Length] : name;

    /// <summary>Tensor specs from the graph's inputs and outputs, as MLflow's onnx flavor records them.</summary>
    public static ModelSignature InferSignature(InferenceSession session) => new(
        session.InputMetadata.Select(kv => Spec(kv.Key, kv.Value)).ToList(),
        session.OutputMetadata.Select(kv => Spec(OutputName(kv.Key), kv.Value)).ToList());

    private static ColumnSpec Spec(string name, NodeMetadata meta) =>
        new(name, "tensor", DType(meta.ElementType), meta.Dimensions.Select(d => (long)d).ToList());

    private static string DType(Type type) =>
        type == typeof(float) ? "float32" : type == typeof(double) ? "float64" : type == typeof(long) ? "int64"
        : type == typeof(int) ? "int32" : type == typeof(bool) ? "bool" : type == typeof(string) ? "str" : type.Name.ToLowerInvariant();

    /// <summary>Releases the ONNX Runtime session(s).</summary>
    public void Dispose()
    {
        _session.Dispose();
        _split?.Dispose();
    }
}
