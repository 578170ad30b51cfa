using Cairn.Monitoring;
using Cairn.Protocol;
using Cairn.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Endpoints;

/// <summary>
/// /api/2.0/cairn/monitors/* (monitors, their runs and the lease on a window, alert states and
/// events) and /api/2.0/cairn/feedback (ground-truth labels for logged predictions).
/// </summary>
public static class MonitorsApi
{
    private const int MaxRequestIds = 10_000;

    public static IEndpointRouteBuilder MapMonitorsApi(this IEndpointRouteBuilder app, IMonitorStore store, TimeProvider time)
    {
        var group = app.MapGroup("/api/2.0/cairn/monitors").WithTags("Monitors").Requires(Access.Shared);

        group.MapPost("/create", async (HttpContext http) =>
        {
            var spec = await ApiIo.ReadBodyAsync<MonitorSpec>(http, MonitorSpecRules.Json);
            return ApiIo.Json(new MonitorResponse(await store.CreateMonitorAsync(spec, http.RequestAborted)));
        }).Accepts<MonitorSpec>("application/json").Produces<MonitorResponse>();

        group.MapPost("/update", async (HttpContext http) =>
        {
            var spec = await ApiIo.ReadBodyAsync<MonitorSpec>(http, MonitorSpecRules.Json);
            return ApiIo.Json(new MonitorResponse(await store.UpdateMonitorAsync(spec, http.RequestAborted)));
        }).Accepts<MonitorSpec>("application/json").Produces<MonitorResponse>();

        group.MapGet("/get", async (HttpContext http) =>
        {
            return ApiIo.Json(new MonitorResponse(await store.GetMonitorAsync(ApiIo.Require(ApiIo.Query(http, "name"), "name"), http.RequestAborted)));
        })
            .Produces<MonitorResponse>();

        group.MapGet("/list", async (HttpContext http) =>
        {
            return ApiIo.Json(new MonitorsResponse(await store.ListMonitorsAsync(http.RequestAborted)));
        })
            .Produces<MonitorsResponse>();

        group.MapDelete("/delete", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyOrQueryAsync<MonitorNameRequest>(http);
            await store.DeleteMonitorAsync(ApiIo.Require(b.Name, "name"), http.RequestAborted);
            return ApiIo.Empty();
        });

        foreach (var enable in new[] { true, false })
            group.MapPost(enable ? "/enable" : "/disable", async (HttpContext http) =>
            {
                var b = await ApiIo.ReadBodyAsync<MonitorNameRequest>(http);
                return ApiIo.Json(new MonitorResponse(await store.SetMonitorEnabledAsync(ApiIo.Require(b.Name, "name"), enable, http.RequestAborted)));
            }).Accepts<MonitorNameRequest>("application/json").Produces<MonitorResponse>();

