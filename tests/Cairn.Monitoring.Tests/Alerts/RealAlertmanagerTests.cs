using System.Text.Json;
using Cairn.Monitoring;
using Cairn.Testing;

namespace Cairn.Monitoring.Tests.Alerts;

/// <summary>Cairn's alerts through a real Alertmanager, and its gauges through a real Prometheus, to a webhook the test listens on.</summary>
public sealed class RealAlertmanagerTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private PrometheusTool? _alertmanager;
    private PrometheusTool? _prometheus;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        _prometheus?.Dispose();
        _alertmanager?.Dispose();
        await _receiver.DisposeAsync();
    }

    private static JsonElement AlertNamed(WebhookReceiver.Received r, string name, string status) =>
        r.Body.GetProperty("alerts").EnumerateArray()
            .FirstOrDefault(a => a.GetProperty("labels").TryGetProperty("alertname", out var n) && n.GetString() == name && a.GetProperty("status").GetString() == status);

    private static bool Has(WebhookReceiver.Received r, string name, string status) => AlertNamed(r, name, status).ValueKind == JsonValueKind.Object;

    [Fact]
    public async Task Alertmanager_receives_the_alert_through_its_v2_api_and_forwards_firing_then_resolved()
    {
        _alertmanager = await PrometheusTool.StartAlertmanagerAsync(_receiver.Url("/am"));
        using var http = new HttpClient();
        var dispatcher = new AlertDispatcher(http, _ => { });
        var monitor = new MonitorSpec("delay-drift", "models:/delay@champion",
            Alerts: [new AlertRuleSpec("drift_high", "drift_share > 0.3", "critical")],
            Destinations: [new AlertDestination(AlertDestinationTypes.Alertmanager, _alertmanager.BaseUri.ToString())]);
        // Real time: Alertmanager treats an alert whose endsAt has passed as resolved.
        var firing = AlertEvaluator.Evaluate(monitor, [], new Dictionary<string, double> { ["drift_share"] = 0.42 }, DateTimeOffset.UtcNow);

        var sent = await dispatcher.DispatchAsync(monitor, firing.Notifications, null);

        Assert.True(Assert.Single(sent).Delivered, sent[0].Error);
        var forwarded = await _receiver.NextAsync(r => Has(r, "drift_high", "firing"), PrometheusTool.Wait, () => _alertmanager.Output);
        var alert = AlertNamed(forwarded, "drift_high", "firing");
        var labels = alert.GetProperty("labels");
        Assert.Equal("delay-drift", labels.GetProperty("monitor").GetString());
        Assert.Equal("critical", labels.GetProperty("severity").GetString());
        Assert.Equal("models:/delay@champion", labels.GetProperty("model").GetString());
        Assert.Contains("drift_high", alert.GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Contains("drift_share = 0.42", alert.GetProperty("annotations").GetProperty("description").GetString());

        var resolved = AlertEvaluator.Evaluate(monitor, firing.States, new Dictionary<string, double> { ["drift_share"] = 0.1 }, DateTimeOffset.UtcNow);
        await dispatcher.DispatchAsync(monitor, resolved.Notifications, null);
        await _receiver.NextAsync(r => Has(r, "drift_high", "resolved"), PrometheusTool.Wait, () => _alertmanager.Output);
    }

    [Fact]
    public async Task Prometheus_scrapes_the_servers_gauges_and_its_rule_alerts_through_alertmanager()
    {
        var store = new InMemoryMonitorStore();
        store.Add(new MonitorSpec("delay-drift", "models:/delay@champion", Alerts: [new AlertRuleSpec("drift_high", "drift_share > 0.3")]));
        store.AddRun("delay-drift", MonitorRunStatuses.Succeeded,
            new Dictionary<string, double> { ["drift_share"] = 0.42, ["psi(Distance)"] = 0.25 }, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await using var server = await RunningServer.StartAsync(o => o with { Monitors = store });
        _alertmanager = await PrometheusTool.StartAlertmanagerAsync(_receiver.Url("/prometheus"));
        _prometheus = await PrometheusTool.StartPrometheusAsync(server.BaseUri, _alertmanager.BaseUri, """
            groups:
              - name: cairn-monitors
                rules:
                  - alert: CairnMonitorDrift
                    expr: cairn_monitor_value{value="drift_share"} > 0.3
                    labels:
                      severity: warning
                    annotations:
                      summary: 'Monitor {{ $labels.monitor }}: drift share {{ $value }}'
            """);

        var forwarded = await _receiver.NextAsync(r => Has(r, "CairnMonitorDrift", "firing"), PrometheusTool.Wait,
            () => _prometheus.Output + _alertmanager.Output);

        var labels = AlertNamed(forwarded, "CairnMonitorDrift", "firing").GetProperty("labels");
        Assert.Equal("delay-drift", labels.GetProperty("monitor").GetString());
        Assert.Equal("drift_share", labels.GetProperty("value").GetString());
        Assert.Equal("warning", labels.GetProperty("severity").GetString());
        Assert.Equal("cairn", labels.GetProperty("job").GetString());
    }
}
