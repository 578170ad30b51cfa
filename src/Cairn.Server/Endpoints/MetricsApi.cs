using Cairn.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Endpoints;

/// <summary>GET /metrics: the monitors' gauges in Prometheus' text format, read from the store at each scrape.</summary>
public static class MetricsApi
{
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app, IMonitorStore monitors)
    {
        var metrics = new MonitorMetrics(monitors);
        app.MapGet("/metrics", async (HttpContext http) =>
        {
            http.Response.ContentType = MonitorMetrics.ContentType;
            await metrics.WriteAsync(http.Response.Body, http.RequestAborted);
        }).ExcludeFromDescription();
        return app;
    }
}
