using System.Text;

namespace Cairn.Monitoring;

/// <summary>
/// The monitors' Prometheus gauges, read from the store at each scrape: the values of each monitor's
/// latest succeeded run (<c>cairn_monitor_value{monitor,value}</c>), whether each alert fires
/// (<c>cairn_monitor_alert_firing{monitor,alert,severity}</c>) and when that run ended
/// (<c>cairn_monitor_last_run_timestamp_seconds{monitor}</c>).
/// </summary>
/// <remarks>
/// Written in Prometheus' text format (0.0.4) directly: the gauges are a snapshot of the store, so a
/// deleted monitor or a value a run no longer has disappears instead of lingering in a registry, and
/// every project that references monitoring stays free of prometheus-net's package graph.
/// Label values stay bounded: at most <see cref="MaxValuesPerMonitor"/> values per monitor (the plain
/// names such as <c>drift_share</c> first, then per-column ones such as <c>psi(Distance)</c>, each by name).
/// </remarks>
public sealed class MonitorMetrics(IMonitorStore store)
{
    public const int MaxValuesPerMonitor = 200;

    /// <summary>How many recent runs are searched for the latest succeeded one.</summary>
    public const int RunsSearched = 50;

    public const string ContentType = PrometheusGauge.ContentType;

    /// <summary>Reads the store and writes the exposition to <paramref name="output"/>.</summary>
    public async Task WriteAsync(Stream output, CancellationToken ct = default)
    {
        var bytes = Encoding.UTF8.GetBytes(await RenderAsync(ct));
        await output.WriteAsync(bytes, ct);
    }

    /// <summary>The exposition text as of now.</summary>
    public async Task<string> RenderAsync(CancellationToken ct = default)
    {
        var values = new PrometheusGauge("cairn_monitor_value", "A value of the monitor's latest succeeded run (drift_share, psi(col), auc...).");
        var firing = new PrometheusGauge("cairn_monitor_alert_firing", "1 while the monitor's alert fires, else 0.");
        var lastRun = new PrometheusGauge("cairn_monitor_last_run_timestamp_seconds", "When the monitor's latest succeeded run ended (Unix seconds).");

        var states = await store.ListAlertStatesAsync(null, ct);
        foreach (var monitor in (await store.ListMonitorsAsync(ct)).OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            var runs = await store.ListMonitorRunsAsync(monitor.Name, RunsSearched, ct);
            if (runs.FirstOrDefault(r => r.Status == MonitorRunStatuses.Succeeded) is { } latest)
            {
                lastRun.Add([("monitor", monitor.Name)], (latest.EndTime ?? latest.CreationTime) / 1000.0);
                foreach (var (key, value) in Bounded(latest.Values))
                    values.Add([("monitor", monitor.Name), ("value", key)], value);
            }
            foreach (var alert in monitor.Spec.Alerts ?? [])
            {
                var state = states.FirstOrDefault(s => s.MonitorName == monitor.Name && s.AlertName == alert.Name);
                firing.Add([("monitor", monitor.Name), ("alert", alert.Name), ("severity", alert.Severity)], state?.State == AlertStates.Firing ? 1 : 0);
            }
        }
        var text = new StringBuilder();
        foreach (var family in new[] { values, firing, lastRun }) family.WriteTo(text);
        return text.ToString();
    }

    /// <summary>At most <see cref="MaxValuesPerMonitor"/> values: plain names first, then per-column ones, each by name.</summary>
    public static IEnumerable<KeyValuePair<string, double>> Bounded(IReadOnlyDictionary<string, double> values) =>
        values.OrderBy(v => v.Key.Contains('(') ? 1 : 0).ThenBy(v => v.Key, StringComparer.Ordinal).Take(MaxValuesPerMonitor);
}
