using Cairn.Features;
using Cairn.Protocol;
using Cairn.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Endpoints;

/// <summary>/api/2.0/cairn/features/*: registering feature definitions, reading their versions, and recording their statistics.</summary>
public static class FeaturesApi
{
    /// <summary>Maps the feature definition endpoints onto <paramref name="store"/>.</summary>
    public static IEndpointRouteBuilder MapFeatureApi(this IEndpointRouteBuilder app, IFeatureDefinitionStore store)
    {
        var group = app.MapGroup("/api/2.0/cairn/features").WithTags("Features").Requires(Access.Shared);

        group.MapPost("/apply", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyAsync<ApplyFeaturesRequest>(http, FeatureJson.Strict);
            var r = b.Repository ?? throw JsonFieldErrors.Missing("repository");
            // Lists left out of the body are empty, as in YAML; null entries inside them are refused by the rules.
            var repository = new FeatureRepository(r.Entities ?? [], r.Sources ?? [], r.Views ?? [], r.Services ?? []) { OnDemandViews = r.OnDemandViews ?? [] };
            return ApiIo.Json(new ApplyFeaturesResponse(await store.ApplyAsync(repository, b.Force ?? false, http.RequestAborted)));
        }).Accepts<ApplyFeaturesRequest>("application/json").Produces<ApplyFeaturesResponse>();

        group.MapGet("/repository", async (HttpContext http) =>
        {
            return ApiIo.Json(new FeatureRepositoryResponse(await store.GetRepositoryAsync(http.RequestAborted)));
        }).Produces<FeatureRepositoryResponse>();

        group.MapGet("/definitions/get", async (HttpContext http) =>
        {
            var definition = await store.GetDefinitionAsync(ApiIo.Require(ApiIo.Query(http, "kind"), "kind"), ApiIo.Require(ApiIo.Query(http, "name"), "name"),
                ApiIo.QueryInt(http, "version"), http.RequestAborted);
            return ApiIo.Json(new FeatureDefinitionResponse(definition));
        }).Produces<FeatureDefinitionResponse>();

        group.MapGet("/definitions/versions", async (HttpContext http) =>
        {
            var versions = await store.ListVersionsAsync(ApiIo.Require(ApiIo.Query(http, "kind"), "kind"), ApiIo.Require(ApiIo.Query(http, "name"), "name"), http.RequestAborted);
            return ApiIo.Json(new FeatureDefinitionsResponse(versions));
        }).Produces<FeatureDefinitionsResponse>();

        group.MapGet("/definitions/history", async (HttpContext http) =>
        {
            var max = ApiIo.ToMaxResults(ApiIo.QueryInt(http, "max_results"), 100, FeatureDefinitionKinds.MaxDefinitions);
            return ApiIo.Json(new FeatureDefinitionsResponse(await store.ListHistoryAsync(max, http.RequestAborted)));
        }).Produces<FeatureDefinitionsResponse>();

        group.MapPost("/statistics/record", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyAsync<RecordFeatureStatisticsRequest>(http, FeatureJson.Strict);
            var snapshot = await store.RecordStatisticsAsync(ApiIo.Require(b.View, "view"), b.ViewVersion ?? throw JsonFieldErrors.Missing("view_version"),
                b.Statistics ?? throw JsonFieldErrors.Missing("statistics"), b.Start, b.End, http.RequestAborted);
            return ApiIo.Json(new FeatureStatisticsResponse(snapshot));
        }).Accepts<RecordFeatureStatisticsRequest>("application/json").Produces<FeatureStatisticsResponse>();

        group.MapGet("/statistics/list", async (HttpContext http) =>
        {
            var max = ApiIo.ToMaxResults(ApiIo.QueryInt(http, "max_results"), 10, FeatureStatisticsSnapshot.MaxResults);
            return ApiIo.Json(new FeatureStatisticsListResponse(await store.ListStatisticsAsync(ApiIo.Require(ApiIo.Query(http, "view"), "view"), max, http.RequestAborted)));
        }).Produces<FeatureStatisticsListResponse>();

        return app;
    }
}
