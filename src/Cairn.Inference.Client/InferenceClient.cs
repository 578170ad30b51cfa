using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Cairn.Models;
using Cairn.Serving.Protocols;

namespace Cairn.Serving;

/// <summary>What to ask of an inference besides the inputs.</summary>
/// <param name="Version">A model version the server must be serving; null for whichever it serves.</param>
/// <param name="Outputs">The outputs wanted; null for all of them.</param>
/// <param name="Binary">Send the inputs and ask for the outputs as binary tensor data (fast for large batches); false for plain JSON.</param>
/// <param name="Id">A request id the server echoes (and logs).</param>
public sealed record InferOptions(string? Version = null, IReadOnlyList<string>? Outputs = null, bool Binary = true, string? Id = null);

/// <summary>A server's answer: each output as a typed column (uint[] for UINT32, string[] for BYTES ...).</summary>
public sealed record InferResult(string ModelName, string? ModelVersion, string? Id, IReadOnlyList<TensorColumn> Outputs)
{
    /// <summary>The output called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The answer has no such output (the message lists those it has).</exception>
    public TensorColumn this[string name] => Outputs.FirstOrDefault(o => o.Name == name)
        ?? throw new KeyNotFoundException($"The answer has no output '{name}'; it has {string.Join(", ", Outputs.Select(o => o.Name))}.");
}

