using System.Text.Json;
using Cairn.Models;
using Cairn.Serving.Protocols;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Serving;

/// <summary>The protocol routes over one <see cref="IServingTarget"/> (a model, or an endpoint's router). Each group maps one cloud's contract.</summary>
public static partial class ServingApi
{
    // Relaxed escaping: labels and messages read as written (it's, not it\u0027s) in curl. A NaN or
    // infinite prediction is written as the string "NaN" / "Infinity" (JSON numbers cannot hold it), as the OIP writer does.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString | System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>MLflow scoring (also SageMaker's container contract): /invocations, /ping, /health, /version.</summary>
    public static IEndpointRouteBuilder MapMlflowScoring(this IEndpointRouteBuilder app, IServingTarget host, InferenceLog? log)
    {
        app.MapPost("/invocations", (Delegate)((HttpContext http) => ScoreMlflowAsync(http, host, log, "mlflow")));
        app.MapGet("/ping", () => Results.Text("\n", "application/json"));
        app.MapGet("/health", () => Results.Text("\n", "application/json"));
        app.MapGet("/version", () => Results.Text(typeof(ServingApi).Assembly.GetName().Version?.ToString(3) ?? "0"));
        return app;
    }

    /// <summary>Azure ML online endpoints: POST /score, liveness GET / (shared with KServe V1).</summary>
    public static IEndpointRouteBuilder MapAzureScoring(this IEndpointRouteBuilder app, IServingTarget host, InferenceLog? log)
    {
        app.MapPost("/score", (Delegate)((HttpContext http) => ScoreAzureAsync(http, host, log)));
        MapRootLiveness(app);
        return app;
    }

    /// <summary>Vertex AI custom containers: AIP_HEALTH_ROUTE and AIP_PREDICT_ROUTE, {"instances"} in, {"predictions"} out.</summary>
    public static IEndpointRouteBuilder MapVertex(this IEndpointRouteBuilder app, IServingTarget host, InferenceLog? log, string healthRoute, string predictRoute)
    {
        app.MapGet(healthRoute, () => Results.Ok());
        app.MapPost(predictRoute, async (HttpContext http) =>
        {
            var root = await ReadJson(http);
            if (!root.TryGetProperty("instances", out _))
                throw CairnException.InvalidParameter("A Vertex AI prediction request is {\"instances\": [...]}.");
            var model = host.ModelFor(http);
            var rows = ScoringInput.FromJson(root, model.Predictor.Signature);
            return Results.Json(new { predictions = ScoringOutput.Rows(await Predict(http, host, model, rows, log, "vertex"), model.Predictor.Signature) }, Json);
        });
        return app;
    }

    /// <summary>
    /// KServe's V1 data plane (TensorFlow Serving's REST shape): <c>GET /</c>, the model list, readiness, and
    /// <c>:predict</c> with <c>{"instances": [...]}</c> or <c>{"inputs": ...}</c> in, <c>{"predictions": [...]}</c> out in the row format.
    /// </summary>
    public static IEndpointRouteBuilder MapKServeV1(this IEndpointRouteBuilder app, IServingTarget host, InferenceLog? log)
    {
        app.MapGet("/v1/models", () => Results.Json(new { models = new[] { host.Name } }, Json));
        app.MapGet("/v1/models/{name}", (HttpContext http, string name) => Results.Json(new { name = Resolve(http, host, name, null).Name, ready = true }, Json));
        app.MapPost("/v1/models/{name}:predict", async (HttpContext http, string name) =>
        {
            var model = Resolve(http, host, name, null);
            var rows = await ReadKServeV1RowsAsync(http, model);
            return Results.Json(new { predictions = ScoringOutput.Rows(await Predict(http, host, model, rows, log, "kserve-v1"), model.Predictor.Signature) }, Json);
        });
        MapKServeV1Explain(app, host);
        MapRootLiveness(app);
        return app;
    }

