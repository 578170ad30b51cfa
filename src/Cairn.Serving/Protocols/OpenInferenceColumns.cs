using System.Buffers;
using System.Text.Json;
using Cairn.Models;

namespace Cairn.Serving.Protocols;

/// <summary>An OIP v2 request read straight into typed columns: the fast path for large batches, and how binary tensor data is read.</summary>
/// <param name="Outputs">The outputs asked for, or null for all of them.</param>
/// <param name="BinaryOutput">Whether an output is to be returned as binary data (binary tensor data extension).</param>
public sealed record ColumnarInferRequest(string? Id, IReadOnlyList<TensorColumn> Inputs, int Rows, IReadOnlyList<string>? Outputs, Func<string, bool> BinaryOutput);

/// <summary>
/// Reads an Open Inference Protocol v2 request into one typed array per tensor (float[] for FP32,
/// long[] for the integer types, string[] for BYTES ...) and writes the response from typed
/// arrays, with no dictionary or boxed value per row. Checks what <see cref="OpenInference.ToRows"/>
/// checks, with the same messages. Tensors may come as binary data after the JSON object
/// (<see cref="BinaryTensorData"/>).
/// </summary>
public static class OpenInferenceColumns
{
    /// <summary>What the first pass learns of an input tensor: its header, where its JSON data lies, or its values when they came as binary data.</summary>
    private sealed record TensorHeader(string Name, long[] Shape, long Count, long Width, string? Datatype, Range? Data, Array? Values);

    /// <summary>
    /// Reads the request straight from its UTF-8 JSON, without a document: a first pass over the
    /// structure notes where each tensor's data lies (skipping it), then each tensor's values are
    /// read into its typed array, one tensor per core when there are many.
    /// </summary>
    /// <param name="json">The JSON object.</param>
    /// <param name="binary">What follows the JSON object in the body (binary tensor data extension), or empty.</param>
    /// <param name="check">Checks each input's name, shape and datatype against the model (<see cref="OpenInferenceContract.CheckInput"/>) before its values are read.</param>
    public static ColumnarInferRequest Read(ReadOnlyMemory<byte> json, ReadOnlySpan<byte> binary = default, Action<string, long[], string>? check = null)
    {
        var binaryAt = 0L;
        var reader = new Utf8JsonReader(json.Span);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw CairnException.InvalidParameter("The inference request must be a JSON object.");
        string? id = null;
        Range? outputsAt = null, parametersAt = null;
        var tensors = new List<TensorHeader>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.GetString();
            reader.Read();
            switch (property)
            {
                case "id":
                    id = reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.Null => null,
                        _ => throw CairnException.InvalidParameter($"The request's 'id' must be a string; got {Raw(json.Span, ref reader)}."),
                    };
                    break;
                case "inputs" when reader.TokenType == JsonTokenType.StartArray:
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        var tensor = ReadTensorHeader(ref reader, json.Span, binary, ref binaryAt, check);
                        if (tensors.Any(t => t.Name == tensor.Name)) throw OpenInference.DuplicateInput(tensor.Name);
                        tensors.Add(tensor);
                    }
                    break;
                case "outputs":
                    outputsAt = Slice(ref reader);
                    break;
                case "parameters":
                    parametersAt = Slice(ref reader);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        reader.Read(); // nothing may follow the object: the reader throws on anything but whitespace, as a document would
        if (tensors.Count == 0) throw CairnException.InvalidParameter("The inference request has no 'inputs'.");

