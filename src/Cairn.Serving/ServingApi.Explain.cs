using System.Text.Json;
using Cairn.Models.Explain;
using Cairn.Serving.Protocols;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Serving;

/// <summary>The explain routes: SHAP values of the rows a request sends, beside the predictions themselves.</summary>
public static partial class ServingApi
{
    /// <summary>Most rows one explain request may send: an explanation costs many model calls per row.</summary>
    public const int MaxExplainRows = 100;

    /// <summary>The OIP output tensor holding the SHAP values, shaped [rows, features].</summary>
    public const string ShapValuesOutput = "shap_values";

    /// <summary>The OIP output tensor naming the features, in the order of <see cref="ShapValuesOutput"/>'s columns.</summary>
    public const string FeatureNamesOutput = "feature_names";

    /// <summary>
    /// <c>POST {prefix}/explain</c>: an OIP request as on <c>/infer</c> (JSON tensors); the answer has the
    /// prediction tensors <c>/infer</c> would give, <see cref="ShapValuesOutput"/> and <see cref="FeatureNamesOutput"/>,
    /// and <c>parameters</c> with the method, link, explained output and base value.
    /// </summary>
    private static void MapOpenInferenceExplain(IEndpointRouteBuilder app, IServingTarget host, string prefix)
    {
        app.MapPost(prefix + "/explain", async (HttpContext http, string name, string? version) =>
        {
            var model = Resolve(http, host, name, version);
            var explainer = ExplainerOf(model);
            OpenInferenceContentType.Check(http.Request);
            RequestBodyDecoding.Decode(http);
            if (http.Request.Headers.ContainsKey(BinaryTensorData.HeaderLength))
                throw CairnException.InvalidParameter("The explain route takes JSON tensors; the binary tensor data extension is for /infer.");
            var request = await ReadInferRequestAsync(http);
            var rows = OpenInference.ToRows(request, InputCheck(model));
            CheckExplainRows(rows.Count);
            if (request.Id is { Length: > 0 } id) http.Items[RequestIdKey] = id;
            var wanted = WantedOutputs(model, request.Outputs?.Select(x => x.Name ?? "").ToList());
            var results = await model.PredictAsync(rows, http.RequestAborted);
            var explanation = Explain(explainer, rows);
            var tensors = OpenInferenceContract.WithDeclaredShapes(OpenInference.ToTensors(results, wanted), model.Predictor.Signature, rows.Count)
                .Concat(ShapTensors(explanation)).ToList();
            return await WriteInferResponseAsync(http, model, request.Id, tensors, _ => false, json =>
            {
                json.WriteString("method", explanation.Method);
                json.WriteString("link", explanation.Link);
                json.WriteString("output", explanation.OutputName);
                json.WritePropertyName("base_value");
                OpenInferenceJson.WriteData(json, new[] { explanation.BaseValue }); // NaN-safe, as the tensors write numbers
            });
        });
    }

    /// <summary>
    /// KServe V1 <c>POST /v1/models/{name}:explain</c>: instances in as on <c>:predict</c>;
    /// <c>{"explanations": [{"base_value", "output", "values": {feature: shap}}], "predictions": [...]}</c> out.
    /// </summary>
    private static void MapKServeV1Explain(IEndpointRouteBuilder app, IServingTarget host)
    {
        app.MapPost("/v1/models/{name}:explain", async (HttpContext http, string name) =>
        {
            var model = Resolve(http, host, name, null);
            var explainer = ExplainerOf(model);
            var rows = await ReadKServeV1RowsAsync(http, model);
            CheckExplainRows(rows.Count);
            var results = await model.PredictAsync(rows, http.RequestAborted);
            var explanation = Explain(explainer, rows);
            var explanations = explanation.Values.Select((values, r) => new KServeExplanation(explanation.BaseValue, explanation.Outputs[r],
                explanation.Features.Select((f, i) => (f, values[i])).ToDictionary(p => p.f, p => p.Item2))).ToList();
            return Results.Json(new { explanations, predictions = ScoringOutput.Rows(results, model.Predictor.Signature) }, Json);
        });
    }

    private sealed record KServeExplanation(double BaseValue, double Output, Dictionary<string, double> Values);

    private static IModelExplainer ExplainerOf(ServedModel model) => model.Explainer
        ?? throw CairnException.NotFound($"Explanations are off for model '{model.Name}': start the server with `cairn serve ... --explain` to turn them on.");

    private static void CheckExplainRows(int rows)
    {
        if (rows > MaxExplainRows)
            throw new BadHttpRequestException($"An explain request may have at most {MaxExplainRows} rows; this one has {rows}. Split it, or use /infer for predictions alone.",
                StatusCodes.Status413PayloadTooLarge);
    }

    /// <summary>Runs the explainer; a fault of its own (not of the input, which is a 400) becomes <see cref="ExplainerFailedException"/>.</summary>
    private static Explanation Explain(IModelExplainer explainer, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        try
        {
            return explainer.Explain(rows);
        }
        catch (Exception e) when (e is not CairnException and not OperationCanceledException)
        {
            throw new ExplainerFailedException(e);
        }
    }

    private static IEnumerable<OutputTensor> ShapTensors(Explanation explanation)
    {
        var features = explanation.Features.Count;
        var flat = new double[explanation.Values.Count * features];
        for (var r = 0; r < explanation.Values.Count; r++) explanation.Values[r].CopyTo(flat, r * features);
        yield return new OutputTensor(ShapValuesOutput, [explanation.Values.Count, features], "FP64", flat);
        yield return new OutputTensor(FeatureNamesOutput, [features], "BYTES", explanation.Features.ToArray());
    }
}

/// <summary>The explainer failed on a request for a reason of its own; the server answers 500 and keeps scoring on <c>/infer</c>.</summary>
public sealed class ExplainerFailedException(Exception inner) : Exception("The explainer failed on this request.", inner);