    /// <summary>A KServe V1 request body's rows: <c>{"instances": [...]}</c> or <c>{"inputs": ...}</c>; 400 for anything else.</summary>
    private static async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> ReadKServeV1RowsAsync(HttpContext http, ServedModel model)
    {
        var root = await ReadJson(http);
        if (root.ValueKind != JsonValueKind.Object || !(root.TryGetProperty("instances", out _) || root.TryGetProperty("inputs", out _)))
            throw CairnException.InvalidParameter("A KServe V1 prediction request is {\"instances\": [...]} or {\"inputs\": ...}.");
        return ScoringInput.FromJson(root, model.Predictor.Signature);
    }

    /// <summary>The Open Inference Protocol v2 (KServe, Triton, Seldon MLServer).</summary>
    public static IEndpointRouteBuilder MapOpenInference(this IEndpointRouteBuilder app, IServingTarget host, InferenceLog? log)
    {
        app.MapGet("/v2", () => Results.Json(new { name = "cairn", version = typeof(ServingApi).Assembly.GetName().Version?.ToString(3), extensions = new[] { BinaryTensorData.Extension } }, Json));
        app.MapGet("/v2/health/live", () => Results.Json(new { live = true }, Json));
        app.MapGet("/v2/health/ready", () => Results.Json(new { ready = true }, Json));
        foreach (var prefix in new[] { "/v2/models/{name}", "/v2/models/{name}/versions/{version}" })
        {
            app.MapGet(prefix, (HttpContext http, string name, string? version) =>
            {
                var model = Resolve(http, host, name, version);
                var s = model.Predictor.Signature;
                return Results.Json(new ModelMetadata(model.Name, [model.Version], model.Predictor.Flavor == "onnx" ? "onnxruntime_onnx" : "mlnet",
                    s.Inputs.Select(OpenInference.Describe).ToList(), s.Outputs.Select(OpenInference.Describe).ToList()), Json);
            });
            app.MapGet(prefix + "/ready", (HttpContext http, string name, string? version) => Results.Json(new { name = Resolve(http, host, name, version).Name, ready = true }, Json));
            app.MapPost(prefix + "/infer", async (HttpContext http, string name, string? version) =>
            {
                var model = Resolve(http, host, name, version);
                OpenInferenceContentType.Check(http.Request);
                RequestBodyDecoding.Decode(http);
                if (http.Request.Headers.ContainsKey(BinaryTensorData.HeaderLength) || model.Predictor is IColumnPredictor && http.Request.ContentLength is null or >= ColumnarMinBytes)
                    return await InferFromColumnsAsync(http, host, model, log);
                var request = await ReadInferRequestAsync(http);
                var rows = OpenInference.ToRows(request, InputCheck(model));
                if (request.Id is { Length: > 0 } id) http.Items[RequestIdKey] = id;
                var wanted = WantedOutputs(model, request.Outputs?.Select(x => x.Name ?? "").ToList());
                var results = await Predict(http, host, model, rows, log, "oip-v2");
                var tensors = OpenInferenceContract.WithDeclaredShapes(OpenInference.ToTensors(results, wanted), model.Predictor.Signature, rows.Count);
                var binary = OpenInference.BinaryOutputs(request);
                return await WriteInferResponseAsync(http, model, request.Id, tensors, binary);
            });
            MapOpenInferenceExplain(app, host, prefix);
        }
        return app;
    }

