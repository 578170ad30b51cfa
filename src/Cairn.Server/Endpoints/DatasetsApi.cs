using Cairn.Data;
using Cairn.Protocol;
using Cairn.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Endpoints;

/// <summary>/api/2.0/cairn/datasets/*: named dataset versions (<c>data:/name@N</c>).</summary>
public static class DatasetsApi
{
    public static IEndpointRouteBuilder MapDatasetsApi(this IEndpointRouteBuilder app, IDatasetStore datasets)
    {
        var group = app.MapGroup("/api/2.0/cairn/datasets").WithTags("Datasets").Requires(Access.Shared);

        group.MapPost("/versions/create", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<CreateDatasetVersionRequest>(http);
            var version = await datasets.CreateVersionAsync(new NewDatasetVersion(
                ApiIo.Require(body.Name, "name"), ApiIo.Require(body.Digest, "digest"), ApiIo.Require(body.Kind, "kind"),
                body.Size ?? throw CairnException.InvalidParameter("Missing value for required parameter 'size'."),
                body.FileCount ?? 1, ApiIo.Require(body.Path, "path"), body.GitCommit, body.Table, body.Description,
                ApiIo.Require(body.CreatedBy, "created_by")) { DerivedFrom = DatasetDerivedFrom.Normalize(body.DerivedFrom) }, http.RequestAborted);
            return ApiIo.Json(new DatasetVersionResponse(version));
        }).Accepts<CreateDatasetVersionRequest>("application/json").Produces<DatasetVersionResponse>();

        group.MapGet("/versions/get", async (HttpContext http) =>
        {
            var version = await datasets.GetVersionAsync(ApiIo.Require(ApiIo.Query(http, "name"), "name"),
                ApiIo.Require(ApiIo.Query(http, "version"), "version"), http.RequestAborted);
            return ApiIo.Json(new DatasetVersionResponse(version));
        }).Produces<DatasetVersionResponse>();

        group.MapGet("/versions/list", async (HttpContext http) =>
        {
            var versions = await datasets.ListVersionsAsync(ApiIo.Require(ApiIo.Query(http, "name"), "name"), http.RequestAborted);
            return ApiIo.Json(new DatasetVersionsResponse(versions));
        }).Produces<DatasetVersionsResponse>();

        group.MapGet("/list", async (HttpContext http) =>
        {
            var latest = await datasets.ListDatasetsAsync(http.RequestAborted);
            return ApiIo.Json(new DatasetsResponse(latest));
        }).Produces<DatasetsResponse>();

        return app;
    }
}
