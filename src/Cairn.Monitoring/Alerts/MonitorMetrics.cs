using Prometheus;

namespace Cairn.Monitoring;

/// <summary>
/// The monitors' Prometheus gauges, read from the store at each scrape: the values of each monitor's
/// latest succeeded run (<c>cairn_monitor_value{monitor,value}</c>), whether each alert fires
/// (<c>cairn_monitor_alert_firing{monitor,alert,severity}</c>) and when the run ended
/// (<c>cairn_monitor_last_run_timestamp_seconds{monitor}</c>).
/// </summary>
/// <remarks>
/// Each scrape builds a fresh registry, so a deleted monitor or a value a run no longer has
/// disappears instead of lingering. Label values stay bounded: at most <see cref="MaxValuesPerMonitor"/>
/// values per monitor (the plain names such as <c>drift_share</c> first, then per-column ones by name).
/// </remarks>
public sealed class MonitorMetrics(IMonitorStore store)
{
    public const int MaxValuesPerMonitor = 200;

    /// <summary>How many recent runs are searched for the latest succeeded one.</summary>
    public const int RunsSearched = 50;

    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Reads the store and writes the Prometheus text exposition to <paramref name="output"/>.</summary>
    public async Task WriteAsync(Stream output, CancellationToken ct = default)
    {
        var registry = await CollectAsync(ct);
        await registry.CollectAndExportAsTextAsync(output, ct);
    }

    /// <summary>A registry holding the gauges as of now.</summary>
    public async Task<CollectorRegistry> CollectAsync(CancellationToken ct = default)
    {
        var registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(registry);
        var values = factory.CreateGauge("cairn_monitor_value", "A value of the monitor's latest succeeded run (drift_share, psi(col), auc...).", ["monitor", "value"]);
        var firing = factory.CreateGauge("cairn_monitor_alert_firing", "1 while the monitor's alert fires, else 0.", ["monitor", "alert", "severity"]);
        var lastRun = factory.CreateGauge("cairn_monitor_last_run_timestamp_seconds", "When the monitor's latest succeeded run ended (Unix seconds).", ["monitor"]);

        var states = await store.ListAlertStatesAsync(null, ct);
        foreach (var monitor in await store.ListMonitorsAsync(ct))
        {
            var runs = await store.ListMonitorRunsAsync(monitor.Name, RunsSearched, ct);
            if (runs.FirstOrDefault(r => r.Status == MonitorRunStatuses.Succeeded) is { } latest)
            {
                lastRun.WithLabels(monitor.Name).Set((latest.EndTime ?? latest.CreationTime) / 1000.0);
                foreach (var (key, value) in Bounded(latest.Values))
                    values.WithLabels(monitor.Name, key).Set(value);
            }
            foreach (var alert in monitor.Spec.Alerts ?? [])
            {
                var state = states.FirstOrDefault(s => s.MonitorName == monitor.Name && s.AlertName == alert.Name);
                firing.WithLabels(monitor.Name, alert.Name, alert.Severity).Set(state?.State == AlertStates.Firing ? 1 : 0);
            }
        }
        return registry;
    }

    /// <summary>At most <see cref="MaxValuesPerMonitor"/> values: plain names first, then per-column ones, each by name.</summary>
    public static IEnumerable<KeyValuePair<string, double>> Bounded(IReadOnlyDictionary<string, double> values) =>
        values.OrderBy(v => v.Key.Contains('(') ? 1 : 0).ThenBy(v => v.Key, StringComparer.Ordinal).Take(MaxValuesPerMonitor);
}