    /// <summary>An OIP request body read as JSON tensors; 400 when it is malformed or empty.</summary>
    private static async Task<InferRequest> ReadInferRequestAsync(HttpContext http)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<InferRequest>(http.Request.Body, Json, http.RequestAborted)
                ?? throw CairnException.InvalidParameter("The request body is empty.");
        }
        catch (JsonException e) { throw CairnException.InvalidParameter($"Malformed inference request: {e.Message}"); }
    }

    /// <summary>The check of each input's datatype and shape against the model's metadata, before its values are read.</summary>
    private static Action<string, long[], string> InputCheck(ServedModel model) =>
        (name, shape, datatype) => OpenInferenceContract.CheckInput(model.Predictor.Signature, name, shape, datatype);

    /// <summary>Requests of at least this many rows skip row dictionaries (and the micro-batcher: they are a batch already).</summary>
    public const int ColumnarRows = 256;

    /// <summary>Smaller bodies (a few rows, in practice) are read in one pass as rows; both paths give the same answers.</summary>
    private const long ColumnarMinBytes = 4096;

    /// <summary>The outputs a request asks for (all of the signature's when it names none); 400 for one the model lacks.</summary>
    private static IReadOnlyList<string> WantedOutputs(ServedModel model, IReadOnlyList<string>? requested)
    {
        var signature = model.Predictor.Signature.Outputs.Select(c => c.Name).ToList();
        if (requested is not { Count: > 0 }) return signature;
        var unknown = requested.Except(signature).FirstOrDefault();
        if (unknown is not null) throw CairnException.InvalidParameter($"Unknown output '{unknown}': the model's outputs are {string.Join(", ", signature)}.");
        return requested;
    }

    /// <summary>
    /// A request read straight into columns: a large JSON body, or one in the binary tensor data
    /// extension (the JSON object, then binary tensors). Large batches to a column predictor are
    /// scored as columns, others as rows through the micro-batcher.
    /// </summary>
    private static async Task<IResult> InferFromColumnsAsync(HttpContext http, IServingTarget host, ServedModel model, InferenceLog? log)
    {
        int? jsonLength = null;
        if (http.Request.Headers.TryGetValue(BinaryTensorData.HeaderLength, out var header))
            jsonLength = int.TryParse(header.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length) && length > 0
                ? length : throw CairnException.InvalidParameter($"The {BinaryTensorData.HeaderLength} header must be the JSON object's length in bytes; got '{header}'.");
        // The body is read into a pooled buffer (Kestrel's request size limit bounds it): a fresh
        // array per request would be a large-object allocation, and those bring full collections.
        var body = await ReadBodyAsync(http);
        ColumnarInferRequest request;
        try
        {
            var bytes = body.AsMemory();
            if (jsonLength > bytes.Length)
                throw CairnException.InvalidParameter($"The {BinaryTensorData.HeaderLength} header says the JSON object has {jsonLength} bytes, but the body has {bytes.Length}.");
            var json = jsonLength ?? bytes.Length;
            request = OpenInferenceColumns.Read(bytes[..json], bytes.Span[json..], InputCheck(model)); // copies what it keeps
        }
        catch (JsonException e) { throw CairnException.InvalidParameter($"Malformed inference request: {e.Message}"); }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(body.Array!); }
        if (model.Predictor is IColumnPredictor && request.Rows >= ColumnarRows)
            return await InferColumnsAsync(http, host, model, request, log);
        if (request.Id is { Length: > 0 } id) http.Items[RequestIdKey] = id;
        var wanted = WantedOutputs(model, request.Outputs);
        var results = await Predict(http, host, model, new ColumnRows(request.Inputs, request.Rows), log, "oip-v2");
        var tensors = OpenInferenceContract.WithDeclaredShapes(OpenInference.ToTensors(results, wanted), model.Predictor.Signature, request.Rows);
        return await WriteInferResponseAsync(http, model, request.Id, tensors, request.BinaryOutput);
    }

    /// <summary>The whole request body in a buffer rented from the shared pool; the caller returns it.</summary>
    private static async Task<ArraySegment<byte>> ReadBodyAsync(HttpContext http)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(http.Request.ContentLength is > 0 and < int.MaxValue ? (int)http.Request.ContentLength.Value : 64 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await http.Request.Body.ReadAsync(buffer.AsMemory(length), http.RequestAborted);
                if (read == 0) return new ArraySegment<byte>(buffer, 0, length);
                length += read;
            }
        }
        catch
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>A large OIP request: tensors read into typed arrays, scored as columns, written from typed arrays.</summary>
    private static async Task<IResult> InferColumnsAsync(HttpContext http, IServingTarget host, ServedModel model, ColumnarInferRequest request, InferenceLog? log)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var wanted = WantedOutputs(model, request.Outputs);
        var outputs = ((IColumnPredictor)model.Predictor).PredictColumns(request.Inputs, request.Rows);
        var latency = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (request.Id is { Length: > 0 } given) http.Items[RequestIdKey] = given;
        if (log is not null)
            log.Append(new InferenceEntry(RequestId(http), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), model.Name, model.Version, "oip-v2",
                new ColumnRows(request.Inputs, request.Rows), new ColumnRows(outputs, request.Rows), latency, ServingTargets.VariantOf(http)));
        host.Scored(http, model, new ColumnRows(request.Inputs, request.Rows), new ColumnRows(outputs, request.Rows), latency);
        var tensors = OpenInferenceContract.WithDeclaredShapes(OpenInferenceColumns.ToTensors(wanted.Select(n => outputs.First(o => o.Name == n)), request.Rows),
            model.Predictor.Signature, request.Rows);
        if (tensors.Any(t => OpenInferenceColumns.IsBinary(t, request.BinaryOutput)) || ResponseBodyEncoding.Choose(http.Request) is not null)
            return await WriteInferResponseAsync(http, model, request.Id, tensors, request.BinaryOutput);
        http.Response.ContentType = "application/json; charset=utf-8";
        OpenInferenceColumns.Write(http.Response.BodyWriter, model.Name, model.Version, request.Id, tensors);
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
        return Results.Empty;
    }

    /// <summary>A response that may have binary outputs: the JSON object's length goes in a header, so the body is composed before it is sent.</summary>
    private static async Task<IResult> WriteInferResponseAsync(HttpContext http, ServedModel model, string? id, IReadOnlyList<OutputTensor> tensors, Func<string, bool> binary,
        Action<Utf8JsonWriter>? parameters = null)
    {
        // Sized to the answer (a single-row answer takes a few hundred bytes); it grows if short.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>((int)Math.Min(64 * 1024, 256 + tensors.Sum(t => 16L * t.Data.Length + 64)));
        var jsonLength = OpenInferenceColumns.Write(buffer, model.Name, model.Version, id, tensors, binary, parameters);
        if (buffer.WrittenCount > jsonLength)
        {
            http.Response.Headers[BinaryTensorData.HeaderLength] = jsonLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
            http.Response.ContentType = "application/octet-stream";
        }
        else http.Response.ContentType = "application/json; charset=utf-8";
        await ResponseBodyEncoding.WriteAsync(http, buffer.WrittenMemory);
        return Results.Empty;
    }

    private static ServedModel Resolve(HttpContext http, IServingTarget host, string name, string? version)
    {
        if (name != host.Name) throw CairnException.NotFound($"Model '{name}' is not served here; this server serves '{host.Name}'.");
        var model = host.ModelFor(http, version);
        if (version is not null && version != model.Version) throw CairnException.NotFound($"Version {version} of '{name}' is not served here; this server serves version {model.Version}.");
        return model;
    }

    private const string RequestIdKey = "cairn.request_id";

    /// <summary>Scores through the model's batcher, then offers the request to the inference log (never blocking).</summary>
    private static async Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> Predict(HttpContext http, IServingTarget host, ServedModel model,
        IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, InferenceLog? log, string protocol)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // Enriched rows are what the model scores, so they are also what the log and shadows see.
        if (model.Features is { } features) rows = await features.EnrichAsync(rows, http.RequestAborted);
        var results = await model.PredictAsync(rows);
        var latency = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (log is not null)
        {
            var entry = new InferenceEntry(RequestId(http), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), model.Name, model.Version, protocol, rows, results,
                latency, ServingTargets.VariantOf(http));
            if (!ExplainedInferenceLog.TryAppendExplained(model, log, entry)) log.Append(entry);
        }
        host.Scored(http, model, rows, results, latency);
        return results;
    }

    /// <summary>The request's id: the one the request body gave, else the X-Request-Id header, else a new one (kept for the request, so the log and a shadow copy share it).</summary>
    public static string RequestId(HttpContext http)
    {
        if (http.Items[RequestIdKey] is string id) return id;
        id = http.Request.Headers["x-request-id"] is { Count: > 0 } h ? h.ToString() : Ids.NewId();
        http.Items[RequestIdKey] = id;
        return id;
    }

    private static async Task<JsonElement> ReadJson(HttpContext http)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new CairnException(ErrorCodes.BadRequest, $"Malformed JSON request body: {e.Message}");
        }
    }
}
