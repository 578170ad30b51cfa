using System.Buffers;
using System.Text.Json;
using Cairn.Models;

namespace Cairn.Serving.Protocols;

/// <summary>An OIP v2 request read straight into typed columns: the fast path for large batches.</summary>
public sealed record ColumnarInferRequest(string? Id, IReadOnlyList<TensorColumn> Inputs, int Rows, IReadOnlyList<string>? Outputs);

/// <summary>
/// Reads an Open Inference Protocol v2 request into one typed array per tensor (float[] for FP32,
/// long[] for the integer types, string[] for BYTES ...) and writes the response from typed
/// arrays, with no dictionary or boxed value per row. Checks what <see cref="OpenInference.ToRows"/>
/// checks, with the same messages.
/// </summary>
public static class OpenInferenceColumns
{
    public static ColumnarInferRequest Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw CairnException.InvalidParameter("The inference request must be a JSON object.");
        var id = root.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
        if (!root.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array || inputs.GetArrayLength() == 0)
            throw CairnException.InvalidParameter("The inference request has no 'inputs'.");
        var columns = new List<TensorColumn>();
        var rows = -1L;
        foreach (var tensor in inputs.EnumerateArray())
        {
            var name = tensor.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() is { Length: > 0 } s
                ? s : throw CairnException.InvalidParameter("An input tensor has no 'name'.");
            var shape = tensor.TryGetProperty("shape", out var sh) && sh.ValueKind == JsonValueKind.Array
                ? sh.EnumerateArray().Select(d => d.TryGetInt64(out var v) ? v : -1).ToArray() : [];
            if (shape.Length == 0 || shape.Any(d => d < 0))
                throw CairnException.InvalidParameter($"Input tensor '{name}' needs a 'shape' of non-negative dimensions, batch first.");
            var datatype = tensor.TryGetProperty("datatype", out var dt) && dt.ValueKind == JsonValueKind.String ? dt.GetString() : null;
            var width = shape.Skip(1).Aggregate(1L, (a, d) => a * d);
            var count = shape[0] * width;
            if (!tensor.TryGetProperty("data", out var data))
                throw CairnException.InvalidParameter($"Input tensor '{name}' has no 'data'.");
            var values = datatype switch
            {
                "FP32" or "FP16" => Fill<float>(data, count, name, e => e.GetSingle()),
                "FP64" => Fill<double>(data, count, name, e => e.GetDouble()),
                "INT8" or "INT16" or "INT32" or "INT64" or "UINT8" or "UINT16" or "UINT32" or "UINT64" => Fill<long>(data, count, name, e => e.GetInt64()),
                "BOOL" => Fill<bool>(data, count, name, e => e.GetBoolean()),
                "BYTES" => (Array)Fill<string>(data, count, name, e => e.GetString()!),
                _ => throw CairnException.InvalidParameter($"Input tensor '{name}' has datatype '{datatype}': expected BOOL, INT8..INT64, UINT8..UINT64, FP16, FP32, FP64 or BYTES."),
            };
            if (rows >= 0 && shape[0] != rows)
                throw CairnException.InvalidParameter($"Input tensor '{name}' has {shape[0]} rows but another input has {rows}: every input needs the same batch size.");
            rows = shape[0];
            columns.Add(new TensorColumn(name, values, (int)width));
        }
        var outputs = root.TryGetProperty("outputs", out var o) && o.ValueKind == JsonValueKind.Array && o.GetArrayLength() > 0
            ? o.EnumerateArray().Select(x => x.TryGetProperty("name", out var on) ? on.GetString() ?? "" : "").ToList()
            : null;
        return new ColumnarInferRequest(id, columns, (int)rows, outputs);
    }

    /// <summary>The tensor's values, flattened row-major, checked against the count its shape needs and against its datatype.</summary>
    private static T[] Fill<T>(JsonElement data, long expected, string name, Func<JsonElement, T> read)
    {
        var values = new T[expected];
        var at = 0L;
        void Walk(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray()) Walk(item);
                return;
            }
            if (at < expected)
            {
                try
                {
                    values[at] = read(element);
                }
                catch (Exception e) when (e is InvalidOperationException or FormatException)
                {
                    throw CairnException.InvalidParameter($"Invalid value for input '{name}' at position {at}: expected {ModelRows.TypeName(typeof(T))}, got {element.GetRawText()}.");
                }
            }
            at++;
        }
        Walk(data);
        if (at != expected)
            throw CairnException.InvalidParameter($"Input tensor '{name}' has {at} values but its shape needs {expected}.");
        return values;
    }

    /// <summary>Writes the response body as <see cref="InferResponse"/> would serialize: snake_case, typed data arrays.</summary>
    public static void Write(IBufferWriter<byte> output, string model, string version, string? id, IReadOnlyList<TensorColumn> outputs, int rows)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("model_name", model);
        json.WriteString("model_version", version);
        if (id is null) json.WriteNull("id"); else json.WriteString("id", id);
        json.WriteStartArray("outputs");
        foreach (var column in outputs)
        {
            json.WriteStartObject();
            json.WriteString("name", column.Name);
            json.WriteStartArray("shape");
            json.WriteNumberValue(rows);
            if (column.Width > 1) json.WriteNumberValue(column.Width);
            json.WriteEndArray();
            json.WriteString("datatype", OpenInference.Datatype(column.Values.GetType().GetElementType()!));
            json.WriteStartArray("data");
            switch (column.Values)
            {
                case float[] a: foreach (var v in a) json.WriteNumberValue(v); break;
                case double[] a: foreach (var v in a) json.WriteNumberValue(v); break;
                case long[] a: foreach (var v in a) json.WriteNumberValue(v); break;
                case int[] a: foreach (var v in a) json.WriteNumberValue(v); break;
                case bool[] a: foreach (var v in a) json.WriteBooleanValue(v); break;
                case string[] a: foreach (var v in a) json.WriteStringValue(v); break;
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
