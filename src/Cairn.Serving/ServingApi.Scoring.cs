using System.Text.Json;
using Cairn.Serving.Protocols;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Serving;

/// <summary>The MLflow-family scoring routes: MLflow's <c>/invocations</c> (also SageMaker's) and Azure ML's <c>/score</c>.</summary>
public static partial class ServingApi
{
    /// <summary>
    /// MLflow scoring: Content-Type checked as MLflow checks it (415, plain text), JSON or CSV in,
    /// <c>{"predictions": ...}</c> in MLflow's shape out, or CSV lines when <c>Accept</c> prefers text/csv (SageMaker).
    /// </summary>
    private static async Task<IResult> ScoreMlflowAsync(HttpContext http, IServingTarget host, InferenceLog? log, string protocol)
    {
        if (ScoringMediaType.Check(http.Request.ContentType, out var mediaType) is { } refused) return refused;
        var model = host.ModelFor(http);
        var signature = model.Predictor.Signature;
        var rows = mediaType == ScoringMediaType.Csv
            ? ScoringInput.FromCsv(await ReadTextAsync(http), signature)
            : ScoringInput.FromJson(await ReadJson(http), signature);
        var results = await Predict(http, host, model, rows, log, protocol);
        if (ScoringMediaType.WantsCsv(http.Request))
            return Results.Text(ScoringOutput.Csv(results, signature), ScoringMediaType.Csv, System.Text.Encoding.UTF8);
        return Results.Json(new { predictions = ScoringOutput.Mlflow(results, signature) }, Json);
    }

    /// <summary>
    /// Azure ML: its own bodies, <c>{"input_data": ...}</c> (MLflow deployments) and <c>{"data": [...]}</c>
    /// (custom scripts), answer the predictions themselves, as Azure's MLflow server does; MLflow's
    /// formats answer as on <c>/invocations</c>.
    /// </summary>
    private static async Task<IResult> ScoreAzureAsync(HttpContext http, IServingTarget host, InferenceLog? log)
    {
        if (ScoringMediaType.Check(http.Request.ContentType, out var mediaType) is { } refused) return refused;
        var model = host.ModelFor(http);
        var signature = model.Predictor.Signature;
        if (mediaType == ScoringMediaType.Csv)
        {
            var csvResults = await Predict(http, host, model, ScoringInput.FromCsv(await ReadTextAsync(http), signature), log, "azure");
            return Results.Json(new { predictions = ScoringOutput.Mlflow(csvResults, signature) }, Json);
        }
        var root = await ReadJson(http);
        var azure = ScoringInput.IsAzureFormat(root);
        var rows = azure ? ScoringInput.FromAzure(root, signature) : ScoringInput.FromJson(root, signature);
        var results = await Predict(http, host, model, rows, log, "azure");
        var predictions = ScoringOutput.Mlflow(results, signature);
        return azure ? Results.Json(predictions, Json) : Results.Json(new { predictions }, Json);
    }

    /// <summary>
    /// <c>GET /</c>, mapped once for both protocols that probe it: KServe V1's server liveness
    /// (<c>{"status": "alive"}</c>, what KServe's client reads) and Azure ML's liveness probe (any 200).
    /// </summary>
    private static void MapRootLiveness(IEndpointRouteBuilder app)
    {
        if (RootMapped.TryAdd(app, new object())) app.MapGet("/", () => Results.Json(new { status = "alive" }, Json));
    }

    /// <summary>The route builders that have <c>GET /</c> already (a second mapping would make every request to it ambiguous).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IEndpointRouteBuilder, object> RootMapped = new();

    private static async Task<string> ReadTextAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body, System.Text.Encoding.UTF8);
        return await reader.ReadToEndAsync(http.RequestAborted);
    }
}
