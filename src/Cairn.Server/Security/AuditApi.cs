using Cairn.Protocol;
using Cairn.Security;
using Cairn.Server.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Security;

/// <summary>
/// <c>GET /api/2.0/cairn/audit/list?since=&amp;until=&amp;user=&amp;max_results=</c>: the audit log, newest
/// first. With --auth only admins may read it; without, anyone who reaches the server may, as they may do everything.
/// </summary>
public static class AuditApi
{
    private const int MaxResults = 10_000;

    /// <summary>Maps the audit endpoint onto the store.</summary>
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app, IAuditStore audit, TimeProvider time)
    {
        app.MapGet("/api/2.0/cairn/audit/list", async (HttpContext http) =>
        {
            if (http.Caller() is { IsAdmin: false })
                throw new CairnException(ErrorCodes.PermissionDenied, "Only an admin may read the audit log.");
            var now = time.GetUtcNow();
            var query = new AuditQuery(
                ApiIo.Query(http, "since") is { Length: > 0 } since ? AuditTime.Parse(since, now, "since") : null,
                ApiIo.Query(http, "until") is { Length: > 0 } until ? AuditTime.Parse(until, now, "until") : null,
                ApiIo.Query(http, "user") is { Length: > 0 } user ? user : null,
                ApiIo.ToMaxResults(ApiIo.QueryInt(http, "max_results"), 100, MaxResults));
            return ApiIo.Json(new AuditListResponse(await audit.ListAsync(query, http.RequestAborted)));
        }).Requires(Access.Admin).WithTags("Audit").Produces<AuditListResponse>();
        return app;
    }
}
