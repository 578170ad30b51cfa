using Cairn.Protocol;
using Cairn.Server.Security;
using Cairn.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Endpoints;

/// <summary>/api/2.0/mlflow/runs/* and /api/2.0/mlflow/metrics/get-history</summary>
public static class RunsApi
{
    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app, ITrackingStore store, TimeProvider time)
    {
        var group = app.MapGroup("/api/2.0/mlflow/runs").WithTags("Runs");

        group.MapPost("/create", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<CreateRunRequest>(http);
            var run = await store.CreateRunAsync(new NewRun(body.ExperimentId ?? "0", body.UserId, body.StartTime, body.RunName, body.Tags), http.RequestAborted);
            return ApiIo.Json(new RunResponse(run));
        }).Requires(Access.Experiment(Need.Update, Field.Body("experiment_id").Or("0"))).Accepts<CreateRunRequest>("application/json").Produces<RunResponse>();

        group.MapGet("/get", async (HttpContext http) =>
        {
            var id = ApiIo.Query(http, "run_id") is { Length: > 0 } r ? r : ApiIo.Require(ApiIo.Query(http, "run_uuid"), "run_id");
            return ApiIo.Json(new RunResponse(await store.GetRunAsync(id, http.RequestAborted)));
        }).Requires(Access.Run(Need.Read, Field.Query("run_id", "run_uuid"))).Produces<RunResponse>();

        group.MapPost("/update", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<UpdateRunRequest>(http);
            var info = await store.UpdateRunAsync(new RunUpdate(RunId(body.RunId, body.RunUuid), body.Status, body.EndTime, body.RunName), http.RequestAborted);
            return ApiIo.Json(new UpdateRunResponse(info));
        }).Requires(Access.Run(Need.Update, Field.Body("run_id", "run_uuid"))).Accepts<UpdateRunRequest>("application/json").Produces<UpdateRunResponse>();

        group.MapPost("/delete", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<RunIdRequest>(http);
            await store.DeleteRunAsync(RunId(body.RunId, body.RunUuid), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.Run(Need.Manage, Field.Body("run_id", "run_uuid"))).Accepts<RunIdRequest>("application/json");

        group.MapPost("/restore", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<RunIdRequest>(http);
            await store.RestoreRunAsync(RunId(body.RunId, body.RunUuid), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.Run(Need.Manage, Field.Body("run_id", "run_uuid"))).Accepts<RunIdRequest>("application/json");

        group.MapPost("/search", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<SearchRunsRequest>(http);
            var query = new RunQuery(body.ExperimentIds ?? [], body.Filter, body.RunViewType ?? ViewType.ActiveOnly,
                ApiIo.ToMaxResults(body.MaxResults, RunQuery.DefaultMaxResults, RunQuery.MaxMaxResults), body.OrderBy, body.PageToken);
            var page = await store.SearchRunsAsync(query, http.RequestAborted);
            return ApiIo.Json(new SearchRunsResponse(page.Items, page.NextPageToken));
        }).Requires(Access.Experiments(Need.Read, Field.Body("experiment_ids"))).Accepts<SearchRunsRequest>("application/json").Produces<SearchRunsResponse>();

        group.MapPost("/log-metric", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<LogMetricRequest>(http);
            var value = body.Value ?? throw JsonFieldErrors.Missing("value");
            var metric = new Metric(ApiIo.Require(body.Key, "key"), value, body.Timestamp ?? time.GetUtcNow().ToUnixTimeMilliseconds(), body.Step ?? 0)
                { ModelId = body.ModelId, DatasetName = body.DatasetName, DatasetDigest = body.DatasetDigest };
            await store.LogMetricAsync(RunId(body.RunId, body.RunUuid), metric, http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.Run(Need.Update, Field.Body("run_id", "run_uuid"))).Accepts<LogMetricRequest>("application/json");

        group.MapPost("/log-parameter", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<LogParamRequest>(http);
            await store.LogParamAsync(RunId(body.RunId, body.RunUuid), new Param(ApiIo.Require(body.Key, "key"), body.Value ?? ""), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.Run(Need.Update, Field.Body("run_id", "run_uuid"))).Accepts<LogParamRequest>("application/json");

        group.MapPost("/set-tag", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<SetTagRequest>(http);
            await store.SetTagAsync(RunId(body.RunId, body.RunUuid), new RunTag(ApiIo.Require(body.Key, "key"), body.Value ?? ""), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.Run(Need.Update, Field.Body("run_id", "run_uuid"))).Accepts<SetTagRequest>("application/json");

        group.MapPost("/delete-tag", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<DeleteTagRequest>(http);
            await store.DeleteTagAsync(ApiIo.Require(body.RunId, "run_id"), ApiIo.Require(body.Key, "key"), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.Run(Need.Update, Field.Body("run_id", "run_uuid"))).Accepts<DeleteTagRequest>("application/json");

        group.MapPost("/log-inputs", async (HttpContext http) =>
        {
            var body = await ApiIo.ReadBodyAsync<LogInputsRequest>(http);
            await store.LogInputsAsync(ApiIo.Require(body.RunId, "run_id"), body.Datasets ?? [], http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.Run(Need.Update, Field.Body("run_id", "run_uuid"))).Accepts<LogInputsRequest>("application/json");

        group.MapPost("/log-batch", async (HttpContext http) =>
        {
            var body = await CountedJsonBody.ReadAsync<LogBatchRequest>(http, ["metrics", "params", "tags"], counts =>
                TrackingLimits.CheckBatchCounts(counts["metrics"], counts["params"], counts["tags"], partial: true));
            await store.LogBatchAsync(ApiIo.Require(body.RunId, "run_id"), new LogBatch(body.Metrics, body.Params, body.Tags), http.RequestAborted);
            return ApiIo.Empty();
        }).Requires(Access.Run(Need.Update, Field.Body("run_id", "run_uuid"))).Accepts<LogBatchRequest>("application/json");

        app.MapGet("/api/2.0/mlflow/metrics/get-history", async (HttpContext http) =>
        {
            var id = ApiIo.Query(http, "run_id") is { Length: > 0 } r ? r : ApiIo.Require(ApiIo.Query(http, "run_uuid"), "run_id");
            var key = ApiIo.Require(ApiIo.Query(http, "metric_key"), "metric_key");
            var page = await store.GetMetricHistoryAsync(id, key, ApiIo.QueryInt(http, "max_results"), ApiIo.Query(http, "page_token"), http.RequestAborted);
            return ApiIo.Json(new MetricHistoryResponse(page.Items, page.NextPageToken));
        }).Requires(Access.Run(Need.Read, Field.Query("run_id", "run_uuid"))).WithTags("Runs").Produces<MetricHistoryResponse>();

        app.MapMetricHistoryBulkApi(store);
        return app;
    }

    private static string RunId(string? runId, string? runUuid) =>
        !string.IsNullOrEmpty(runId) ? runId : ApiIo.Require(runUuid, "run_id");
}
