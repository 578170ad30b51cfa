using Cairn.Artifacts;
using Cairn.Protocol;
using Cairn.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Endpoints;

/// <summary>
/// MLflow's artifact proxy (/api/2.0/mlflow-artifacts/artifacts/...) and the tracking API's
/// /api/2.0/mlflow/artifacts/list over a run's artifacts.
/// </summary>
public static class ArtifactsApi
{
    private const string ProxyPrefix = "/api/2.0/mlflow-artifacts/artifacts";

    public static IEndpointRouteBuilder MapArtifactsApi(this IEndpointRouteBuilder app, ITrackingStore tracking, IArtifactStore artifacts)
    {
        app.MapPut(ProxyPrefix + "/{**path}", async (HttpContext http, string path) =>
        {
            // Artifacts may be far larger than API requests: lift Kestrel's body limit here only.
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = null;
            await artifacts.PutAsync(ArtifactPath.Normalize(path, allowRoot: false), http.Request.Body, http.RequestAborted);
            return ApiIo.Empty();
        }).WithTags("Artifacts");

        app.MapGet(ProxyPrefix + "/{**path}", async (HttpContext http, string path) =>
        {
            var stream = await artifacts.OpenReadAsync(ArtifactPath.Normalize(path, allowRoot: false), http.RequestAborted);
            return Results.Stream(stream, "application/octet-stream", enableRangeProcessing: true);
        }).WithTags("Artifacts");

        app.MapGet(ProxyPrefix, async (HttpContext http) =>
        {
            var path = ArtifactPath.Normalize(ApiIo.Query(http, "path"));
            var files = await artifacts.ListAsync(path, http.RequestAborted);
            // The proxy lists names relative to the listed folder, as MLflow's server does.
            var relative = files.Select(f => f with { Path = f.Path[(f.Path.LastIndexOf('/') + 1)..] }).ToList();
            return ApiIo.Json(new ListArtifactsResponse(null, relative));
        }).WithTags("Artifacts").Produces<ListArtifactsResponse>();

        app.MapGet("/api/2.0/mlflow/artifacts/list", async (HttpContext http) =>
        {
            var runId = ApiIo.Query(http, "run_id") is { Length: > 0 } r ? r : ApiIo.Require(ApiIo.Query(http, "run_uuid"), "run_id");
            var sub = ArtifactPath.Normalize(ApiIo.Query(http, "path"));
            var run = await tracking.GetRunAsync(runId, http.RequestAborted);
            var root = ArtifactPath.FromUri(run.Info.ArtifactUri);
            var files = await artifacts.ListAsync(ArtifactPath.Combine(root, sub), http.RequestAborted);
            var relative = files.Select(f => f with { Path = f.Path[(root.Length + 1)..] }).ToList();
            return ApiIo.Json(new ListArtifactsResponse(run.Info.ArtifactUri, relative));
        }).WithTags("Artifacts").Produces<ListArtifactsResponse>();

        return app;
    }
}
