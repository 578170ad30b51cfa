using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Models;
using Cairn.Monitoring.Tests.EndToEnd;
using Cairn.Server;
using Cairn.Serving;
using Cairn.Testing;

namespace Cairn.Monitoring.Tests.Alerts;

/// <summary>
/// A real Prometheus scrapes both a real <c>cairn serve</c> (its inference counters) and a real
/// <c>cairn server</c> (the monitor gauges), evaluates one rule on each, and a real Alertmanager
/// forwards both alerts to a webhook.
/// </summary>
public sealed class ServingAndServerScrapeTests
{
    [Fact]
    public async Task Prometheus_ScrapesServingAndServer_RulesOnBoth_ReachTheWebhookThroughAlertmanager()
    {
        await using var points = await MonitoredPoints.CreateAsync();
        using var cairn = CairnClient.Open(points.Store);
        var loaded = await cairn.LoadModelAsync("models:/points@champion");
        await using var host = new ModelHost(new ServedModel("points", loaded.Version!.Version, loaded.Predictor));
        var serving = ModelServer.Build(new ModelServerOptions(host) { Port = 0 });
        await serving.StartAsync();
        try
        {
            using (var http = new HttpClient { BaseAddress = serving.BoundAddress() })
            {
                var answer = await http.PostAsJsonAsync("/invocations", new Dictionary<string, object>
                {
                    ["dataframe_records"] = new[] { new Dictionary<string, object> { ["X"] = 0.5f, ["Y"] = 0.5f, ["Color"] = "red" } },
                });
                Assert.True(answer.IsSuccessStatusCode, await answer.Content.ReadAsStringAsync());
            }
            var store = new InMemoryMonitorStore();
            store.Add(new MonitorSpec("points-drift", "models:/points@champion"));
            store.AddRun("points-drift", MonitorRunStatuses.Succeeded, new Dictionary<string, double> { ["drift_share"] = 0.6 }, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            await using var server = await RunningServer.StartAsync(o => o with { Monitors = store });
            await using var receiver = await WebhookReceiver.StartAsync();
            using var alertmanager = await PrometheusTool.StartAlertmanagerAsync(receiver.Url("/prometheus"));
            using var prometheus = await PrometheusTool.StartPrometheusAsync([serving.BoundAddress(), server.BaseUri], alertmanager.BaseUri, """
                groups:
                  - name: cairn
                    rules:
                      - alert: CairnMonitorDrift
                        expr: cairn_monitor_value{value="drift_share"} > 0.3
                      - alert: CairnServingTraffic
                        expr: sum by (model) (cairn_inference_requests_total) > 0
                """);
            // The two alerts come in either order (NextAsync skips what does not match): wait for whichever is still missing.
            var pending = new HashSet<string> { "CairnMonitorDrift", "CairnServingTraffic" };
            while (pending.Count > 0)
            {
                var forwarded = await receiver.NextAsync(r => pending.Any(a => Fires(r.Body, a)), PrometheusTool.Wait,
                    () => $"still waiting for {string.Join(", ", pending)}. " + prometheus.Output + alertmanager.Output);
                pending.RemoveWhere(a => Fires(forwarded.Body, a));
            }
        }
        finally
        {
            await serving.StopAsync();
            await serving.DisposeAsync();
        }
    }

    private static bool Fires(JsonElement body, string alert) =>
        body.TryGetProperty("alerts", out var alerts) && alerts.EnumerateArray().Any(a =>
            a.GetProperty("status").GetString() == "firing" && a.GetProperty("labels").GetProperty("alertname").GetString() == alert);
}