        // JSON data, the costly part, one tensor per core; then the checks in input order, so a
        // request with several faults always gets the same message.
        var read = new Array?[tensors.Count];
        var failed = new Exception?[tensors.Count];
        var jsonValues = tensors.Where(t => t.Values is null).Sum(t => t.Count);
        Parallel.For(0, tensors.Count, new ParallelOptions { MaxDegreeOfParallelism = jsonValues >= ParallelValues ? Environment.ProcessorCount : 1 }, i =>
        {
            var t = tensors[i];
            try
            {
                read[i] = t.Values ?? ReadData(t.Data is { } data ? json.Span[data] : default, t.Data is not null, t.Datatype, t.Count, t.Width, t.Name);
            }
            catch (CairnException e)
            {
                failed[i] = e;
            }
        });
        var columns = new List<TensorColumn>();
        var rows = -1L;
        for (var i = 0; i < tensors.Count; i++)
        {
            var (name, shape, _, width, _, _, _) = tensors[i];
            if (failed[i] is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            if (rows >= 0 && shape[0] != rows)
                throw CairnException.InvalidParameter($"Input tensor '{name}' has {shape[0]} rows but another input has {rows}: every input needs the same batch size.");
            rows = shape[0];
            columns.Add(new TensorColumn(name, read[i]!, (int)width));
        }
        if (binaryAt != binary.Length)
            throw CairnException.InvalidParameter($"The request has {binary.Length} bytes of binary data after the JSON object, but its inputs' binary_data_size add up to {binaryAt}.");

        using var outputsDocument = outputsAt is { } o ? JsonDocument.Parse(json[o]) : null;
        using var parametersDocument = parametersAt is { } p ? JsonDocument.Parse(json[p]) : null;
        var requested = outputsDocument?.RootElement is { ValueKind: JsonValueKind.Array } list && list.GetArrayLength() > 0 ? list.EnumerateArray().ToList() : null;
        var outputs = requested?.Select(x => x.ValueKind == JsonValueKind.Object && x.TryGetProperty("name", out var on)
            ? on.ValueKind == JsonValueKind.String ? on.GetString()! : throw CairnException.InvalidParameter($"A requested output's 'name' must be a string; got {on.GetRawText()}.")
            : "").ToList();
        var binaryByDefault = (parametersDocument is null ? null : FlagIn(parametersDocument.RootElement, "binary_data_output")) ?? false;
        var binaryByName = new Dictionary<string, bool>();
        foreach (var (output, name) in requested?.Zip(outputs!) ?? [])
            if (Flag(output, "binary_data") is { } flag) binaryByName[name] = flag; // an output named twice: the last one says
        return new ColumnarInferRequest(id, columns, (int)rows, outputs, name => binaryByName.TryGetValue(name, out var b) ? b : binaryByDefault);
    }

    /// <summary>Where the value the reader is on lies in the JSON; the reader is left at its end.</summary>
    private static Range Slice(ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return start..(int)reader.BytesConsumed;
    }

