using System.Buffers;
using System.Text.Json;
using Cairn.Serving.Protocols;

namespace Cairn.Deployments.Replicas;

/// <summary>
/// Rows to and from a replica process over the Open Inference Protocol's JSON. OIP rather than
/// MLflow's <c>/invocations</c>: its output tensors carry their datatype (FP32, FP64, UINT32,
/// BYTES ...), so a remote answer decodes to the same CLR types the model gives in process
/// (float stays float, a key stays uint, a vector stays float[]).
/// </summary>
public static class ReplicaWire
{
    /// <summary>
    /// An OIP request with one tensor per column (in the order the rows name them), batch first.
    /// An array value makes a <c>[rows, width]</c> tensor. <paramref name="inputTypes"/> gives the
    /// model's datatypes (from its metadata); a column it lacks takes one from its values.
    /// </summary>
    public static byte[] WriteRequest(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, IReadOnlyDictionary<string, string> inputTypes)
    {
        var columns = new List<string>();
        var seen = new HashSet<string>();
        foreach (var row in rows)
            foreach (var name in row.Keys)
                if (seen.Add(name)) columns.Add(name);
        var buffer = new ArrayBufferWriter<byte>(256 + rows.Count * columns.Count * 16);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("inputs");
            foreach (var column in columns)
            {
                var values = rows.Select(r => r.TryGetValue(column, out var v) ? v : null).ToList();
                var first = values.FirstOrDefault(v => v is not null && !(v is JsonElement { ValueKind: JsonValueKind.Null }));
                json.WriteStartObject();
                json.WriteString("name", column);
                json.WriteStartArray("shape");
                json.WriteNumberValue(rows.Count);
                if (Width(first) is { } width) json.WriteNumberValue(width);
                json.WriteEndArray();
                json.WriteString("datatype", inputTypes.TryGetValue(column, out var type) ? type : Datatype(first));
                json.WriteStartArray("data");
                foreach (var value in values) WriteFlat(json, value);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static int? Width(object? value) => value switch
    {
        JsonElement { ValueKind: JsonValueKind.Array } e => e.GetArrayLength(),
        string => null,
        Array a => a.Length,
        System.Collections.IList l => l.Count,
        _ => null,
    };

    private static string Datatype(object? value) => value switch
    {
        null => "BYTES",
        JsonElement e => e.ValueKind switch
        {
            JsonValueKind.Number => "FP64",
            JsonValueKind.True or JsonValueKind.False => "BOOL",
            JsonValueKind.Array => e.EnumerateArray().Select(x => (object?)x).FirstOrDefault() is { } item ? Datatype(item) : "FP32",
            _ => "BYTES",
        },
        string => "BYTES",
        Array a => OpenInferenceDatatypes.Datatype(a.GetType().GetElementType()!),
        _ => OpenInferenceDatatypes.Datatype(value.GetType()),
    };

    private static void WriteFlat(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case JsonElement { ValueKind: JsonValueKind.Array } array:
                foreach (var item in array.EnumerateArray()) WriteFlat(json, item);
                break;
            case JsonElement element:
                element.WriteTo(json);
                break;
            case string or null:
                JsonSerializer.Serialize(json, value);
                break;
            case System.Collections.IEnumerable items:
                foreach (var item in items) WriteFlat(json, item);
                break;
            default:
                JsonSerializer.Serialize(json, value, value.GetType());
                break;
        }
    }

    /// <summary>
    /// Result rows from an OIP response: a <c>[rows]</c> tensor gives one scalar per row, a
    /// <c>[rows, ...]</c> tensor an array of its element type; null stays null.
    /// </summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> ReadResponse(ReadOnlySpan<byte> body, int rows)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        var outputs = document.RootElement.GetProperty("outputs");
        var results = Enumerable.Range(0, rows).Select(_ => new Dictionary<string, object?>()).ToList();
        foreach (var output in outputs.EnumerateArray())
        {
            var name = output.GetProperty("name").GetString() ?? "";
            var datatype = output.GetProperty("datatype").GetString() ?? "BYTES";
            var shape = output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var data = new List<JsonElement>();
            Flatten(output.GetProperty("data"), data);
            if (shape.Length == 0 || shape[0] != rows)
                throw new FormatException($"Output '{name}' has shape [{string.Join(", ", shape)}] for {rows} rows.");
            // Outputs are shaped as their metadata declares, so a scalar output may come back
            // [rows, 1]: one value per row is a scalar, as the model gives it in process.
            if (shape.Length == 1 || shape.Skip(1).All(d => d == 1))
            {
                for (var i = 0; i < rows; i++) results[i][name] = Scalar(data[i], datatype);
                continue;
            }
            var width = (int)shape.Skip(1).Aggregate(1L, (a, d) => a * d);
            var element = ElementType(datatype);
            for (var i = 0; i < rows; i++)
            {
                var values = Array.CreateInstance(element, width);
                for (var j = 0; j < width; j++) values.SetValue(Scalar(data[i * width + j], datatype), j);
                results[i][name] = values;
            }
        }
        return results;
    }

    private static void Flatten(JsonElement data, List<JsonElement> into)
    {
        if (data.ValueKind != JsonValueKind.Array) { into.Add(data); return; }
        foreach (var item in data.EnumerateArray()) Flatten(item, into);
    }

    private static Type ElementType(string datatype) => datatype switch
    {
        "FP32" => typeof(float),
        "FP64" => typeof(double),
        "BOOL" => typeof(bool),
        "INT8" => typeof(sbyte),
        "INT16" => typeof(short),
        "INT32" => typeof(int),
        "INT64" => typeof(long),
        "UINT8" => typeof(byte),
        "UINT16" => typeof(ushort),
        "UINT32" => typeof(uint),
        "UINT64" => typeof(ulong),
        _ => typeof(string),
    };

    private static object? Scalar(JsonElement value, string datatype) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String when datatype == "BYTES" => value.GetString(),
        _ => datatype switch
        {
            "FP32" => value.GetSingle(),
            "FP64" => value.GetDouble(),
            "BOOL" => value.GetBoolean(),
            "INT8" => value.GetSByte(),
            "INT16" => value.GetInt16(),
            "INT32" => value.GetInt32(),
            "INT64" => value.GetInt64(),
            "UINT8" => value.GetByte(),
            "UINT16" => value.GetUInt16(),
            "UINT32" => value.GetUInt32(),
            "UINT64" => value.GetUInt64(),
            _ => value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText(),
        },
    };

    /// <summary>
    /// A replica's error answer as the in-process one: a 4xx (and a 503 "queue full") is the
    /// <see cref="CairnException"/> the model raised, with its code and message; any other 5xx is
    /// the replica's failure.
    /// </summary>
    public static Exception ReadError(string replicaId, int status, string body)
    {
        string? code = null, message = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (document.RootElement.TryGetProperty("error_code", out var c)) code = c.GetString();
                if (document.RootElement.TryGetProperty("message", out var m)) message = m.GetString();
                else if (document.RootElement.TryGetProperty("error", out var e)) message = e.GetString();
            }
        }
        catch (JsonException) { }
        message ??= body.Length > 500 ? body[..500] : body;
        if (status is >= 400 and < 500 || status == 503 && code == ErrorCodes.TemporarilyUnavailable)
            return new CairnException(code ?? (status == 404 ? ErrorCodes.ResourceDoesNotExist : ErrorCodes.BadRequest), message);
        return new ReplicaFailedException(replicaId, status, message);
    }
}
