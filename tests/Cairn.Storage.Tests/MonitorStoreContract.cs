using Cairn.Monitoring;
using Cairn.Rest;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Storage.Tests;

/// <summary>What every monitor store must do; run on SQLite, PostgreSQL and through the REST client.</summary>
public abstract class MonitorStoreContract : IAsyncLifetime
{
    protected IMonitorStore Store { get; private set; } = null!;

    protected abstract Task<IMonitorStore> OpenStoreAsync();
    protected abstract Task CloseStoreAsync();

    public async Task InitializeAsync() => Store = await OpenStoreAsync();

    public Task DisposeAsync() => CloseStoreAsync();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private static MonitorSpec Spec(string name) => new(name, "models:/delay@champion", Reference: "data:/flights@3", Window: "30m",
        Schedule: "0 * * * *", TimeZone: "Europe/Paris", Features: ["Distance", "Origin"],
        Drift: new DriftSettings(DriftMethods.Psi, 0.2, 0.3, new Dictionary<string, FeatureDriftSettings> { ["Origin"] = new(DriftMethods.ChiSquare, 0.01, "categorical") }),
        Performance: new PerformanceSettings("classification", "probability", 0.4, ["Origin"]),
        Alerts: [new AlertRuleSpec("drift", "drift_share > 0.3", "critical", "2h"), new AlertRuleSpec("psi-distance", "psi(Distance) > 0.2")],
        Destinations: [new AlertDestination(AlertDestinationTypes.Webhook, "https://hooks.example.com/x", "slack"),
            new AlertDestination(AlertDestinationTypes.Pipeline, Trigger: "retrain")],
        Description: "Delay model drift");

    private static NewMonitorRun Run(string monitor, string key, long windowEnd = 1_700_000_000_000, string owner = "server-a") =>
        new(monitor, key, windowEnd - 3_600_000, windowEnd, owner);

    private static async Task<CairnException> Fails(string code, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<CairnException>(action);
        Assert.Equal(code, e.ErrorCode);
        return e;
    }

    [Fact]
    public async Task CreateMonitor_Valid_RoundTripsEveryField()
    {
        var name = Unique("delay-drift");
        var created = await Store.CreateMonitorAsync(Spec(name));

        var got = await Store.GetMonitorAsync(name);
        Assert.Equal(name, got.Name);
        Assert.True(got.Enabled);
        Assert.True(got.CreationTime > 0);
        Assert.Equal(got.CreationTime, got.ActiveSince);
        Assert.Equal(created.CreationTime, got.CreationTime);
        var s = got.Spec;
        Assert.Equal(("models:/delay@champion", "data:/flights@3", "30m", "0 * * * *", "Europe/Paris"), (s.Model, s.Reference, s.Window, s.Schedule, s.TimeZone));
        Assert.Equal(["Distance", "Origin"], s.Features!);
        Assert.Equal((DriftMethods.Psi, 0.2, 0.3), (s.Drift!.Method, s.Drift.Threshold, s.Drift.DriftShare));
        Assert.Equal(new FeatureDriftSettings(DriftMethods.ChiSquare, 0.01, "categorical"), s.Drift.PerFeature!["Origin"]);
        Assert.Equal(("classification", "probability", 0.4), (s.Performance!.Task, s.Performance.Prediction, s.Performance.Threshold));
        Assert.Equal(new AlertRuleSpec("drift", "drift_share > 0.3", "critical", "2h"), s.Alerts![0]);
        Assert.Equal(new AlertRuleSpec("psi-distance", "psi(Distance) > 0.2", "warning", "1h"), s.Alerts[1]);
        Assert.Equal(new AlertDestination("webhook", "https://hooks.example.com/x", "slack"), s.Destinations![0]);
        Assert.Equal("retrain", s.Destinations[1].Trigger);
        Assert.Equal("Delay model drift", s.Description);
        Assert.Contains(await Store.ListMonitorsAsync(), m => m.Name == name);
    }

    [Fact]
    public async Task CreateMonitor_Minimal_GetsDefaults()
    {
        var name = Unique("min");
        var got = await Store.CreateMonitorAsync(new MonitorSpec(name, "models:/delay/4"));
        Assert.Equal(("1h", "UTC", null, null), (got.Spec.Window, got.Spec.TimeZone, got.Spec.Reference, got.Spec.Schedule));
        Assert.Null(got.Spec.Alerts);
    }

