using Cairn.Pipelines;
using Cairn.Protocol;
using Cairn.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Endpoints;

/// <summary>
/// /api/2.0/cairn/pipelines/{schedules,triggers,fires}/* and the Alertmanager webhook receiver at
/// /api/2.0/cairn/pipelines/alerts. The server's scheduler runs what is recorded here.
/// </summary>
public static class PipelineSchedulesApi
{
    public static IEndpointRouteBuilder MapPipelineScheduleApi(this IEndpointRouteBuilder app, IPipelineScheduleStore store, TimeProvider time)
    {
        var group = app.MapGroup("/api/2.0/cairn/pipelines").WithTags("Pipeline schedules").Requires(Access.Shared);

        group.MapPost("/schedules/create", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyAsync<CreatePipelineScheduleRequest>(http);
            var schedule = await store.CreateScheduleAsync(new NewPipelineSchedule(ApiIo.Require(b.Name, "name"), ApiIo.Require(b.PipelineFile, "pipeline_file"),
                ApiIo.Require(b.Cron, "cron"), b.TimeZone ?? "UTC", b.Parameters, b.Enabled ?? true), http.RequestAborted);
            return ApiIo.Json(new PipelineScheduleResponse(schedule));
        }).Accepts<CreatePipelineScheduleRequest>("application/json").Produces<PipelineScheduleResponse>();

        group.MapGet("/schedules/get", async (HttpContext http) =>
        {
            return ApiIo.Json(new PipelineScheduleResponse(await store.GetScheduleAsync(ApiIo.Require(ApiIo.Query(http, "name"), "name"), http.RequestAborted)));
        })
            .Produces<PipelineScheduleResponse>();

        group.MapGet("/schedules/list", async (HttpContext http) =>
        {
            return ApiIo.Json(new PipelineSchedulesResponse(await store.ListSchedulesAsync(http.RequestAborted)));
        })
            .Produces<PipelineSchedulesResponse>();

        group.MapPost("/schedules/update", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyAsync<UpdatePipelineScheduleRequest>(http);
            var enabled = b.Enabled ?? throw CairnException.InvalidParameter("Missing value for required parameter 'enabled'.");
            return ApiIo.Json(new PipelineScheduleResponse(await store.SetScheduleEnabledAsync(ApiIo.Require(b.Name, "name"), enabled, http.RequestAborted)));
        }).Accepts<UpdatePipelineScheduleRequest>("application/json").Produces<PipelineScheduleResponse>();

        group.MapDelete("/schedules/delete", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyOrQueryAsync<DeleteByNameRequest>(http);
            await store.DeleteScheduleAsync(ApiIo.Require(b.Name, "name"), http.RequestAborted);
            return ApiIo.Empty();
        });

        group.MapPost("/triggers/create", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyAsync<CreatePipelineTriggerRequest>(http);
            var trigger = await store.CreateTriggerAsync(new NewPipelineTrigger(ApiIo.Require(b.Name, "name"), ApiIo.Require(b.PipelineFile, "pipeline_file"),
                ApiIo.Require(b.Event, "event"), ApiIo.Require(b.Source, "source"), b.ParameterName, b.Parameters, b.Enabled ?? true), http.RequestAborted);
            return ApiIo.Json(new PipelineTriggerResponse(trigger));
        }).Accepts<CreatePipelineTriggerRequest>("application/json").Produces<PipelineTriggerResponse>();

        group.MapGet("/triggers/get", async (HttpContext http) =>
        {
            return ApiIo.Json(new PipelineTriggerResponse(await store.GetTriggerAsync(ApiIo.Require(ApiIo.Query(http, "name"), "name"), http.RequestAborted)));
        })
            .Produces<PipelineTriggerResponse>();

        group.MapGet("/triggers/list", async (HttpContext http) =>
        {
            return ApiIo.Json(new PipelineTriggersResponse(await store.ListTriggersAsync(http.RequestAborted)));
        })
            .Produces<PipelineTriggersResponse>();

        group.MapDelete("/triggers/delete", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyOrQueryAsync<DeleteByNameRequest>(http);
            await store.DeleteTriggerAsync(ApiIo.Require(b.Name, "name"), http.RequestAborted);
            return ApiIo.Empty();
        });

        group.MapPost("/fires/claim", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyAsync<ClaimPipelineFireRequest>(http);
            var fire = await store.TryClaimFireAsync(new NewPipelineFire(ApiIo.Require(b.SourceKind, "source_kind"), ApiIo.Require(b.SourceName, "source_name"),
                ApiIo.Require(b.FireKey, "fire_key"), ApiIo.Require(b.PipelineFile, "pipeline_file"),
                b.FireTime ?? throw CairnException.InvalidParameter("Missing value for required parameter 'fire_time'."), b.Parameters, b.Owner), http.RequestAborted);
            return ApiIo.Json(new PipelineFireResponse(fire));
        }).Accepts<ClaimPipelineFireRequest>("application/json").Produces<PipelineFireResponse>();

        group.MapPost("/fires/claim-pending", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyAsync<ClaimPendingPipelineFireRequest>(http);
            return ApiIo.Json(new PipelineFireResponse(await store.ClaimPendingFireAsync(ApiIo.Require(b.Owner, "owner"), http.RequestAborted)));
        }).Accepts<ClaimPendingPipelineFireRequest>("application/json").Produces<PipelineFireResponse>();

        group.MapPost("/fires/finish", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyAsync<FinishPipelineFireRequest>(http);
            var fire = await store.FinishFireAsync(ApiIo.Require(b.FireId, "fire_id"), ApiIo.Require(b.Status, "status"), b.PipelineRunId, b.Error, http.RequestAborted);
            return ApiIo.Json(new PipelineFireResponse(fire));
        }).Accepts<FinishPipelineFireRequest>("application/json").Produces<PipelineFireResponse>();

        group.MapGet("/fires/list", async (HttpContext http) =>
        {
            var max = ApiIo.ToMaxResults(ApiIo.QueryInt(http, "max_results"), 100, 10_000);
            var source = ApiIo.Query(http, "source_name");
            return ApiIo.Json(new PipelineFiresResponse(await store.ListFiresAsync(string.IsNullOrEmpty(source) ? null : source, max, http.RequestAborted)));
        }).Produces<PipelineFiresResponse>();

        // Alertmanager's webhook_config posts here; each firing alert queues the triggers on its name.
        group.MapPost("/alerts", async (HttpContext http) =>
        {
            var webhook = await ApiIo.ReadBodyAsync<AlertmanagerWebhook>(http);
            var planned = AlertFires.Plan(webhook, await store.ListTriggersAsync(http.RequestAborted), time.GetUtcNow());
            var queued = new List<PipelineFire>();
            foreach (var fire in planned)
                if (await store.TryClaimFireAsync(fire, http.RequestAborted) is { } recorded) queued.Add(recorded);
            return ApiIo.Json(new PipelineFiresResponse(queued));
        }).Accepts<AlertmanagerWebhook>("application/json").Produces<PipelineFiresResponse>();

        return app;
    }
}
