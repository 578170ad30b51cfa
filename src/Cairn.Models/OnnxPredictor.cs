using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Cairn.Models;

/// <summary>
/// The <c>onnx</c> flavor, run by ONNX Runtime. Rows map to one tensor per graph input (batch
/// first); outputs named <c>X.output</c> (as ML.NET's exporter names them) are returned as <c>X</c>.
/// Inputs the signature does not list (a label column, say) are fed default values.
/// </summary>
public sealed class OnnxPredictor : IModelPredictor, IColumnPredictor
{
    private readonly InferenceSession _session;
    private readonly HashSet<string> _required;
    private readonly HashSet<string>? _wantedOutputs;

    public ModelSignature Signature { get; }
    public string Flavor => ModelManifest.OnnxFlavor;
    public InferenceSession Session => _session;

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
        _session = LoadServingGraph(modelPath, options, wanted is null ? null : output => wanted.Contains(OutputName(output)));
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
    private static InferenceSession LoadServingGraph(string modelPath, SessionOptions options, Func<string, bool>? keepOutput)
    {
        if (OnnxServingGraph.Rewrite(modelPath, keepOutput, joinWithConcat: true) is { Joined: true } joined)
        {
            InferenceSession? session = null;
            try
            {
                session = new InferenceSession(joined.Model, options);
                using var original = new InferenceSession(modelPath, options);
                if (SameOutputs(original, session)) return session;
            }
            catch (OnnxRuntimeException)
            {
                // Not a graph this rewrite suits: fall through to the safe one.
            }
            session?.Dispose();
        }
        return OnnxServingGraph.Rewrite(modelPath, keepOutput, joinWithConcat: false) is { } pruned
            ? new InferenceSession(pruned.Model, options) : new InferenceSession(modelPath, options);
    }

    /// <summary>Whether both graphs give the same outputs on three synthesized rows (numbers 0, 1 and 2.5; strings empty).</summary>
    private static bool SameOutputs(InferenceSession original, InferenceSession rewritten)
    {
        var inputs = original.InputMetadata.Select(kv =>
        {
            int[] shape = [3, .. kv.Value.Dimensions.Skip(1).Select(d => Math.Max(d, 1))];
            var count = shape.Aggregate(1, (a, d) => a * d);
            var values = TensorArrays.Defaults(kv.Value.ElementType, count);
            if (kv.Value.ElementType != typeof(string) && kv.Value.ElementType != typeof(bool))
                for (var i = 0; i < count; i++) values.SetValue(Convert.ChangeType((i % 3) switch { 0 => 0, 1 => 1, _ => 2.5 }, kv.Value.ElementType, System.Globalization.CultureInfo.InvariantCulture), i);
            return TensorArrays.Slice(kv.Key, values, 0, 3, count / 3, shape[1..]);
        }).ToList();
        var names = rewritten.OutputMetadata.Keys.ToList();
        using var expected = original.Run(inputs, names);
        using var actual = rewritten.Run(inputs, names);
        return expected.Zip(actual).All(pair => TensorArrays.Flatten(pair.First.Value) is var e && TensorArrays.Flatten(pair.Second.Value) is var a
            && e.Length == a.Length && Enumerable.Range(0, e.Length).All(i => e.GetValue(i) is float x && a.GetValue(i) is float y
                ? Math.Abs(x - y) <= 1e-5 * Math.Max(1, Math.Abs(x)) : Equals(e.GetValue(i), a.GetValue(i))));
    }

    /// <summary>
    /// Rows per sub-batch of a large request. Measured on the flights graph: 1,000-row runs score
    /// ~40% more rows per second than one 10,000-row run (the one-hot intermediates stay in
    /// cache), and sub-batches run on every core at once.
    /// </summary>
    public const int SubBatchRows = 1024;

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
            using var outputs = _session.Run(named, outputNames);
            results[part] = outputs.Select(o => (OutputName(o.Name), TensorArrays.Flatten(o.Value))).ToList();
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

