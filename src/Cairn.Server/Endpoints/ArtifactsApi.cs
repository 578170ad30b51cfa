using Cairn.Artifacts;
using Cairn.Protocol;
using Cairn.Server.Security;
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
        }).Requires(Access.ArtifactPath(Need.Update, Field.Route("path"))).WithTags("Artifacts");

        app.MapGet(ProxyPrefix + "/{**path}", async (HttpContext http, string path) =>
        {
            var stream = await artifacts.OpenReadAsync(ArtifactPath.Normalize(path, allowRoot: false), http.RequestAborted);
            return Results.Stream(stream, "application/octet-stream", enableRangeProcessing: true);
        }).Requires(Access.ArtifactPath(Need.Read, Field.Route("path"))).WithTags("Artifacts");

        app.MapGet(ProxyPrefix, async (HttpContext http) =>
        {
            var path = ArtifactPath.Normalize(ApiIo.Query(http, "path"));
            var files = await artifacts.ListAsync(path, http.RequestAborted);
            // The proxy lists names relative to the listed folder, as MLflow's server does.
            var relative = files.Select(f => f with { Path = f.Path[(f.Path.LastIndexOf('/') + 1)..] }).ToList();
            return ApiIo.Json(new ListArtifactsResponse(null, relative));
        }).Requires(Access.ArtifactPath(Need.Read, Field.Query("path").Or(""))).WithTags("Artifacts").Produces<ListArtifactsResponse>();

        app.MapGet("/api/2.0/mlflow/artifacts/list", async (HttpContext http) =>
        {
            var runId = ApiIo.Query(http, "run_id") is { Length: > 0 } r ? r : ApiIo.Require(ApiIo.Query(http, "run_uuid"), "run_id");
            var sub = ArtifactPath.Normalize(ApiIo.Query(http, "path"));
            var run = await tracking.GetRunAsync(runId, http.RequestAborted);
            var root = ArtifactPath.FromUri(run.Info.ArtifactUri);
            var files = await artifacts.ListAsync(ArtifactPath.Combine(root, sub), http.RequestAborted);
            var relative = files.Select(f => f with { Path = f.Path[(root.Length + 1)..] }).ToList();
            return ApiIo.Json(new ListArtifactsResponse(run.Info.ArtifactUri, relative));
        }).Requires(Access.Run(Need.Read, Field.Query("run_id", "run_uuid"))).WithTags("Artifacts").Produces<ListArtifactsResponse>();

        // MLflow's web UI uploads a file into a run (under /ajax-api only, as MLflow serves it).
        app.MapPost("/api/2.0/mlflow/upload-artifact", async (HttpContext http) =>
        {
            if (!AjaxApi.IsAjax(http)) return AjaxApi.NotFound(http);
            var runId = ApiIo.Query(http, "run_uuid");
            if (string.IsNullOrEmpty(runId)) throw CairnException.InvalidParameter("Request must specify run_uuid.");
            var path = ApiIo.Query(http, "path");
            if (string.IsNullOrEmpty(path)) throw CairnException.InvalidParameter("Request must specify path.");
            var relative = ArtifactPath.Normalize(path, allowRoot: false);
            if (http.Request.ContentLength > MaxUploadBytes)
                throw CairnException.InvalidParameter("Artifact size is too large. Max size is 10MB.");
            using var data = new MemoryStream();
            await CopyAtMostAsync(http.Request.Body, data, MaxUploadBytes, http.RequestAborted);
            if (data.Length == 0) throw CairnException.InvalidParameter("Request must specify data.");
            var run = await tracking.GetRunAsync(runId, http.RequestAborted);
            data.Position = 0;
            await artifacts.PutAsync(ArtifactPath.Combine(ArtifactPath.FromUri(run.Info.ArtifactUri), relative), data, http.RequestAborted);
            return Results.Content("", "application/json");
        }).Requires(Access.Run(Need.Update, Field.Query("run_uuid"))).ExcludeFromDescription();

        return app;
    }

    /// <summary>MLflow's limit on a file uploaded from its web UI.</summary>
    private const long MaxUploadBytes = 10L * 1024 * 1024;

    private static async Task CopyAtMostAsync(Stream source, Stream target, long limit, CancellationToken ct)
    {
        var buffer = new byte[81920];
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            if (target.Length + read > limit) throw CairnException.InvalidParameter("Artifact size is too large. Max size is 10MB.");
            await target.WriteAsync(buffer.AsMemory(0, read), ct);
        }
    }
}