        group.MapPost("/runs/claim", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyAsync<ClaimMonitorRunRequest>(http);
            var run = await store.TryClaimMonitorRunAsync(new NewMonitorRun(ApiIo.Require(b.MonitorName, "monitor_name"), ApiIo.Require(b.RunKey, "run_key"),
                b.WindowStart ?? throw Missing("window_start"), b.WindowEnd ?? throw Missing("window_end"), ApiIo.Require(b.Owner, "owner")), http.RequestAborted);
            return ApiIo.Json(new MonitorRunResponse(run));
        }).Accepts<ClaimMonitorRunRequest>("application/json").Produces<MonitorRunResponse>();

        group.MapPost("/runs/finish", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyAsync<FinishMonitorRunRequest>(http);
            var run = await store.FinishMonitorRunAsync(ApiIo.Require(b.RunId, "run_id"), ApiIo.Require(b.Status, "status"), b.TrackingRunId,
                b.Values ?? new Dictionary<string, double>(), b.Error, http.RequestAborted);
            return ApiIo.Json(new MonitorRunResponse(run));
        }).Accepts<FinishMonitorRunRequest>("application/json").Produces<MonitorRunResponse>();

        group.MapGet("/runs/get", async (HttpContext http) =>
        {
            return ApiIo.Json(new MonitorRunResponse(await store.GetMonitorRunAsync(ApiIo.Require(ApiIo.Query(http, "run_id"), "run_id"), http.RequestAborted)));
        })
            .Produces<MonitorRunResponse>();

        group.MapGet("/runs/list", async (HttpContext http) =>
        {
            var max = ApiIo.ToMaxResults(ApiIo.QueryInt(http, "max_results"), 100, 10_000);
            return ApiIo.Json(new MonitorRunsResponse(await store.ListMonitorRunsAsync(MonitorName(http), max, http.RequestAborted)));
        }).Produces<MonitorRunsResponse>();

        group.MapGet("/alerts/list", async (HttpContext http) =>
        {
            return ApiIo.Json(new AlertStatesResponse(await store.ListAlertStatesAsync(MonitorName(http), http.RequestAborted)));
        })
            .Produces<AlertStatesResponse>();

        group.MapGet("/alerts/events", async (HttpContext http) =>
        {
            var max = ApiIo.ToMaxResults(ApiIo.QueryInt(http, "max_results"), 100, 10_000);
            return ApiIo.Json(new AlertEventsResponse(await store.ListAlertEventsAsync(MonitorName(http), max, http.RequestAborted)));
        }).Produces<AlertEventsResponse>();

        group.MapPost("/alerts/save-state", async (HttpContext http) =>
        {
            await store.SaveAlertStateAsync(await ApiIo.ReadBodyAsync<AlertState>(http), http.RequestAborted);
            return ApiIo.Empty();
        }).Accepts<AlertState>("application/json");

        group.MapPost("/alerts/append-event", async (HttpContext http) =>
        {
            await store.AppendAlertEventAsync(await ApiIo.ReadBodyAsync<AlertEvent>(http), http.RequestAborted);
            return ApiIo.Empty();
        }).Accepts<AlertEvent>("application/json");

        var feedback = app.MapGroup("/api/2.0/cairn/feedback").WithTags("Monitors").Requires(Access.Shared);

        feedback.MapPost("", async (HttpContext http) =>
        {
            // Counted while it arrives: a body of a million labels is refused at the 10,001st.
            var b = await CountedJsonBody.ReadAsync<AddFeedbackRequest>(http, ["labels"], counts =>
            {
                if (counts["labels"] > MonitorRecordRules.MaxFeedbackPerCall)
                    throw CairnException.InvalidParameter($"More than {MonitorRecordRules.MaxFeedbackPerCall} labels in one request: send them in batches.");
            });
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var labels = (b.Labels ?? throw Missing("labels")).Select((l, i) => new FeedbackLabel(
                ApiIo.Require(l?.RequestId, $"labels[{i}].request_id"), l!.Row ?? 0, l.Label ?? throw Missing($"labels[{i}].label"), l.Timestamp ?? now)).ToList();
            return ApiIo.Json(new AddFeedbackResponse(await store.AddFeedbackAsync(labels, http.RequestAborted)));
        }).Accepts<AddFeedbackRequest>("application/json").Produces<AddFeedbackResponse>();

        feedback.MapPost("/get", async (HttpContext http) =>
        {
            var b = await CountedJsonBody.ReadAsync<GetFeedbackRequest>(http, ["request_ids"], counts =>
            {
                if (counts["request_ids"] > MaxRequestIds)
                    throw CairnException.InvalidParameter($"More than {MaxRequestIds} request ids in one request: ask in batches.");
            });
            return ApiIo.Json(new FeedbackResponse(await store.GetFeedbackAsync(b.RequestIds ?? throw Missing("request_ids"), http.RequestAborted)));
        }).Requires(Access.Server(Need.Read)).Accepts<GetFeedbackRequest>("application/json").Produces<FeedbackResponse>();

        return app;
    }

    private static string? MonitorName(HttpContext http) => ApiIo.Query(http, "monitor_name") is { Length: > 0 } name ? name : null;

    private static CairnException Missing(string name) => CairnException.InvalidParameter($"Missing value for required parameter '{name}'.");
}
