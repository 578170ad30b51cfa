using System.Text.Json;
using Cairn.Models;

namespace Cairn.Serving.Protocols;

/// <summary>A tensor of the Open Inference Protocol v2: name, shape, datatype, and row-major data.</summary>
public sealed record InferTensor(string? Name, long[]? Shape, string? Datatype, JsonElement Data, Dictionary<string, JsonElement>? Parameters = null);

public sealed record RequestedOutput(string? Name, Dictionary<string, JsonElement>? Parameters = null);

public sealed record InferRequest(string? Id, List<InferTensor>? Inputs, List<RequestedOutput>? Outputs, Dictionary<string, JsonElement>? Parameters = null);

/// <summary>An output tensor; <see cref="Data"/> is a typed array (float[], bool[], string[] ...), which serializes without boxing.</summary>
public sealed record OutputTensor(string Name, long[] Shape, string Datatype, Array Data);

public sealed record InferResponse(string ModelName, string ModelVersion, string? Id, IReadOnlyList<OutputTensor> Outputs);

public sealed record TensorMetadata(string Name, string Datatype, long[] Shape);

public sealed record ModelMetadata(string Name, IReadOnlyList<string> Versions, string Platform, IReadOnlyList<TensorMetadata> Inputs, IReadOnlyList<TensorMetadata> Outputs);

/// <summary>Converts between OIP v2 tensors and the rows predictors score.</summary>
public static class OpenInference
{
    /// <param name="check">Checks each input's name, shape and datatype against the model (<see cref="OpenInferenceContract.CheckInput"/>) before its values are read.</param>
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> ToRows(InferRequest request, Action<string, long[], string>? check = null)
    {
        if (request.Inputs is not { Count: > 0 }) throw CairnException.InvalidParameter("The inference request has no 'inputs'.");
        var rows = -1L;
        var columns = new List<(string Name, List<JsonElement> Values, long Width)>();
        foreach (var tensor in request.Inputs)
        {
            var name = tensor.Name is { Length: > 0 } n ? n : throw CairnException.InvalidParameter("An input tensor has no 'name'.");
            if (columns.Any(c => c.Name == name)) throw DuplicateInput(name);
            if (tensor.Shape is not { Length: > 0 } shape || shape.Any(d => d < 0))
                throw CairnException.InvalidParameter($"Input tensor '{name}' needs a 'shape' of non-negative dimensions, batch first.");
            if (!OpenInferenceDatatypes.IsDatatype(tensor.Datatype))
                throw CairnException.InvalidParameter($"Input tensor '{name}' has datatype '{tensor.Datatype}': expected BOOL, INT8..INT64, UINT8..UINT64, FP16, FP32, FP64 or BYTES.");
            if (tensor.Data.ValueKind != JsonValueKind.Undefined && tensor.Parameters?.ContainsKey("binary_data_size") == true)
                throw BothDataAndBinary(name);
            if (tensor.Data.ValueKind == JsonValueKind.Undefined)
                throw CairnException.InvalidParameter(tensor.Parameters?.ContainsKey("binary_data_size") == true
                    ? $"Input tensor '{name}' has binary_data_size, but the request has no {BinaryTensorData.HeaderLength} header to say where its JSON ends."
                    : $"Input tensor '{name}' has no 'data'.");
            var count = OpenInferenceContract.ElementCount(name, shape);
            check?.Invoke(name, shape, tensor.Datatype!);
            var values = new List<JsonElement>();
            Flatten(tensor.Data, values);
            var width = shape[0] == 0 ? 1 : count / shape[0];
            if (values.Count != count)
                throw CairnException.InvalidParameter($"Input tensor '{name}' has {values.Count} values but its shape [{string.Join(", ", shape)}] needs {count}.");
            CheckValues(values, tensor.Datatype!, width, name);
            if (rows >= 0 && shape[0] != rows)
                throw CairnException.InvalidParameter($"Input tensor '{name}' has {shape[0]} rows but another input has {rows}: every input needs the same batch size.");
            rows = shape[0];
            columns.Add((name, values, width));
        }
        var result = new IReadOnlyDictionary<string, object?>[rows];
        for (var i = 0; i < rows; i++)
        {
            var row = new Dictionary<string, object?>(columns.Count);
            foreach (var (name, values, width) in columns)
                row[name] = width == 1 ? values[i] : values.GetRange((int)(i * width), (int)width).Cast<object?>().ToArray();
            result[i] = row;
        }
        return result;
    }