    /// <summary>One object of <c>inputs</c>: its name, shape and datatype; its data's place, or its values when they are binary data (decoded here: a span cannot cross threads).</summary>
    private static TensorHeader ReadTensorHeader(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, ReadOnlySpan<byte> binary, ref long binaryAt, Action<string, long[], string>? check)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw CairnException.InvalidParameter("An input tensor has no 'name'.");
        string? name = null, datatype = null;
        long[]? shape = null;
        Range? data = null, parameters = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.GetString();
            reader.Read();
            switch (property)
            {
                case "name":
                    name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    break;
                case "datatype":
                    datatype = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    break;
                case "shape" when reader.TokenType == JsonTokenType.StartArray:
                    var dims = new List<long>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        dims.Add(reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var d) ? d : -1);
                        reader.Skip();
                    }
                    shape = [.. dims];
                    break;
                case "data":
                    data = Slice(ref reader);
                    break;
                case "parameters":
                    parameters = Slice(ref reader);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (name is not { Length: > 0 }) throw CairnException.InvalidParameter("An input tensor has no 'name'.");
        if (shape is not { Length: > 0 } || shape.Any(d => d < 0))
            throw CairnException.InvalidParameter($"Input tensor '{name}' needs a 'shape' of non-negative dimensions, batch first.");
        var count = OpenInferenceContract.ElementCount(name, shape);
        if (datatype is not null) check?.Invoke(name, shape, datatype);
        var width = shape[0] == 0 ? 1 : count / shape[0];
        Array? values = null;
        if (parameters is { } at && BinaryDataSize(json[at], name) is { } size)
        {
            if (data is not null) throw OpenInference.BothDataAndBinary(name);
            if (size > binary.Length - binaryAt)
                throw CairnException.InvalidParameter(binary.IsEmpty
                    ? $"Input tensor '{name}' has binary_data_size, but the request has no {BinaryTensorData.HeaderLength} header to say where its JSON ends."
                    : $"Input tensor '{name}' has binary_data_size {size}, but only {binary.Length - binaryAt} bytes of binary data are left after the JSON object.");
            values = BinaryTensorData.Decode(binary.Slice((int)binaryAt, (int)size), datatype ?? "", count, name);
            binaryAt += size;
        }
        return new TensorHeader(name, shape, count, width, datatype, data, values);
    }

    /// <summary>Below this many JSON values in all, tensors are read on the request's thread alone.</summary>
    private const long ParallelValues = 8192;

    private delegate bool ValueReader<T>(ref Utf8JsonReader reader, out T value);

    private static Array ReadData(ReadOnlySpan<byte> data, bool given, string? datatype, long count, long width, string name)
    {
        if (!given) throw CairnException.InvalidParameter($"Input tensor '{name}' has no 'data'.");
        var tensor = new TensorData(name, datatype ?? "", count, width);
        return datatype switch
        {
            // Out of range (1e400) reads as infinite: refused, as JSON holds no infinities. null and "NaN" are missing: NaN.
            "FP32" or "FP16" => Fill(data, tensor, (ref Utf8JsonReader r, out float v) => { v = float.NaN; return IsMissing(ref r) || r.TokenType == JsonTokenType.Number && r.TryGetSingle(out v) && float.IsFinite(v); }),
            "FP64" => Fill(data, tensor, (ref Utf8JsonReader r, out double v) => { v = double.NaN; return IsMissing(ref r) || r.TokenType == JsonTokenType.Number && r.TryGetDouble(out v) && double.IsFinite(v); }),
            "INT8" or "INT16" or "INT32" or "INT64" or "UINT8" or "UINT16" or "UINT32" or "UINT64" =>
                Fill(data, tensor, (ref Utf8JsonReader r, out long v) => { v = 0; return r.TokenType == JsonTokenType.Number && r.TryGetInt64(out v); }),
            "BOOL" => Fill(data, tensor, (ref Utf8JsonReader r, out bool v) => { v = r.TokenType == JsonTokenType.True; return r.TokenType is JsonTokenType.True or JsonTokenType.False; }),
            "BYTES" => Fill(data, tensor, (ref Utf8JsonReader r, out string v) => { v = r.TokenType is JsonTokenType.String or JsonTokenType.Null ? r.GetString()! : ""; return r.TokenType is JsonTokenType.String or JsonTokenType.Null; }),
            _ => throw CairnException.InvalidParameter($"Input tensor '{name}' has datatype '{datatype}': expected BOOL, INT8..INT64, UINT8..UINT64, FP16, FP32, FP64 or BYTES."),
        };
    }

    /// <summary>How many values the data holds, nested arrays flattened (an object counts as one).</summary>
    private static long CountValues(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        var count = 0L;
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.EndArray) continue;
            count++;
            reader.Skip();
        }
        return count;
    }

    /// <summary>A boolean in the object's <c>parameters</c>, or null.</summary>
    internal static bool? Flag(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("parameters", out var p) ? FlagIn(p, name) : null;

    /// <summary>A boolean of a <c>parameters</c> object, or null.</summary>
    private static bool? FlagIn(JsonElement parameters, string name) =>
        parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    private static long? BinaryDataSize(ReadOnlySpan<byte> parameters, string name)
    {
        var reader = new Utf8JsonReader(parameters);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        long? size = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = reader.GetString();
            reader.Read();
            if (property == "binary_data_size")
                size = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var bytes) && bytes >= 0
                    ? bytes : throw CairnException.InvalidParameter($"Input tensor '{name}' has binary_data_size {Raw(parameters, ref reader)}: expected a non-negative integer.");
            reader.Skip();
        }
        return size;
    }

    /// <summary>The JSON text of the value the reader is on (an array or object whole).</summary>
    private static string Raw(ReadOnlySpan<byte> json, ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        var copy = reader;
        copy.Skip();
        return System.Text.Encoding.UTF8.GetString(json[start..(int)copy.BytesConsumed]);
    }

    /// <summary>What <see cref="Fill"/> needs to know of a tensor: its name, datatype, value count and values per row.</summary>
    private readonly record struct TensorData(string Name, string Datatype, long Count, long Width);

    /// <summary>Whether the token is a missing value (<see cref="MissingValues"/>): null, or the string "NaN".</summary>
    private static bool IsMissing(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Null || reader.TokenType == JsonTokenType.String && MissingValues.IsNaNText(reader.GetString());

    /// <summary>The tensor's values, flattened row-major, checked against the count its shape needs and against its datatype.</summary>
    private static T[] Fill<T>(ReadOnlySpan<byte> data, TensorData tensor, ValueReader<T> read)
    {
        var (name, datatype, expected, width) = tensor;
        // A value takes a byte and a comma at least: a shape that asks for more than the data can
        // hold is counted and refused before allocating (10^11 rows with three values is a 400, not
        // an out-of-memory). Otherwise a wrong count is reported after the walk, so a bad value is named first.
        if (expected > (data.Length + 1) / 2 && CountValues(data) is var given && given < expected)
            throw CairnException.InvalidParameter($"Input tensor '{name}' has {given} values but its shape needs {expected}.");
        var values = new T[expected];
        var at = 0L;
        var reader = new Utf8JsonReader(data);
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.EndArray) continue;
            if (at < expected && !read(ref reader, out values[at]))
            {
                if (datatype != "BYTES" && IsMissing(ref reader))
                    throw OpenInference.MissingRefused(width == 1 ? name : $"{name}[{at % width}]", datatype, at / width);
                throw CairnException.InvalidParameter($"Invalid value for input '{name}' at position {at}: expected {ModelRows.TypeName(typeof(T))}, got {Raw(data, ref reader)}.");
            }
            reader.Skip();
            at++;
        }
        if (at != expected)
            throw CairnException.InvalidParameter($"Input tensor '{name}' has {at} values but its shape needs {expected}.");
        return values;
    }

    /// <summary>The chosen output columns as response tensors (shape [rows] or [rows, width]).</summary>
    public static IReadOnlyList<OutputTensor> ToTensors(IEnumerable<TensorColumn> columns, int rows) => columns.Select(c => new OutputTensor(
        c.Name, c.Width > 1 ? [rows, c.Width] : [rows], OpenInferenceDatatypes.Datatype(c.Values.GetType().GetElementType()!), c.Values)).ToList();

    /// <summary>
    /// Writes the response as <see cref="InferResponse"/> would serialize (snake_case, typed data
    /// arrays); an output <paramref name="binary"/> picks goes after the JSON object as binary data,
    /// its size in its <c>binary_data_size</c> parameter. Returns the JSON object's length.
    /// </summary>
    /// <param name="parameters">Writes the response's <c>parameters</c> object's members, when given (the explain route's method and base value).</param>
    public static int Write(IBufferWriter<byte> output, string model, string version, string? id, IReadOnlyList<OutputTensor> outputs, Func<string, bool>? binary = null,
        Action<Utf8JsonWriter>? parameters = null)
    {
        bool AsBinary(OutputTensor tensor) => binary is not null && IsBinary(tensor, binary);
        // Formatting numbers is most of a large JSON answer's cost: large ones are formatted one tensor per core first.
        var formatted = new ReadOnlyMemory<byte>?[outputs.Count];
        if (outputs.Where(t => !AsBinary(t)).Sum(t => (long)t.Data.Length) >= ParallelValues)
            Parallel.For(0, outputs.Count, i =>
            {
                if (AsBinary(outputs[i])) return;
                var buffer = new ArrayBufferWriter<byte>(outputs[i].Data.Length * 12);
                using (var data = new Utf8JsonWriter(buffer)) OpenInferenceJson.WriteData(data, outputs[i].Data);
                formatted[i] = buffer.WrittenMemory;
            });
        var counted = new CountingWriter(output);
        using (var json = new Utf8JsonWriter(counted))
        {
            json.WriteStartObject();
            json.WriteString("model_name", model);
            json.WriteString("model_version", version);
            if (id is null) json.WriteNull("id"); else json.WriteString("id", id);
            if (parameters is not null)
            {
                json.WriteStartObject("parameters");
                parameters(json);
                json.WriteEndObject();
            }
            json.WriteStartArray("outputs");
            for (var i = 0; i < outputs.Count; i++)
            {
                var tensor = outputs[i];
                json.WriteStartObject();
                json.WriteString("name", tensor.Name);
                json.WriteStartArray("shape");
                foreach (var d in tensor.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteString("datatype", tensor.Datatype);
                if (AsBinary(tensor))
                {
                    json.WriteStartObject("parameters");
                    json.WriteNumber("binary_data_size", BinaryTensorData.EncodedSize(tensor.Data));
                    json.WriteEndObject();
                }
                else
                {
                    json.WritePropertyName("data");
                    if (formatted[i] is { } raw) json.WriteRawValue(raw.Span, skipInputValidation: true);
                    else OpenInferenceJson.WriteData(json, tensor.Data);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        foreach (var tensor in outputs.Where(AsBinary)) BinaryTensorData.Encode(tensor.Data, output);
        return counted.Written;
    }

    /// <summary>Whether the tensor goes out as binary data: asked for, and not holding nulls (which have no binary form).</summary>
    public static bool IsBinary(OutputTensor tensor, Func<string, bool> binary) => binary(tensor.Name) && tensor.Data is not object[];

    /// <summary>Counts what the JSON writer writes, so the JSON object's length is known without a second buffer.</summary>
    private sealed class CountingWriter(IBufferWriter<byte> inner) : IBufferWriter<byte>
    {
        public int Written { get; private set; }
        public void Advance(int count) { Written += count; inner.Advance(count); }
        public Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);
        public Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
    }
}
