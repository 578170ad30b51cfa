using Cairn.Protocol;
using Cairn.Security;
using Cairn.Server.Security;
using Cairn.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Endpoints;

/// <summary>/api/2.0/mlflow/experiments/*</summary>
public static class ExperimentsApi
{
    public static IEndpointRouteBuilder MapExperimentsApi(this IEndpointRouteBuilder app, ITrackingStore store)
    {
        var group = app.MapGroup("/api/2.0/mlflow/experiments").WithTags("Experiments");

        group.MapPost("/create", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<CreateExperimentRequest>(http);
            var id = await store.CreateExperimentAsync(ApiIo.Require(body.Name, "name"), body.ArtifactLocation, body.Tags, http.RequestAborted);
            await http.CreatedAsync(ResourceTypes.Experiment, id);
            return ApiIo.Json(new CreateExperimentResponse(id));
        }).Requires(Access.SignedIn).Accepts<CreateExperimentRequest>("application/json").Produces<CreateExperimentResponse>();

        group.MapGet("/get", async (HttpContext http) =>
        {
            var id = ApiIo.Require(ApiIo.Query(http, "experiment_id"), "experiment_id");
            return ApiIo.Json(new ExperimentResponse(await store.GetExperimentAsync(id, http.RequestAborted)));
        }).Requires(Access.Experiment(Need.Read, Field.Query("experiment_id"))).Produces<ExperimentResponse>();

        group.MapGet("/get-by-name", async (HttpContext http) =>
        {
            var name = ApiIo.Require(ApiIo.Query(http, "experiment_name"), "experiment_name");
            var experiment = await store.GetExperimentByNameAsync(name, http.RequestAborted)
                ?? throw CairnException.NotFound($"Could not find experiment with name '{name}'");
            return ApiIo.Json(new ExperimentResponse(experiment));
        }).Requires(Access.ExperimentNamed(Need.Read, Field.Query("experiment_name"))).Produces<ExperimentResponse>();

        group.MapPost("/search", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<SearchExperimentsRequest>(http);
            return await Search(store, body, http);
        }).Requires(Access.SignedIn).Accepts<SearchExperimentsRequest>("application/json").Produces<SearchExperimentsResponse>();

        group.MapGet("/search", async (HttpContext http) =>
        {
            var query = http.Request.Query;
            var viewType = ApiIo.Query(http, "view_type");
            var body = new SearchExperimentsRequest(
                ApiIo.QueryInt(http, "max_results"), ApiIo.Query(http, "page_token"), ApiIo.Query(http, "filter"),
                query.TryGetValue("order_by", out var order) ? order.Where(o => o is not null).Select(o => o!).ToList() : null,
                string.IsNullOrEmpty(viewType) ? null : ParseViewType(viewType));
            return await Search(store, body, http);
        }).Requires(Access.SignedIn).Produces<SearchExperimentsResponse>();

        group.MapPost("/update", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<UpdateExperimentRequest>(http);
            await store.RenameExperimentAsync(ApiIo.Require(body.ExperimentId, "experiment_id"), ApiIo.Require(body.NewName, "new_name"), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.Experiment(Need.Update, Field.Body("experiment_id"))).Accepts<UpdateExperimentRequest>("application/json");

        group.MapPost("/delete", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<ExperimentIdRequest>(http);
            await store.DeleteExperimentAsync(ApiIo.Require(body.ExperimentId, "experiment_id"), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.Experiment(Need.Manage, Field.Body("experiment_id"))).Accepts<ExperimentIdRequest>("application/json");

        group.MapPost("/restore", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<ExperimentIdRequest>(http);
            await store.RestoreExperimentAsync(ApiIo.Require(body.ExperimentId, "experiment_id"), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.Experiment(Need.Manage, Field.Body("experiment_id"))).Accepts<ExperimentIdRequest>("application/json");

        group.MapPost("/set-experiment-tag", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<SetExperimentTagRequest>(http);
            await store.SetExperimentTagAsync(ApiIo.Require(body.ExperimentId, "experiment_id"),
                new ExperimentTag(ApiIo.Require(body.Key, "key"), body.Value ?? ""), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.Experiment(Need.Update, Field.Body("experiment_id"))).Accepts<SetExperimentTagRequest>("application/json");

        group.MapPost("/delete-experiment-tag", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<DeleteExperimentTagRequest>(http);
            await store.DeleteExperimentTagAsync(ApiIo.Require(body.ExperimentId, "experiment_id"), ApiIo.Require(body.Key, "key"), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.Experiment(Need.Update, Field.Body("experiment_id"))).Accepts<DeleteExperimentTagRequest>("application/json");

        // Cairn's own: run counts for the experiments list, which MLflow's API cannot give without
        // paging through every run.
        app.MapPost("/api/2.0/cairn/experiments/run-summaries", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<SummarizeRunsRequest>(http);
            var ids = body.ExperimentIds ?? throw JsonFieldErrors.Missing("experiment_ids");
            return ApiIo.Json(new SummarizeRunsResponse(await store.SummarizeRunsAsync(ids, http.RequestAborted)));
        }).Requires(Access.Experiments(Need.Read, Field.Body("experiment_ids"))).WithTags("Experiments").Accepts<SummarizeRunsRequest>("application/json").Produces<SummarizeRunsResponse>();

        return app;
    }

    private static async Task<IResult> Search(ITrackingStore store, SearchExperimentsRequest body, HttpContext http)
    {
        var query = new ExperimentQuery(body.Filter, body.ViewType ?? ViewType.ActiveOnly,
            ApiIo.ToMaxResults(body.MaxResults, ExperimentQuery.DefaultMaxResults, ExperimentQuery.MaxMaxResults),
            body.OrderBy, body.PageToken);
        var page = await VisibleSearch.SearchAsync(http, ResourceTypes.Experiment, (Experiment e) => e.ExperimentId, query.MaxResults, query.PageToken,
            (max, token) => store.SearchExperimentsAsync(query with { MaxResults = max, PageToken = token }, http.RequestAborted));
        return ApiIo.Json(new SearchExperimentsResponse(page.Items, page.NextPageToken));
    }

    internal static ViewType ParseViewType(string text) => text.ToUpperInvariant() switch
    {
        "ACTIVE_ONLY" or "1" => ViewType.ActiveOnly,
        "DELETED_ONLY" or "2" => ViewType.DeletedOnly,
        "ALL" or "3" => ViewType.All,
        _ => throw CairnException.InvalidParameter($"Invalid view type '{text}': expected ACTIVE_ONLY, DELETED_ONLY or ALL."),
    };
}
