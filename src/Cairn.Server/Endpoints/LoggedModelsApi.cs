using System.Text.Json;
using Cairn.Artifacts;
using Cairn.Protocol;
using Cairn.Server.Security;
using Cairn.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Endpoints;

/// <summary>
/// MLflow 3's logged models, at MLflow's paths: /api/2.0/mlflow/logged-models (create, get,
/// finalize, delete, search, tags, params, artifact listing and download) and
/// /api/2.0/mlflow/runs/outputs. A model's files live under its experiment's artifact root at
/// <c>models/&lt;model id&gt;/artifacts</c>, uploaded and read through the artifact proxy.
/// </summary>
public static class LoggedModelsApi
{
    public static IEndpointRouteBuilder MapLoggedModelsApi(this IEndpointRouteBuilder app, ILoggedModelStore models, IArtifactStore artifacts)
    {
        var group = app.MapGroup("/api/2.0/mlflow/logged-models").WithTags("Logged models");

        group.MapPost("", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<CreateLoggedModelRequest>(http);
            var model = await models.CreateLoggedModelAsync(new NewLoggedModel(ApiIo.Require(body.ExperimentId, "experiment_id"),
                body.Name, body.ModelType, body.SourceRunId, body.Params, body.Tags), http.RequestAborted);
            return ApiIo.Json(new LoggedModelResponse(model));
        }).Requires(Access.Experiment(Need.Update, Field.Body("experiment_id"))).Accepts<CreateLoggedModelRequest>("application/json").Produces<LoggedModelResponse>();

        group.MapGet("/{modelId}", async (HttpContext http, string modelId) =>
            ApiIo.Json(new LoggedModelResponse(await models.GetLoggedModelAsync(modelId, http.RequestAborted)))).Requires(Access.LoggedModel(Need.Read, Field.Route("modelId"))).Produces<LoggedModelResponse>();

        group.MapPatch("/{modelId}", async (HttpContext http, string modelId) =>
        {
            var body = await ApiIo.ReadBodyAsync<FinalizeLoggedModelRequest>(http);
            var model = await models.FinalizeLoggedModelAsync(modelId, Status(body.Status), http.RequestAborted);
            return ApiIo.Json(new LoggedModelResponse(model));
        }).Requires(Access.LoggedModel(Need.Update, Field.Route("modelId"))).Accepts<FinalizeLoggedModelRequest>("application/json").Produces<LoggedModelResponse>();