    [Fact]
    public async Task CreateMonitor_SameNameTwice_IsAlreadyExists()
    {
        var name = Unique("dup");
        await Store.CreateMonitorAsync(Spec(name));
        var e = await Fails(ErrorCodes.ResourceAlreadyExists, () => Store.CreateMonitorAsync(Spec(name)));
        Assert.Contains(name, e.Message);
    }

    public static TheoryData<string, string> BadSpecs => new()
    {
        { "name", "bad name!" },
        { "model", "delay@champion" },
        { "model", "models:/delay" },
        { "window", "an hour" },
        { "reference", "flights@3" },
        { "reference", "window:-6d..-7d" },
        { "schedule", "61 * * * *" },
        { "rule", "drift_share is high" },
        { "destination", "pagerduty" },
        { "webhook", "" },
        { "webhook", "ftp://hooks.example.com" },
        { "pipeline", "" },
        { "severity", "urgent" },
        { "cooldown", "soon" },
        { "method", "kl" },
        { "drift_share", "0" },
        { "task", "ranking" },
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public async Task CreateMonitor_Invalid_IsInvalidParameterAndNothingStored(string field, string value)
    {
        var name = Unique("bad");
        var spec = new MonitorSpec(name, "models:/delay@champion");
        spec = field switch
        {
            "name" => spec with { Name = value },
            "model" => spec with { Model = value },
            "window" => spec with { Window = value },
            "reference" => spec with { Reference = value },
            "schedule" => spec with { Schedule = value },
            "rule" => spec with { Alerts = [new AlertRuleSpec("a", value)] },
            "severity" => spec with { Alerts = [new AlertRuleSpec("a", "auc < 0.7", value)] },
            "cooldown" => spec with { Alerts = [new AlertRuleSpec("a", "auc < 0.7", Cooldown: value)] },
            "destination" => spec with { Destinations = [new AlertDestination(value)] },
            "webhook" => spec with { Destinations = [new AlertDestination(AlertDestinationTypes.Webhook, value.Length == 0 ? null : value)] },
            "pipeline" => spec with { Destinations = [new AlertDestination(AlertDestinationTypes.Pipeline)] },
            "method" => spec with { Drift = new DriftSettings(value) },
            "drift_share" => spec with { Drift = new DriftSettings(DriftShare: double.Parse(value, System.Globalization.CultureInfo.InvariantCulture)) },
            "task" => spec with { Performance = new PerformanceSettings(value) },
            _ => throw new ArgumentException(field),
        };

        await Fails(ErrorCodes.InvalidParameterValue, () => Store.CreateMonitorAsync(spec));
        Assert.DoesNotContain(await Store.ListMonitorsAsync(), m => m.Name == name);
    }

    [Fact]
    public async Task CreateMonitor_MalformedRule_SaysHowRulesAreWritten()
    {
        var e = await Fails(ErrorCodes.InvalidParameterValue, () => Store.CreateMonitorAsync(
            new MonitorSpec(Unique("rule"), "models:/delay@champion", Alerts: [new AlertRuleSpec("a", "drift_share >> 0.3")])));
        Assert.Contains("drift_share > 0.3", e.Message);
    }

    [Fact]
    public async Task CreateMonitor_WebhookWithoutUrl_NamesTheUrl()
    {
        var e = await Fails(ErrorCodes.InvalidParameterValue, () => Store.CreateMonitorAsync(
            new MonitorSpec(Unique("hook"), "models:/delay@champion", Destinations: [new AlertDestination("webhook")])));
        Assert.Contains("url", e.Message);
    }

    [Fact]
    public async Task UpdateMonitor_ReplacesTheSpecAndKeepsTheRest()
    {
        var name = Unique("upd");
        var created = await Store.CreateMonitorAsync(Spec(name));
        await Store.SetMonitorEnabledAsync(name, false);

        var updated = await Store.UpdateMonitorAsync(new MonitorSpec(name, "models:/delay/7", Window: "1d"));

        Assert.Equal(("models:/delay/7", "1d"), (updated.Spec.Model, updated.Spec.Window));
        Assert.Null(updated.Spec.Alerts);
        Assert.False(updated.Enabled);
        Assert.Equal(created.CreationTime, updated.CreationTime);
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.UpdateMonitorAsync(new MonitorSpec(name, "models:/delay/7", Window: "0m")));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.UpdateMonitorAsync(new MonitorSpec(Unique("none"), "models:/delay/7")));
    }

    [Fact]
    public async Task SetMonitorEnabled_MovesActiveSinceOnlyWhenEnabling()
    {
        var name = Unique("toggle");
        var created = await Store.CreateMonitorAsync(Spec(name));

        var disabled = await Store.SetMonitorEnabledAsync(name, false);
        Assert.False(disabled.Enabled);
        Assert.Equal(created.ActiveSince, disabled.ActiveSince);
        var enabled = await Store.SetMonitorEnabledAsync(name, true);
        Assert.True(enabled.Enabled);
        Assert.True(enabled.ActiveSince >= created.ActiveSince);
        Assert.Equal(enabled.ActiveSince, (await Store.SetMonitorEnabledAsync(name, true)).ActiveSince);
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.SetMonitorEnabledAsync(Unique("none"), true));
    }

    [Fact]
    public async Task DeleteMonitor_RemovesItButKeepsRunsAndEvents()
    {
        var name = Unique("del");
        await Store.CreateMonitorAsync(Spec(name));
        var run = (await Store.TryClaimMonitorRunAsync(Run(name, "k")))!;
        await Store.AppendAlertEventAsync(new AlertEvent(Ids.NewId(), name, "drift", AlertStates.Firing, "critical", 0.4, "drift", run.RunId, 5));

        await Store.DeleteMonitorAsync(name);

        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.GetMonitorAsync(name));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.DeleteMonitorAsync(name));
        Assert.Single(await Store.ListMonitorRunsAsync(name));
        Assert.Single(await Store.ListAlertEventsAsync(name));
    }

    [Fact]
    public async Task GetMonitor_Unknown_IsNotFound() =>
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.GetMonitorAsync(Unique("none")));

    [Fact]
    public async Task TryClaimMonitorRun_SameKeyTwice_OnlyTheFirstGetsIt()
    {
        var monitor = Unique("lease");
        var first = await Store.TryClaimMonitorRunAsync(Run(monitor, "2026-01-01T10:00:00Z"));
        var second = await Store.TryClaimMonitorRunAsync(Run(monitor, "2026-01-01T10:00:00Z", owner: "server-b"));

        Assert.NotNull(first);
        Assert.Null(second);
        Assert.Equal((MonitorRunStatuses.Running, "server-a", monitor), (first!.Status, first.Owner, first.MonitorName));
        Assert.Empty(first.Values);
        Assert.Null(first.EndTime);
        Assert.NotNull(await Store.TryClaimMonitorRunAsync(Run(monitor, "2026-01-01T11:00:00Z")));
    }

    [Fact]
    public async Task TryClaimMonitorRun_Concurrently_ExactlyOneWins()
    {
        var monitor = Unique("race");
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Store.TryClaimMonitorRunAsync(Run(monitor, "k", owner: $"server-{i}")))));
        Assert.Single(claims, c => c is not null);
        Assert.Single(await Store.ListMonitorRunsAsync(monitor));
    }

    [Fact]
    public async Task TryClaimMonitorRun_BadInput_IsInvalidParameter()
    {
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.TryClaimMonitorRunAsync(Run("bad name", "k")));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.TryClaimMonitorRunAsync(Run(Unique("m"), "")));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.TryClaimMonitorRunAsync(Run(Unique("m"), "k") with { WindowStart = 2, WindowEnd = 1 }));
    }

    [Fact]
    public async Task FinishMonitorRun_Running_RecordsOutcomeOnce()
    {
        var run = (await Store.TryClaimMonitorRunAsync(Run(Unique("fin"), "k")))!;
        var trackingRunId = Ids.NewId();
        var values = new Dictionary<string, double> { ["drift_share"] = 0.4, ["psi(Distance)"] = 0.25, ["auc"] = double.NaN };

        var finished = await Store.FinishMonitorRunAsync(run.RunId, MonitorRunStatuses.Succeeded, trackingRunId, values, null);

        Assert.Equal((MonitorRunStatuses.Succeeded, trackingRunId), (finished.Status, finished.TrackingRunId));
        Assert.NotNull(finished.EndTime);
        Assert.Equal(0.4, finished.Values["drift_share"]);
        Assert.Equal(0.25, finished.Values["psi(Distance)"]);
        Assert.True(double.IsNaN(finished.Values["auc"]));
        Assert.Equal(finished, await Store.GetMonitorRunAsync(run.RunId) with { Values = finished.Values });
        await Fails(ErrorCodes.InvalidState, () => Store.FinishMonitorRunAsync(run.RunId, MonitorRunStatuses.Failed, null, values, "again"));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.FinishMonitorRunAsync(run.RunId, MonitorRunStatuses.Running, null, values, null));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.FinishMonitorRunAsync(Ids.NewId(), MonitorRunStatuses.Failed, null, values, "x"));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.GetMonitorRunAsync(Ids.NewId()));
    }

    [Fact]
    public async Task FinishMonitorRun_Failed_KeepsTheError()
    {
        var run = (await Store.TryClaimMonitorRunAsync(Run(Unique("fail"), "k")))!;
        var failed = await Store.FinishMonitorRunAsync(run.RunId, MonitorRunStatuses.Failed, null, new Dictionary<string, double>(), "The inference log is empty.");
        Assert.Equal("The inference log is empty.", failed.Error);
        Assert.Null(failed.TrackingRunId);
    }

    [Fact]
    public async Task ListMonitorRuns_NewestWindowFirstAndCapped()
    {
        var monitor = Unique("list");
        foreach (var (key, end) in new[] { ("b", 1_700_000_002_000L), ("c", 1_700_000_003_000L), ("a", 1_700_000_001_000L) })
            await Store.TryClaimMonitorRunAsync(Run(monitor, key, end));
        await Store.TryClaimMonitorRunAsync(Run(Unique("other"), "z", 1_700_000_009_000L));

        Assert.Equal(["c", "b", "a"], (await Store.ListMonitorRunsAsync(monitor)).Select(r => r.RunKey));
        Assert.Equal(["c", "b"], (await Store.ListMonitorRunsAsync(monitor, 2)).Select(r => r.RunKey));
        Assert.True((await Store.ListMonitorRunsAsync()).Count >= 4);
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.ListMonitorRunsAsync(monitor, 0));
    }

    [Fact]
    public async Task SaveAlertState_Upserts()
    {
        var monitor = Unique("alerts");
        await Store.SaveAlertStateAsync(new AlertState(monitor, "drift", AlertStates.Firing, "critical", 0.4, "drift_share 0.4 > 0.3", 10, 10, 10));
        await Store.SaveAlertStateAsync(new AlertState(monitor, "auc", AlertStates.Resolved, "warning", null, "auc 0.8", 5, null, 5));
        await Store.SaveAlertStateAsync(new AlertState(monitor, "drift", AlertStates.Resolved, "critical", 0.1, "drift_share 0.1", 20, 10, 20));

        var states = await Store.ListAlertStatesAsync(monitor);

        Assert.Equal(["auc", "drift"], states.Select(s => s.AlertName));
        Assert.Equal(new AlertState(monitor, "drift", AlertStates.Resolved, "critical", 0.1, "drift_share 0.1", 20, 10, 20), states[1]);
        Assert.Null(states[0].Value);
        Assert.Null(states[0].LastNotified);
        Assert.Contains(await Store.ListAlertStatesAsync(), s => s.MonitorName == monitor);
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.SaveAlertStateAsync(new AlertState(monitor, "drift", "pending", "critical", null, "m", 1, null, 1)));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.SaveAlertStateAsync(new AlertState(monitor, "drift", AlertStates.Firing, "urgent", null, "m", 1, null, 1)));
    }

    [Fact]
    public async Task AppendAlertEvent_ListsNewestFirstAndIgnoresARetry()
    {
        var monitor = Unique("events");
        var first = new AlertEvent(Ids.NewId(), monitor, "drift", AlertStates.Firing, "critical", 0.4, "fired", null, 100);
        await Store.AppendAlertEventAsync(first);
        await Store.AppendAlertEventAsync(first);
        await Store.AppendAlertEventAsync(first with { EventId = Ids.NewId(), State = AlertStates.Resolved, Value = null, Message = "resolved", Timestamp = 200 });
        await Store.AppendAlertEventAsync(first with { EventId = Ids.NewId(), MonitorName = Unique("other") });

        var events = await Store.ListAlertEventsAsync(monitor);

        Assert.Equal([AlertStates.Resolved, AlertStates.Firing], events.Select(e => e.State));
        Assert.Equal(first, events[1]);
        Assert.Single(await Store.ListAlertEventsAsync(monitor, 1));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.AppendAlertEventAsync(first with { EventId = Ids.NewId(), MonitorRunId = "not-an-id" }));
    }

    [Fact]
    public async Task AddFeedback_SameRequestAndRowTwice_KeepsTheLast()
    {
        var r1 = Unique("req");
        var r2 = Unique("req");

        Assert.Equal(3, await Store.AddFeedbackAsync([new FeedbackLabel(r1, 0, 0, 1), new FeedbackLabel(r1, 1, 1, 1), new FeedbackLabel(r2, 0, 12.5, 1)]));
        Assert.Equal(2, await Store.AddFeedbackAsync([new FeedbackLabel(r1, 0, 1, 2), new FeedbackLabel(r1, 0, 0.5, 3)]));

        var labels = await Store.GetFeedbackAsync([r1, r2, Unique("unknown")]);
        Assert.Equal(3, labels.Count);
        Assert.Equal(new FeedbackLabel(r1, 0, 0.5, 3), labels.Single(l => l.RequestId == r1 && l.Row == 0));
        Assert.Equal(1, labels.Single(l => l.RequestId == r1 && l.Row == 1).Label);
        Assert.Equal(12.5, labels.Single(l => l.RequestId == r2).Label);
    }

    [Fact]
    public async Task GetFeedback_UnknownOrNoIds_ReturnsNothing()
    {
        Assert.Empty(await Store.GetFeedbackAsync([Unique("unknown")]));
        Assert.Empty(await Store.GetFeedbackAsync([]));
        Assert.Equal(0, await Store.AddFeedbackAsync([]));
    }

    [Fact]
    public async Task AddFeedback_ManyIds_AreFoundInBatches()
    {
        var labels = Enumerable.Range(0, 1_200).Select(i => new FeedbackLabel($"bulk-{Guid.NewGuid():N}", i % 3, i % 2, 1)).ToList();
        Assert.Equal(1_200, await Store.AddFeedbackAsync(labels));
        Assert.Equal(1_200, (await Store.GetFeedbackAsync(labels.Select(l => l.RequestId).ToList())).Count);
    }

    [Fact]
    public async Task AddFeedback_OverTheLimits_IsInvalidParameterAndStoresNothing()
    {
        var id = Unique("limit");
        var tooMany = Enumerable.Range(0, MonitorRecordRules.MaxFeedbackPerCall + 1).Select(i => new FeedbackLabel(id, i, 1, 1)).ToList();
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.AddFeedbackAsync(tooMany));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.AddFeedbackAsync([new FeedbackLabel(id, 0, 1, 1), new FeedbackLabel(new string('x', 201), 0, 1, 1)]));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.AddFeedbackAsync([new FeedbackLabel(id, -1, 1, 1)]));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.AddFeedbackAsync([new FeedbackLabel(id, 0, double.PositiveInfinity, 1)]));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.AddFeedbackAsync([new FeedbackLabel("", 0, 1, 1)]));
        Assert.Empty(await Store.GetFeedbackAsync([id]));
    }
}

public sealed class SqliteMonitorStoreContract : MonitorStoreContract
{
    private readonly TempFolder _folder = new();
    private SqliteStores? _stores;

    protected override Task<IMonitorStore> OpenStoreAsync()
    {
        _stores = new SqliteStores(_folder.File("cairn.db"));
        return Task.FromResult<IMonitorStore>(_stores.Monitors);
    }

    protected override Task CloseStoreAsync()
    {
        _stores?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class PostgresMonitorStoreContract : MonitorStoreContract
{
    private Cairn.Storage.Postgres.PostgresStores? _stores;

    protected override async Task<IMonitorStore> OpenStoreAsync()
    {
        _stores = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase());
        return _stores.Monitors;
    }

    protected override Task CloseStoreAsync()
    {
        _stores?.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class RestMonitorStoreContract : MonitorStoreContract
{
    private RunningServer? _server;
    private RestTransport? _transport;

    protected override async Task<IMonitorStore> OpenStoreAsync()
    {
        _server = await RunningServer.StartAsync();
        _transport = new RestTransport(_server.BaseUri);
        return new RestMonitorStore(_transport);
    }

    protected override async Task CloseStoreAsync()
    {
        _transport?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}