/// <summary>
/// A client for any server on the Open Inference Protocol v2 (cairn serve, KServe, Triton, Seldon
/// MLServer): readiness, metadata and inference over typed columns, with the binary tensor data
/// extension by default so that large batches skip JSON number formatting on both sides.
/// Errors come back as <see cref="CairnException"/> with the server's message.
/// </summary>
public sealed class InferenceClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TlsTrust _tls;

    /// <summary>A client for the server at <paramref name="baseAddress"/>.</summary>
    /// <param name="baseAddress">The server's root (the client appends <c>/v2/models/...</c>); ignored when <paramref name="http"/> already has a base address.</param>
    /// <param name="http">An HttpClient to send through (not disposed with this client); null to create and own one.</param>
    /// <param name="tls">How the client this one creates checks an https server's certificate (a private CA's bundle); null: against the system's roots.</param>
    public InferenceClient(Uri baseAddress, HttpClient? http = null, TlsTrust? tls = null)
    {
        _ownsHttp = http is null;
        _tls = tls ?? TlsTrust.System;
        _http = http ?? new HttpClient(_tls.CreateHandler());
        if (_http.BaseAddress is null) _http.BaseAddress = baseAddress;
    }

    /// <summary>Whether the server says the model (and version) is ready; false when it is unknown there.</summary>
    public async Task<bool> IsReadyAsync(string model, string? version = null, CancellationToken ct = default)
    {
        using var response = await SendAsync(() => _http.GetAsync(ModelPath(model, version) + "/ready", ct)).ConfigureAwait(false);
        return response.IsSuccessStatusCode;
    }

    /// <summary>The model's metadata as the server describes it (name, versions, platform, inputs, outputs).</summary>
    /// <exception cref="CairnException">The server answered with an error (404 for an unknown model).</exception>
    public async Task<JsonElement> MetadataAsync(string model, string? version = null, CancellationToken ct = default)
    {
        using var response = await SendAsync(() => _http.GetAsync(ModelPath(model, version), ct)).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw Error(response, body);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>Scores <paramref name="rows"/> rows given as one column per input (batch first).</summary>
    /// <param name="model">The model name the server serves it under.</param>
    /// <param name="inputs">One column per model input, each holding <paramref name="rows"/> × its width values.</param>
    /// <param name="rows">The batch size, sent as each input's first dimension.</param>
    /// <param name="options">Version, wanted outputs, binary or JSON, request id; null for the defaults (binary, all outputs).</param>
    /// <param name="ct">Cancels the request.</param>
    /// <exception cref="CairnException">No inputs, an input whose length does not match rows × width, a server error, or an answer that does not add up.</exception>
    public async Task<InferResult> InferAsync(string model, IReadOnlyList<TensorColumn> inputs, int rows, InferOptions? options = null, CancellationToken ct = default)
    {
        options ??= new InferOptions();
        if (inputs.Count == 0) throw CairnException.InvalidParameter("An inference request needs at least one input.");
        foreach (var input in inputs)
            if (input.Values.Length != (long)rows * input.Width)
                throw CairnException.InvalidParameter($"Input '{input.Name}' has {input.Values.Length} values; {rows} rows of {input.Width} need {(long)rows * input.Width}.");
        var body = new ArrayBufferWriter<byte>(64 * 1024);
        int jsonLength;
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            if (options.Id is not null) json.WriteString("id", options.Id);
            json.WriteStartArray("inputs");
            foreach (var input in inputs)
            {
                json.WriteStartObject();
                json.WriteString("name", input.Name);
                json.WriteStartArray("shape");
                json.WriteNumberValue(rows);
                if (input.Width != 1) json.WriteNumberValue(input.Width);
                json.WriteEndArray();
                json.WriteString("datatype", OpenInferenceDatatypes.Datatype(input.Values.GetType().GetElementType()!));
                if (options.Binary)
                {
                    json.WriteStartObject("parameters");
                    json.WriteNumber("binary_data_size", BinaryTensorData.EncodedSize(input.Values));
                    json.WriteEndObject();
                }
                else
                {
                    json.WritePropertyName("data");
                    OpenInferenceJson.WriteData(json, input.Values);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (options.Outputs is { } outputs)
            {
                json.WriteStartArray("outputs");
                foreach (var output in outputs)
                {
                    json.WriteStartObject();
                    json.WriteString("name", output);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            if (options.Binary)
            {
                json.WriteStartObject("parameters");
                json.WriteBoolean("binary_data_output", true);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.Flush();
            jsonLength = body.WrittenCount;
        }
        if (options.Binary)
            foreach (var input in inputs) BinaryTensorData.Encode(input.Values, body);

        using var content = new ReadOnlyMemoryContent(body.WrittenMemory);
        content.Headers.ContentType = new MediaTypeHeaderValue(options.Binary ? "application/octet-stream" : "application/json");
        if (options.Binary) content.Headers.Add(BinaryTensorData.HeaderLength, jsonLength.ToString(CultureInfo.InvariantCulture));
        using var response = await SendAsync(() => _http.PostAsync(ModelPath(model, options.Version) + "/infer", content, ct)).ConfigureAwait(false);
        var answer = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw Error(response, answer);
        return ReadAnswer(response, answer);
    }

    /// <summary>A certificate the client does not trust is the user's to fix: said as a <see cref="CairnException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send().ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            throw new CairnException(ErrorCodes.InvalidParameterValue, _tls.HandshakeFailure(_http.BaseAddress!, e), e);
        }
    }

    private static InferResult ReadAnswer(HttpResponseMessage response, byte[] answer)
    {
        var jsonLength = answer.Length;
        if (response.Headers.TryGetValues(BinaryTensorData.HeaderLength, out var values) || response.Content.Headers.TryGetValues(BinaryTensorData.HeaderLength, out values))
            if (!int.TryParse(values.First(), NumberStyles.None, CultureInfo.InvariantCulture, out jsonLength) || jsonLength > answer.Length)
                throw new CairnException(ErrorCodes.InternalError, $"The server's {BinaryTensorData.HeaderLength} header ({values.First()}) is not a length within its {answer.Length}-byte answer.");
        using var document = JsonDocument.Parse(answer.AsMemory(0, jsonLength));
        var root = document.RootElement;
        var binaryAt = jsonLength;
        var outputs = new List<TensorColumn>();
        foreach (var output in root.GetProperty("outputs").EnumerateArray())
        {
            var name = output.GetProperty("name").GetString()!;
            var datatype = output.GetProperty("datatype").GetString()!;
            var shape = output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var count = shape.Aggregate(1L, (a, d) => a * d);
            Array data;
            if (output.TryGetProperty("parameters", out var parameters) && parameters.TryGetProperty("binary_data_size", out var size))
            {
                var bytes = size.GetInt32();
                if (bytes > answer.Length - binaryAt)
                    throw new CairnException(ErrorCodes.InternalError, $"Output '{name}' claims {bytes} bytes of binary data; the answer has {answer.Length - binaryAt} left.");
                data = BinaryTensorData.DecodeExact(answer.AsSpan(binaryAt, bytes), datatype, count, name);
                binaryAt += bytes;
            }
            else data = ReadJsonData(output.GetProperty("data"), datatype, count, name);
            var rows = shape.Length == 0 ? 1 : shape[0];
            outputs.Add(new TensorColumn(name, data, rows == 0 ? 1 : (int)(count / rows)));
        }
        string? Text(string property) => root.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new InferResult(Text("model_name") ?? "", Text("model_version"), Text("id"), outputs);
    }

    /// <summary>A JSON data array (nested or flat) as an array of the datatype's own element type.</summary>
    private static Array ReadJsonData(JsonElement data, string datatype, long count, string name)
    {
        var flat = new List<JsonElement>();
        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Array) foreach (var item in e.EnumerateArray()) Walk(item);
            else flat.Add(e);
        }
        Walk(data);
        if (flat.Count != count)
            throw new CairnException(ErrorCodes.InternalError, $"Output '{name}' has {flat.Count} values but its shape says {count}.");
        T[] All<T>(Func<JsonElement, T> read) => flat.Select(read).ToArray();
        return datatype switch
        {
            // NaN and the infinities come as strings ("NaN", "Infinity", "-Infinity").
            "FP32" or "FP16" => All(e => e.ValueKind == JsonValueKind.String ? float.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : e.GetSingle()),
            "FP64" => All(e => e.ValueKind == JsonValueKind.String ? double.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : e.GetDouble()),
            "INT8" => All(e => e.GetSByte()),
            "INT16" => All(e => e.GetInt16()),
            "INT32" => All(e => e.GetInt32()),
            "INT64" => All(e => e.GetInt64()),
            "UINT8" => All(e => e.GetByte()),
            "UINT16" => All(e => e.GetUInt16()),
            "UINT32" => All(e => e.GetUInt32()),
            "UINT64" => All(e => e.GetUInt64()),
            "BOOL" => All(e => e.GetBoolean()),
            _ => All(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()),
        };
    }

    /// <summary>The server's error as a CairnException: its error_code and message when it sends them (cairn serve does), else the status and body.</summary>
    private static CairnException Error(HttpResponseMessage response, byte[] body)
    {
        var status = (int)response.StatusCode;
        var code = status switch
        {
            404 => ErrorCodes.ResourceDoesNotExist,
            429 or 503 => ErrorCodes.TemporarilyUnavailable,
            >= 400 and < 500 => ErrorCodes.InvalidParameterValue,
            _ => ErrorCodes.InternalError,
        };
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String)
                return new CairnException(root.TryGetProperty("error_code", out var c) && c.GetString() is { } given ? given : code, error.GetString()!);
        }
        catch (JsonException)
        {
            // Not JSON: the status and the text below.
        }
        var text = System.Text.Encoding.UTF8.GetString(body);
        return new CairnException(code, $"The inference server answered {status} {response.ReasonPhrase}: {(text.Length > 300 ? text[..300] + "..." : text)}");
    }

    private static string ModelPath(string model, string? version) =>
        $"/v2/models/{Uri.EscapeDataString(model)}" + (version is null ? "" : $"/versions/{Uri.EscapeDataString(version)}");

    /// <summary>Disposes the HttpClient if this client created it.</summary>
    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
