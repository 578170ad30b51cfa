using Cairn.Artifacts;
using Cairn.Monitoring;
using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// A real server whose <c>Monitors</c> option is an <see cref="InMemoryMonitorStore"/> holding
/// what monitor runs record: <see cref="Drift"/> ran over four hourly windows with rising drift
/// and falling AUC, each with a tracking run in <c>monitors/delay-drift</c> holding its values and
/// <c>report.html</c>, then failed on a fifth; two of its alerts fire. <see cref="HostileName"/>
/// holds markup in every text it has; <see cref="Quiet"/> never ran and is disabled.
/// </summary>
public sealed class MonitorServer : IAsyncLifetime
{
    public const string Drift = "delay-drift";
    public const string Quiet = "quiet";
    public const string HostileName = "<script>alert('monitor')</script>";
    public const string HostileText = "<img src=x onerror=alert('text')>";
    public const string WebhookSecret = "T0000/B0000/SECRETTOKEN";
    public const long FirstWindowEnd = 1_764_000_000_000L;
    public const long Hour = 3_600_000L;
    public const int SucceededRuns = 4;
    public const string Report = "<!doctype html><html><body><h1>Drift report</h1><script>document.title = 'script ran'</script></body></html>";

    public static readonly double[] DriftShares = [0, 0.25, 0.5, 0.75];
    public static readonly double[] Aucs = [0.82, 0.8, 0.74, 0.66];

    public InMemoryMonitorStore Store { get; } = new();
    public RunningServer Server { get; private set; } = null!;
    /// <summary>The tracking runs of <see cref="Drift"/>'s succeeded runs, oldest first.</summary>
    public List<string> TrackingRuns { get; } = [];

    public async Task InitializeAsync()
    {
        Server = await RunningServer.StartAsync(o => o with { Monitors = Store });
        await Store.CreateMonitorAsync(new MonitorSpec(Drift, "models:/delay@champion", Window: "1h", Schedule: "0 * * * *",
            Alerts: [new AlertRuleSpec("drift", "drift_share > 0.3", "critical"), new AlertRuleSpec("auc-drop", "auc < 0.7"), new AlertRuleSpec("latency", "p99_latency_ms > 50", "info")],
            Destinations: [new AlertDestination(AlertDestinationTypes.Webhook, $"https://hooks.slack.com/services/{WebhookSecret}", "slack")],
            Description: "Drift of the delay model's inputs, hourly."));
        var experiment = await Server.Store.CreateExperimentAsync($"monitors/{Drift}");
        for (var i = 0; i < SucceededRuns; i++)
        {
            var end = FirstWindowEnd + i * Hour;
            var values = new Dictionary<string, double>
            {
                ["rows"] = 1000 + i, ["drift_share"] = DriftShares[i], ["drifted_features"] = i, ["dataset_drift"] = DriftShares[i] >= 0.5 ? 1 : 0,
                ["auc"] = Aucs[i], ["p99_latency_ms"] = 20 + 5 * i,
                ["drift_score(Distance)"] = 0.05 * (i + 1), ["drift(Distance)"] = i >= 2 ? 1 : 0, ["psi(Distance)"] = 0.1 * i, ["missing_rate(Distance)"] = 0,
                ["drift_score(Origin)"] = 0.5, ["drift(Origin)"] = 0, ["missing_rate(Origin)"] = 0.01 * i,
                ["drift_score(DepDelay)"] = 0.02, ["drift(DepDelay)"] = 0,
            };
            var run = await Server.Store.CreateRunAsync(new NewRun(experiment, "cairn", end, $"{Drift} {i}"));
            // Tracking keys take no parentheses: only the run-wide values are logged here; the pages read the monitor store's.
            await Server.Store.LogBatchAsync(run.Info.RunId, new LogBatch(Metrics: values.Where(v => !v.Key.Contains('(')).Select(v => new Metric(v.Key, v.Value, end, 0)).ToList()));
            await Server.Artifacts.PutAsync(ArtifactPath.FromUri(run.Info.ArtifactUri) + "/report.html", new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Report)));
            TrackingRuns.Add(run.Info.RunId);
            Store.AddRun(Drift, end - Hour, end, MonitorRunStatuses.Succeeded, values, run.Info.RunId);
        }
        Store.AddRun(Drift, FirstWindowEnd + (SucceededRuns - 1) * Hour, FirstWindowEnd + SucceededRuns * Hour, MonitorRunStatuses.Failed,
            new Dictionary<string, double>(), error: "The inference log has no file in this window.");
        var last = FirstWindowEnd + (SucceededRuns - 1) * Hour;
        await Store.SaveAlertStateAsync(new AlertState(Drift, "drift", AlertStates.Firing, "critical", 0.75, "drift_share 0.75 > 0.3", last - Hour, last, last));
        await Store.SaveAlertStateAsync(new AlertState(Drift, "auc-drop", AlertStates.Firing, "warning", 0.66, "auc 0.66 < 0.7", last, last, last));
        await Store.SaveAlertStateAsync(new AlertState(Drift, "latency", AlertStates.Resolved, "info", 35, "p99_latency_ms 35 <= 50", last, null, last));
        await Store.AppendAlertEventAsync(new AlertEvent("e1", Drift, "drift", AlertStates.Firing, "critical", 0.5, "drift_share 0.5 > 0.3", null, last - Hour));
        await Store.AppendAlertEventAsync(new AlertEvent("e2", Drift, "auc-drop", AlertStates.Firing, "warning", 0.66, "auc 0.66 < 0.7", null, last));

        await Store.CreateMonitorAsync(new MonitorSpec(HostileName, HostileText, Reference: HostileText, Window: HostileText, Schedule: HostileName,
            Features: [HostileName], Alerts: [new AlertRuleSpec(HostileName, HostileText, HostileText, HostileText)],
            Destinations: [new AlertDestination(HostileText, "javascript:alert('url')", HostileText, HostileName)], Description: HostileName));
        for (var i = 0; i < 2; i++)
        {
            var end = FirstWindowEnd + i * Hour;
            Store.AddRun(HostileName, end - Hour, end, i == 0 ? MonitorRunStatuses.Succeeded : HostileText,
                new Dictionary<string, double> { ["drift_share"] = 0.5, [$"drift_score({HostileName})"] = 0.3, [$"drift({HostileName})"] = 1 },
                trackingRunId: i == 0 ? "\"><script>alert('run')</script>" : null, error: HostileText);
        }
        await Store.SaveAlertStateAsync(new AlertState(HostileName, HostileName, AlertStates.Firing, HostileText, 1, HostileName, FirstWindowEnd, null, FirstWindowEnd));
        await Store.AppendAlertEventAsync(new AlertEvent("e3", HostileName, HostileText, HostileText, HostileText, 1, HostileName, HostileText, FirstWindowEnd));

        await Store.CreateMonitorAsync(new MonitorSpec(Quiet, "models:/delay/3"));
        await Store.SetMonitorEnabledAsync(Quiet, false);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class MonitorServerCollection : ICollectionFixture<MonitorServer>
{
    public const string Name = "monitor server";
}
