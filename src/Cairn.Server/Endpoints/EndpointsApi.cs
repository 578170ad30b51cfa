using Cairn.Deployments;
using Cairn.Protocol;
using Cairn.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Endpoints;

/// <summary>/api/2.0/cairn/endpoints/*: deployment endpoints, their compare-and-set updates and history.</summary>
public static class EndpointsApi
{
    public static IEndpointRouteBuilder MapEndpointsApi(this IEndpointRouteBuilder app, IEndpointStore store)
    {
        var group = app.MapGroup("/api/2.0/cairn/endpoints").WithTags("Endpoints").Requires(Access.Shared);

        group.MapPost("/create", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyAsync<CreateEndpointRequest>(http, EndpointSpecRules.Json);
            var created = await store.CreateEndpointAsync(b.Spec ?? throw Missing("spec"), ApiIo.Require(b.Actor, "actor"), http.RequestAborted);
            return ApiIo.Json(new EndpointResponse(created));
        }).Accepts<CreateEndpointRequest>("application/json").Produces<EndpointResponse>();

        group.MapGet("/get", async (HttpContext http) =>
        {
            return ApiIo.Json(new EndpointResponse(await store.GetEndpointAsync(ApiIo.Require(ApiIo.Query(http, "name"), "name"), http.RequestAborted)));
        })
            .Produces<EndpointResponse>();

        group.MapGet("/list", async (HttpContext http) =>
        {
            return ApiIo.Json(new EndpointsResponse(await store.ListEndpointsAsync(http.RequestAborted)));
        })
            .Produces<EndpointsResponse>();

        group.MapPost("/update", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyAsync<UpdateEndpointRequest>(http, EndpointSpecRules.Json);
            var updated = await store.UpdateEndpointAsync(b.Spec ?? throw Missing("spec"), b.ExpectedRevision ?? throw Missing("expected_revision"),
                Change(b.Change), http.RequestAborted);
            return ApiIo.Json(new EndpointResponse(updated));
        }).Accepts<UpdateEndpointRequest>("application/json").Produces<EndpointResponse>();

        group.MapDelete("/delete", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyOrQueryAsync<DeleteEndpointRequest>(http);
            await store.DeleteEndpointAsync(ApiIo.Require(b.Name, "name"), ApiIo.Require(b.Actor, "actor"), http.RequestAborted);
            return ApiIo.Empty();
        });

        group.MapPost("/events/append", async (HttpContext http) =>
        {
            var b = await ApiIo.ReadBodyAsync<AppendEndpointEventRequest>(http, EndpointSpecRules.Json);
            await store.AppendEndpointEventAsync(ApiIo.Require(b.Name, "name"), Change(b.Change), http.RequestAborted);
            return ApiIo.Empty();
        }).Accepts<AppendEndpointEventRequest>("application/json");

        group.MapGet("/events", async (HttpContext http) =>
        {
            var max = ApiIo.ToMaxResults(ApiIo.QueryInt(http, "max_results"), 100, EndpointChangeRules.MaxEventsPerCall);
            var events = await store.ListEndpointEventsAsync(ApiIo.Require(ApiIo.Query(http, "name"), "name"), max, http.RequestAborted);
            return ApiIo.Json(new EndpointEventsResponse(events));
        }).Produces<EndpointEventsResponse>();

        return app;
    }

    private static EndpointChange Change(EndpointChangeBody? change) =>
        change is null
            ? throw Missing("change")
            : new EndpointChange(ApiIo.Require(change.Kind, "change.kind"), change.Message ?? "", ApiIo.Require(change.Actor, "change.actor"));

    private static CairnException Missing(string name) => CairnException.InvalidParameter($"Missing value for required parameter '{name}'.");
}