        group.MapDelete("/{modelId}", async (HttpContext http, string modelId) =>
        {
            await models.DeleteLoggedModelAsync(modelId, http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.LoggedModel(Need.Manage, Field.Route("modelId")));

        group.MapPost("/search", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<SearchLoggedModelsRequest>(http);
            if (body.ExperimentIds is not { Count: > 0 })
                throw CairnException.InvalidParameter("Missing value for required parameter 'experiment_ids': name the experiments to search.");
            // MLflow treats a max_results of 0 as unset.
            var max = body.MaxResults is null or 0 ? LoggedModelQuery.DefaultMaxResults : ApiIo.ToMaxResults(body.MaxResults, LoggedModelQuery.DefaultMaxResults, LoggedModelQuery.MaxMaxResults);
            var page = await models.SearchLoggedModelsAsync(new LoggedModelQuery(body.ExperimentIds, body.Filter, body.Datasets, max, body.OrderBy, body.PageToken), http.RequestAborted);
            return ApiIo.Json(new SearchLoggedModelsResponse(page.Items, page.NextPageToken));
        }).Requires(Access.Experiments(Need.Read, Field.Body("experiment_ids"))).Accepts<SearchLoggedModelsRequest>("application/json").Produces<SearchLoggedModelsResponse>();

        group.MapPatch("/{modelId}/tags", async (HttpContext http, string modelId) =>
        {
            var body = await ApiIo.ReadBodyAsync<SetLoggedModelTagsRequest>(http);
            await models.SetLoggedModelTagsAsync(modelId, body.Tags ?? [], http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.LoggedModel(Need.Update, Field.Route("modelId"))).Accepts<SetLoggedModelTagsRequest>("application/json");

        group.MapDelete("/{modelId}/tags/{key}", async (HttpContext http, string modelId, string key) =>
        {
            await models.DeleteLoggedModelTagAsync(modelId, key, http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.LoggedModel(Need.Update, Field.Route("modelId")));

        group.MapPost("/{modelId}/params", async (HttpContext http, string modelId) =>
        {
            var body = await ApiIo.ReadBodyAsync<LogLoggedModelParamsRequest>(http);
            await models.LogLoggedModelParamsAsync(modelId, body.Params ?? [], http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.LoggedModel(Need.Update, Field.Route("modelId"))).Accepts<LogLoggedModelParamsRequest>("application/json");

        group.MapGet("/{modelId}/artifacts/directories", async (HttpContext http, string modelId) =>
        {
            var model = await models.GetLoggedModelAsync(modelId, http.RequestAborted);
            var root = ArtifactPath.FromUri(model.Info.ArtifactUri);
            var files = await artifacts.ListAsync(ArtifactPath.Combine(root, ApiIo.Query(http, "artifact_directory_path")), http.RequestAborted);
            var relative = files.Select(f => f with { Path = f.Path[(root.Length + 1)..] }).ToList();
            return ApiIo.Json(new ListArtifactsResponse(model.Info.ArtifactUri, relative));
        }).Requires(Access.LoggedModel(Need.Read, Field.Route("modelId"))).Produces<ListArtifactsResponse>();

        // MLflow's UI reads files from the ajax-api path; both are served.
        foreach (var prefix in new[] { "/api/2.0/mlflow/logged-models", "/ajax-api/2.0/mlflow/logged-models" })
            app.MapGet(prefix + "/{modelId}/artifacts/files", async (HttpContext http, string modelId) =>
            {
                var path = ArtifactPath.Normalize(ApiIo.Require(ApiIo.Query(http, "artifact_file_path"), "artifact_file_path"), allowRoot: false);
                var model = await models.GetLoggedModelAsync(modelId, http.RequestAborted);
                var stream = await artifacts.OpenReadAsync(ArtifactPath.Combine(ArtifactPath.FromUri(model.Info.ArtifactUri), path), http.RequestAborted);
                return Results.Stream(stream, "application/octet-stream", fileDownloadName: path[(path.LastIndexOf('/') + 1)..], enableRangeProcessing: true);
            }).Requires(Access.LoggedModel(Need.Read, Field.Route("modelId"))).WithTags("Logged models");

        app.MapPost("/api/2.0/mlflow/runs/outputs", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<LogOutputsRequest>(http);
            await models.LogOutputsAsync(ApiIo.Require(body.RunId, "run_id"), body.Models ?? [], http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.Run(Need.Update, Field.Body("run_id"))).WithTags("Runs").Accepts<LogOutputsRequest>("application/json");

        return app;
    }

    /// <summary>The status of a finalize request: MLflow's enum name, its short form (READY), or its number.</summary>
    private static LoggedModelStatus Status(JsonElement? status)
    {
        if (status is { ValueKind: JsonValueKind.Number } n && n.TryGetInt32(out var number) && Enum.IsDefined((LoggedModelStatus)number))
            return (LoggedModelStatus)number;
        if (status is { ValueKind: JsonValueKind.String } s)
        {
            var text = s.GetString()!.ToUpperInvariant();
            var named = text.StartsWith("LOGGED_MODEL_", StringComparison.Ordinal) ? text : "LOGGED_MODEL_" + text;
            if (named == "LOGGED_MODEL_FAILED") named = "LOGGED_MODEL_UPLOAD_FAILED";
            foreach (var value in Enum.GetValues<LoggedModelStatus>())
                if (JsonNamingPolicy.SnakeCaseUpper.ConvertName(value.ToString()) == named) return value;
        }
        throw CairnException.InvalidParameter($"Invalid or missing 'status' {(status is { } v ? v.GetRawText() : "")}: use LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED.");
    }
}
