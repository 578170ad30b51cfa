using Cairn.Monitoring;
using Cairn.Testing;

namespace Cairn.Monitoring.Tests.Alerts;

public class MetricsEndpointTests
{
    [Fact]
    public async Task The_server_exports_the_latest_succeeded_run_the_alert_states_and_the_run_time()
    {
        var store = new InMemoryMonitorStore();
        store.Add(new MonitorSpec("delay-drift", "models:/delay@champion",
            Alerts: [new AlertRuleSpec("drift_high", "drift_share > 0.3", "critical"), new AlertRuleSpec("auc_low", "auc < 0.7", "info")]));
        store.Add(new MonitorSpec("never-ran", "models:/other/1", Alerts: [new AlertRuleSpec("x", "rows < 10")]));
        store.AddRun("delay-drift", MonitorRunStatuses.Succeeded, new Dictionary<string, double> { ["drift_share"] = 0.1 }, 1_700_000_000_000);
        store.AddRun("delay-drift", MonitorRunStatuses.Succeeded,
            new Dictionary<string, double> { ["drift_share"] = 0.42, ["psi(Dest \"x\")"] = 0.25 }, 1_700_003_600_000);
        store.AddRun("delay-drift", MonitorRunStatuses.Failed, new Dictionary<string, double>(), 1_700_007_200_000);
        await store.SaveAlertStateAsync(new AlertState("delay-drift", "drift_high", AlertStates.Firing, "critical", 0.42, "", 0, 0, 0));
        await store.SaveAlertStateAsync(new AlertState("delay-drift", "auc_low", AlertStates.Resolved, "info", 0.8, "", 0, 0, 0));
        await using var server = await RunningServer.StartAsync(o => o with { Monitors = store });

        using var response = await server.Http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.IsSuccessStatusCode, text);
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString());
        var lines = text.Split('\n');
        Assert.Contains("# TYPE cairn_monitor_value gauge", lines);
        Assert.Contains("cairn_monitor_value{monitor=\"delay-drift\",value=\"drift_share\"} 0.42", lines);
        Assert.Contains("cairn_monitor_value{monitor=\"delay-drift\",value=\"psi(Dest \\\"x\\\")\"} 0.25", lines);
        Assert.Contains("cairn_monitor_alert_firing{monitor=\"delay-drift\",alert=\"drift_high\",severity=\"critical\"} 1", lines);
        Assert.Contains("cairn_monitor_alert_firing{monitor=\"delay-drift\",alert=\"auc_low\",severity=\"info\"} 0", lines);
        Assert.Contains("cairn_monitor_alert_firing{monitor=\"never-ran\",alert=\"x\",severity=\"warning\"} 0", lines);
        Assert.Contains("cairn_monitor_last_run_timestamp_seconds{monitor=\"delay-drift\"} 1700003600", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("cairn_monitor_last_run_timestamp_seconds{monitor=\"never-ran\"", StringComparison.Ordinal));
    }

    [Fact]
    public void The_values_of_one_monitor_are_capped_plain_names_first()
    {
        var values = Enumerable.Range(0, 300).ToDictionary(i => $"psi(c{i:D3})", i => (double)i);
        values["drift_share"] = 0.5;

        var kept = MonitorMetrics.Bounded(values).ToList();

        Assert.Equal(MonitorMetrics.MaxValuesPerMonitor, kept.Count);
        Assert.Equal("drift_share", kept[0].Key);
        Assert.Equal("psi(c000)", kept[1].Key);
    }
}