    /// <summary>
    /// Each value is of the tensor's datatype, as the columnar reader requires: a number in range,
    /// an integer, true or false; BYTES takes any scalar, as the model's own conversion does. Worded
    /// as the model's conversion words it, so a request answers the same in process and over HTTP.
    /// </summary>
    private static void CheckValues(List<JsonElement> values, string datatype, long width, string name)
    {
        (Func<JsonElement, bool> Fits, string Expected) rule = datatype switch
        {
            // Out of range (1e400) reads as infinite: refused, as JSON holds no infinities. null and "NaN" are missing: NaN.
            "FP32" or "FP16" => (v => v.ValueKind == JsonValueKind.Number && v.TryGetSingle(out var f) && float.IsFinite(f) || MissingValues.IsMissing(v), "a number"),
            "FP64" => (v => v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) || MissingValues.IsMissing(v), "a number"),
            "BOOL" => (v => v.ValueKind is JsonValueKind.True or JsonValueKind.False, "true or false"),
            "BYTES" => (v => v.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array), "a string"),
            _ => (v => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out _), "an integer"),
        };
        for (var i = 0; i < values.Count; i++)
            if (!rule.Fits(values[i]))
            {
                var column = width == 1 ? name : $"{name}[{i % width}]";
                if (datatype != "BYTES" && MissingValues.IsMissing(values[i])) throw MissingRefused(column, datatype, i / width);
                throw CairnException.InvalidParameter($"Invalid value for input '{column}' in row {i / width}: expected {rule.Expected}, got {values[i].GetRawText()}.");
            }
    }

    /// <summary>A missing value in a tensor whose datatype cannot hold one (any but FP16, FP32 and FP64).</summary>
    internal static CairnException MissingRefused(string column, string datatype, long row) =>
        MissingValues.Refused(column, datatype == "BOOL" ? "boolean" : datatype.ToLowerInvariant(), row);

    internal static CairnException BothDataAndBinary(string name) =>
        CairnException.InvalidParameter($"Input tensor '{name}' has both 'data' and binary_data_size: send its values one way.");

    internal static CairnException DuplicateInput(string name) =>
        CairnException.InvalidParameter($"Input tensor '{name}' is given twice: send each input once.");

    /// <summary>
    /// The scalar elements of a (nested) data array. No copies: the request's deserialized
    /// elements stay valid while the request object lives, and the inference log copies values.
    /// </summary>
    private static void Flatten(JsonElement data, List<JsonElement> into)
    {
        if (data.ValueKind != JsonValueKind.Array) { into.Add(data); return; }
        foreach (var item in data.EnumerateArray()) Flatten(item, into);
    }

    /// <summary>Which outputs the request wants as binary data: an output's <c>binary_data</c>, else the request's <c>binary_data_output</c>.</summary>
    public static Func<string, bool> BinaryOutputs(InferRequest request)
    {
        static bool? Flag(Dictionary<string, JsonElement>? parameters, string name) =>
            parameters is not null && parameters.TryGetValue(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
        var byDefault = Flag(request.Parameters, "binary_data_output") ?? false;
        var byName = new Dictionary<string, bool>();
        foreach (var output in request.Outputs ?? [])
            if (Flag(output.Parameters, "binary_data") is { } flag) byName[output.Name ?? ""] = flag; // an output named twice: the last one says
        return name => byName.TryGetValue(name, out var binary) ? binary : byDefault;
    }

    public static IReadOnlyList<OutputTensor> ToTensors(IReadOnlyList<IReadOnlyDictionary<string, object?>> results, IEnumerable<string> names)
    {
        var tensors = new List<OutputTensor>();
        foreach (var name in names)
        {
            var values = results.Select(r => r.TryGetValue(name, out var v) ? v : null).ToList();
            var first = values.FirstOrDefault(v => v is not null);
            if (first is Array array && first is not string)
            {
                var element = array.GetType().GetElementType()!;
                var flat = Array.CreateInstance(element, results.Count * array.Length);
                for (var i = 0; i < values.Count; i++)
                    if (values[i] is Array row) Array.Copy(row, 0, flat, i * array.Length, Math.Min(row.Length, array.Length));
                tensors.Add(new OutputTensor(name, [results.Count, array.Length], OpenInferenceDatatypes.Datatype(element), flat));
            }
            else
            {
                tensors.Add(new OutputTensor(name, [results.Count], OpenInferenceDatatypes.Datatype(first?.GetType() ?? typeof(float)), Typed(first?.GetType(), values)));
            }
        }
        return tensors;
    }

    /// <summary>Scalars as an array of their own type; as objects when any is missing (written as null).</summary>
    private static Array Typed(Type? type, List<object?> values)
    {
        if (type is null || values.Contains(null) || OpenInferenceDatatypes.Datatype(type) == "BYTES" && type != typeof(string) || values.Any(v => v!.GetType() != type)) return values.ToArray();
        var typed = Array.CreateInstance(type, values.Count);
        for (var i = 0; i < values.Count; i++) typed.SetValue(values[i], i);
        return typed;
    }

    public static TensorMetadata Describe(ColumnSpec column) => column.IsTensor
        ? new TensorMetadata(column.Name, column.TensorType switch
        {
            // numpy's dtype names (MLflow's tensor specs), and .NET's where ONNX Runtime reports them (sbyte, byte).
            "float32" => "FP32", "float64" => "FP64", "float16" => "FP16",
            "int64" => "INT64", "int32" => "INT32", "int16" => "INT16", "int8" or "sbyte" => "INT8",
            "uint64" => "UINT64", "uint32" => "UINT32", "uint16" => "UINT16", "uint8" or "byte" => "UINT8",
            "bool" => "BOOL", _ => "BYTES",
        }, column.Shape?.Select((d, i) => i > 0 && d == 0 ? -1 : d).ToArray() ?? [-1]) // ML.NET declares a vector of varying size as 0
        : new TensorMetadata(column.Name, column.Type switch
        {
            "float" => "FP32", "double" => "FP64", "long" => "INT64", "integer" => "INT32", "boolean" => "BOOL", _ => "BYTES",
        }, [-1]);
}
