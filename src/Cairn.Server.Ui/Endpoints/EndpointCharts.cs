using Cairn.Server.Ui.Charts;
using Cairn.Tracking;

namespace Cairn.Server.Ui.Endpoints;

/// <summary>An endpoint's traffic as the metric charts draw it: requests per minute, one line per variant.</summary>
public static class EndpointCharts
{
    public const string RequestsPerMinute = "requests_per_minute";

    /// <summary>The chart, with a point per minute of the window (zeros included); null when nothing was logged.</summary>
    public static MetricChart? Requests(EndpointTraffic traffic)
    {
        if (traffic.Requests == 0) return null;
        var series = traffic.Variants
            .Select(v => (v.Variant, (IReadOnlyList<Metric>)v.RequestsPerMinute
                .Select((count, minute) => new Metric(RequestsPerMinute, count, traffic.Start + minute * EndpointTraffic.MinuteMs, minute))
                .ToList()))
            .ToList();
        return MetricChartBuilder.Build(RequestsPerMinute, series, new MetricChartSettings(XAxisKind.WallTime));
    }
}
