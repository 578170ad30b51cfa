using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cairn.Hosting;

/// <summary>Writes an error body in the host's own format: (context, status, error code, message).</summary>
public delegate Task ErrorWriter(HttpContext context, int status, string errorCode, string message);

public static class AllowedHostsMiddleware
{
    /// <summary>
    /// Refuses a request for a host that is not allowed with 403 PERMISSION_DENIED. Add it first:
    /// a refused request reaches no route, and nothing about the server's data is in the answer.
    /// </summary>
    /// <remarks>
    /// ASP.NET Core's own host filtering answers 400 with a plain-text page and cannot allow the
    /// address a request arrived on when the server is bound to 0.0.0.0, hence this one.
    /// </remarks>
    public static IApplicationBuilder UseAllowedHosts(this IApplicationBuilder app, AllowedHosts hosts, ErrorWriter writeError) =>
        hosts.AllowsAny
            ? app
            : app.Use((context, next) => hosts.Allows(context.Request.Host, context.Connection.LocalIpAddress)
                ? next(context)
                : writeError(context, StatusCodes.Status403Forbidden, ErrorCodes.PermissionDenied, hosts.RefusalMessage(context.Request.Host)));
}
