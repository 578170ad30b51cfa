using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Endpoints;

/// <summary>
/// MLflow's web UI calls every API under <c>/ajax-api/2.0/...</c> instead of <c>/api/2.0/...</c>
/// (its server maps both). Here the prefix is rewritten before routing, so each endpoint is
/// written once; the few endpoints MLflow serves under <c>/ajax-api</c> only ask <see cref="IsAjax"/>.
/// </summary>
public static class AjaxApi
{
    private const string Prefix = "/ajax-api";
    private static readonly object Marker = new();

    public static IApplicationBuilder UseAjaxApiAliases(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(Prefix, out var rest))
            {
                context.Items[Marker] = true;
                context.Request.Path = new PathString("/api").Add(rest);
            }
            return next(context);
        });

    /// <summary>Whether the request came in under <c>/ajax-api</c>.</summary>
    public static bool IsAjax(HttpContext context) => context.Items.ContainsKey(Marker);

    /// <summary>MLflow's answer to a path it does not serve.</summary>
    public static IResult NotFound(HttpContext context) => Results.Json(
        new Cairn.Protocol.ErrorResponse("ENDPOINT_NOT_FOUND", $"No API endpoint {context.Request.Method} {OriginalPath(context)}. See /openapi/v1.json for the API."),
        CairnJson.Readable, statusCode: StatusCodes.Status404NotFound);

    public static string OriginalPath(HttpContext context) =>
        IsAjax(context) ? Prefix + context.Request.Path.Value![4..] : context.Request.Path.Value ?? "";
}
