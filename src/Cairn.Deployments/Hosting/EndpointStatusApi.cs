using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Deployments.Hosting;

public static class EndpointStatusApi
{
    public const string Route = "/cairn/endpoint";

    /// <summary>GET /cairn/endpoint on the endpoint's own server: its <see cref="EndpointStatus"/> as JSON (snake_case), for <c>cairn deploy status --url</c>.</summary>
    public static IEndpointRouteBuilder MapEndpointStatus(this IEndpointRouteBuilder app, EndpointHost host)
    {
        app.MapGet(Route, () => Results.Text(JsonSerializer.Serialize(host.Status(), CairnJson.Readable), "application/json"));
        return app;
    }
}