    /// <param name="firstRow">The request row the first of these is, for error messages.</param>
    private IReadOnlyList<IReadOnlyDictionary<string, object?>> PredictBatch(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, int firstRow = 0)
    {
        var inputs = new List<NamedOnnxValue>();
        foreach (var (name, meta) in _session.InputMetadata)
        {
            var width = meta.Dimensions.Skip(1).Aggregate(1, (a, d) => a * Math.Max(d, 1));
            int[] shape = [rows.Count, .. meta.Dimensions.Skip(1).Select(d => Math.Max(d, 1))];
            inputs.Add(meta.ElementType switch
            {
                var t when t == typeof(float) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(Values<float>(rows, name, width, 0f, firstRow), shape)),
                var t when t == typeof(double) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<double>(Values<double>(rows, name, width, 0d, firstRow), shape)),
                var t when t == typeof(long) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<long>(Values<long>(rows, name, width, 0L, firstRow), shape)),
                var t when t == typeof(int) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<int>(Values<int>(rows, name, width, 0, firstRow), shape)),
                var t when t == typeof(bool) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<bool>(Values<bool>(rows, name, width, false, firstRow), shape)),
                var t when t == typeof(string) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<string>(Values<string>(rows, name, width, "", firstRow), shape)),
                var t => throw CairnException.InvalidParameter($"ONNX input '{name}' has element type {t.Name}, which Cairn cannot feed yet."),
            });
        }
        var outputNames = _session.OutputMetadata.Keys.Where(n => _wantedOutputs is null || _wantedOutputs.Contains(OutputName(n))).ToList();
        using var results = _session.Run(inputs, outputNames);
        var table = Enumerable.Range(0, rows.Count).Select(_ => new Dictionary<string, object?>()).ToList();
        foreach (var result in results)
        {
            var name = OutputName(result.Name);
            switch (result.Value)
            {
                case Tensor<float> t: Spread(t, name, table); break;
                case Tensor<double> t: Spread(t, name, table); break;
                case Tensor<long> t: Spread(t, name, table); break;
                case Tensor<int> t: Spread(t, name, table); break;
                case Tensor<bool> t: Spread(t, name, table); break;
                case Tensor<string> t: Spread(t, name, table); break;
            }
        }
        return table;
    }

    private T[] Values<T>(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, string name, int width, T fallback, int firstRow)
    {
        var values = new T[rows.Count * width];
        for (var i = 0; i < rows.Count; i++)
        {
            if (!rows[i].TryGetValue(name, out var value))
            {
                if (_required.Contains(name))
                    throw CairnException.InvalidParameter($"Missing input '{name}' in row {firstRow + i}: the model needs every input of its signature.");
                for (var j = 0; j < width; j++) values[i * width + j] = fallback;
                continue;
            }
            if (width == 1 && value is not System.Collections.IEnumerable || value is string)
            {
                values[i * width] = ModelRows.Convert<T>(value, name, firstRow + i);
                continue;
            }
            var items = value is System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Array } json
                ? json.EnumerateArray().Cast<object?>().ToList()
                : ((System.Collections.IEnumerable)value!).Cast<object?>().ToList();
            if (items.Count != width)
                throw CairnException.InvalidParameter($"Invalid value for input '{name}' in row {firstRow + i}: expected {width} values, got {items.Count}.");
            for (var j = 0; j < width; j++) values[i * width + j] = ModelRows.Convert<T>(items[j], $"{name}[{j}]", firstRow + i);
        }
        return values;
    }

    private static void Spread<T>(Tensor<T> tensor, string name, List<Dictionary<string, object?>> table)
    {
        var flat = tensor.ToArray();
        if (table.Count == 0) return;
        var width = flat.Length / table.Count;
        for (var i = 0; i < table.Count; i++)
            table[i][name] = width == 1 ? flat[i] : flat.AsSpan(i * width, width).ToArray();
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

    public void Dispose() => _session.Dispose();
}
