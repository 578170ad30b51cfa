using Cairn.Features;
using Cairn.Monitoring;
using Cairn.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Endpoints;

/// <summary>GET /metrics: the monitors' gauges and the feature views' freshness in Prometheus' text format, read from the stores at each scrape.</summary>
public static class MetricsApi
{
    /// <summary>Maps /metrics over whichever of <paramref name="monitors"/> and <paramref name="freshness"/> is given.</summary>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder app, IMonitorStore? monitors, FeatureFreshnessMetrics? freshness = null)
    {
        var monitorMetrics = monitors is null ? null : new MonitorMetrics(monitors);
        app.MapGet("/metrics", async (HttpContext http) =>
        {
            var text = (monitorMetrics is null ? "" : await monitorMetrics.RenderAsync(http.RequestAborted))
                + (freshness is null ? "" : await freshness.RenderAsync(http.RequestAborted));
            http.Response.ContentType = PrometheusGauge.ContentType;
            await http.Response.WriteAsync(text, http.RequestAborted);
        }).Requires(Access.Server(Need.Read)).ExcludeFromDescription();
        return app;
    }
}
