using System.Net;
using System.Net.Sockets;
using Cairn.Monitoring;
using Cairn.Pipelines;
using Cairn.Registry;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Monitoring.Tests.Alerts;

public sealed class DestinationTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();
    private readonly HttpClient _http = new();
    private readonly List<string> _log = [];
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _http.Dispose();
        _folder.Dispose();
    }

    private static AlertNotification Firing(string alert = "drift_high", long? since = null) =>
        AlertEvaluator.Evaluate("delay-drift", [new AlertRuleSpec(alert, "drift_share > 0.3", "critical")], [],
            new Dictionary<string, double> { ["drift_share"] = 0.42 }, since is { } s ? DateTimeOffset.FromUnixTimeMilliseconds(s) : T0,
            "models:/delay@champion").Notifications.Single();

    private static MonitorSpec Monitor(params AlertDestination[] destinations) =>
        new("delay-drift", "models:/delay@champion", Alerts: [new AlertRuleSpec("drift_high", "drift_share > 0.3", "critical")], Destinations: destinations);

    [Fact]
    public async Task The_webhook_receives_every_fact_as_json()
    {
        var dispatcher = new AlertDispatcher(_http, _log.Add);
        var monitor = Monitor(new AlertDestination(AlertDestinationTypes.Webhook, _receiver.Url("/hook").ToString()));

        var deliveries = await dispatcher.DispatchAsync(monitor, [Firing()], null);

        Assert.True(Assert.Single(deliveries).Delivered);
        var body = (await _receiver.NextAsync(_ => true, Wait)).Body;
        Assert.Equal("delay-drift", body.GetProperty("monitor").GetString());
        Assert.Equal("drift_high", body.GetProperty("alert").GetString());
        Assert.Equal("firing", body.GetProperty("state").GetString());
        Assert.Equal("critical", body.GetProperty("severity").GetString());
        Assert.Equal(0.42, body.GetProperty("value").GetDouble());
        Assert.Equal(0.3, body.GetProperty("threshold").GetDouble());
        Assert.Equal("drift_share > 0.3", body.GetProperty("rule").GetString());
        Assert.Equal("models:/delay@champion", body.GetProperty("model").GetString());
        Assert.Contains("0.42", body.GetProperty("message").GetString());
        Assert.Equal(T0, body.GetProperty("since").GetDateTimeOffset());
        Assert.Equal(T0, body.GetProperty("time").GetDateTimeOffset());
    }

    [Fact]
    public async Task The_slack_format_posts_one_text_with_the_same_facts()
    {
        var dispatcher = new AlertDispatcher(_http, _log.Add);
        var monitor = Monitor(new AlertDestination(AlertDestinationTypes.Webhook, _receiver.Url("/slack").ToString(), "slack"));

        await dispatcher.DispatchAsync(monitor, [Firing()], null);

        var body = (await _receiver.NextAsync(_ => true, Wait)).Body;
        Assert.Equal(["text"], body.EnumerateObject().Select(p => p.Name));
        var text = body.GetProperty("text").GetString()!;
        foreach (var fact in new[] { "FIRING", "critical", "drift_high", "delay-drift", "models:/delay@champion", "drift_share > 0.3", "0.42", "threshold: 0.3" })
            Assert.Contains(fact, text);
    }

    [Fact]
    public async Task A_failing_destination_is_logged_and_recorded_and_the_others_still_receive()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var unreachable = $"http://127.0.0.1:{((IPEndPoint)closed.LocalEndpoint).Port}/hook";
        closed.Stop();
        var store = new InMemoryMonitorStore();
        var processor = new AlertProcessor(store, new AlertDispatcher(_http, _log.Add), new FixedTime(T0));
        var monitor = Monitor(
            new AlertDestination(AlertDestinationTypes.Webhook, _receiver.Url("/fail").ToString()),
            new AlertDestination(AlertDestinationTypes.Webhook, unreachable),
            new AlertDestination(AlertDestinationTypes.ModelVersion),
            new AlertDestination(AlertDestinationTypes.Log),
            new AlertDestination(AlertDestinationTypes.Webhook, _receiver.Url("/ok").ToString()));
        var run = store.AddRun("delay-drift", MonitorRunStatuses.Succeeded, new Dictionary<string, double> { ["drift_share"] = 0.42 }, T0.ToUnixTimeMilliseconds());

        var outcome = await processor.ProcessAsync(monitor, run, null);

        Assert.Equal([false, false, false, true, true], outcome.Deliveries.Select(d => d.Delivered));
        Assert.Contains("500", outcome.Deliveries[0].Error);
        await _receiver.NextAsync(r => r.Path == "/ok", Wait);
        Assert.Contains(_log, l => l.Contains("[FIRING] critical alert drift_high"));
        Assert.Equal(3, _log.Count(l => l.Contains("not delivered to")));
        var recorded = Assert.Single(store.Events);
        Assert.Equal((AlertStates.Firing, run.RunId), (recorded.State, recorded.MonitorRunId));
        Assert.Contains($"webhook {_receiver.Url("/fail")}", recorded.Message);
        Assert.Contains(unreachable, recorded.Message);
        Assert.Equal(AlertStates.Firing, Assert.Single(store.States).State);
    }

    [Fact]
    public async Task The_model_version_gets_a_tag_naming_the_alert_and_its_state()
    {
        using var stores = new SqliteStores(_folder.File("cairn.db"));
        var version = await stores.Registry.CreateModelVersionAsync(new NewModelVersion("delay", "mlflow-artifacts:/a"));
        var dispatcher = new AlertDispatcher(_http, _log.Add, stores.Registry);
        var monitor = Monitor(new AlertDestination(AlertDestinationTypes.ModelVersion));
        var watched = new WatchedModelVersion("delay", version.Version);

        await dispatcher.DispatchAsync(monitor, [Firing()], watched);
        var tagged = await stores.Registry.GetModelVersionAsync("delay", version.Version);
        Assert.StartsWith("firing: drift_share = 0.42", tagged.Tags.Single(t => t.Key == "cairn.alert.drift_high").Value);

        var resolve = AlertEvaluator.Evaluate(monitor, [new AlertState("delay-drift", "drift_high", AlertStates.Firing, "critical", 0.42, "", 0, 0, 0)],
            new Dictionary<string, double> { ["drift_share"] = 0.1 }, T0).Notifications;
        await dispatcher.DispatchAsync(monitor, resolve, watched);
        tagged = await stores.Registry.GetModelVersionAsync("delay", version.Version);
        Assert.StartsWith("resolved: ", tagged.Tags.Single(t => t.Key == "cairn.alert.drift_high").Value);
    }

    [Fact]
    public async Task A_pipeline_trigger_is_queued_once_per_firing_episode()
    {
        using var stores = new SqliteStores(_folder.File("cairn.db"));
        var pipeline = _folder.File("cairn.pipeline.yaml");
        File.WriteAllText(pipeline, "name: retrain\nsteps: []\n");
        await stores.Schedules.CreateTriggerAsync(new NewPipelineTrigger("retrain-on-drift", pipeline, TriggerEvents.Alert, "any-alert"));
        var dispatcher = new AlertDispatcher(_http, _log.Add, schedules: stores.Schedules);
        var monitor = Monitor(new AlertDestination(AlertDestinationTypes.Pipeline, Trigger: "retrain-on-drift"));
        var first = Firing();

        await dispatcher.DispatchAsync(monitor, [first], null);
        // The same episode notified again after its cool-down: no second fire.
        await dispatcher.DispatchAsync(monitor, [first with { Repeat = true, Time = first.Time + 3_600_000 }], null);
        var fires = await stores.Schedules.ListFiresAsync("retrain-on-drift");
        var fire = Assert.Single(fires);
        Assert.Equal(FireStatuses.Pending, fire.Status);
        Assert.Null(fire.Owner);
        Assert.Equal("drift_high", fire.Parameters["alertname"]);
        Assert.Equal("delay-drift", fire.Parameters["monitor"]);
        Assert.Equal("critical", fire.Parameters["severity"]);

        // A new episode fires again.
        await dispatcher.DispatchAsync(monitor, [Firing(since: first.Since + 7_200_000)], null);
        Assert.Equal(2, (await stores.Schedules.ListFiresAsync("retrain-on-drift")).Count);
    }

    [Fact]
    public async Task A_missing_trigger_or_a_bad_url_fails_only_its_destination()
    {
        using var stores = new SqliteStores(_folder.File("cairn.db"));
        var dispatcher = new AlertDispatcher(_http, _log.Add, schedules: stores.Schedules);
        var monitor = Monitor(new AlertDestination(AlertDestinationTypes.Pipeline, Trigger: "nope"),
            new AlertDestination(AlertDestinationTypes.Webhook, "not a url"), new AlertDestination(AlertDestinationTypes.Log));

        var deliveries = await dispatcher.DispatchAsync(monitor, [Firing()], null);

        Assert.False(deliveries[0].Delivered);
        Assert.Contains("nope", deliveries[0].Error);
        Assert.False(deliveries[1].Delivered);
        Assert.Contains("absolute http or https URL", deliveries[1].Error);
        Assert.True(deliveries[2].Delivered);
    }
}
