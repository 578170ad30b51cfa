using Cairn.Deployments.Hosting;
using Cairn.Deployments.Management;
using Cairn.Deployments.Tests.Routing;
using Cairn.Models;

namespace Cairn.Deployments.Tests.Canary;

/// <summary>
/// Canaries end to end: the endpoint in a SQLite store, served by its host through the real server
/// on a socket, under steady traffic. A canary that errs, is slower or shifts its predictions is
/// rolled back within its first interval; a good one goes through every step and moves the alias.
/// </summary>
public sealed class CanaryRolloutTests : IAsyncLifetime
{
    private readonly FakeModels _models = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = [];
    private EndpointHost? _host;
    private RoutedServer? _server;
    private long _answered;

    private EndpointManager Manager => new(_models.Client, _models.Client.Endpoints, "tester");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_running);
        if (_server is not null) await _server.DisposeAsync();
        if (_host is not null) await _host.DisposeAsync();
        _models.Dispose();
    }

    /// <summary>Creates <c>ep</c> on <c>models:/delay@champion</c> (version 1), serves it, and sends traffic from four clients.</summary>
    private async Task ServeAsync()
    {
        await _models.Client.Registry.SetAliasAsync("delay", "champion", "1");
        await Manager.CreateAsync("ep", "models:/delay@champion");
        _host = new EndpointHost(Manager, "ep", _models.LoadAsync, pollInterval: TimeSpan.FromMilliseconds(100), grace: TimeSpan.FromSeconds(1));
        await _host.StartAsync();
        _running.Add(_host.RunAsync(_stop.Token));
        _server = await RoutedServer.StartAsync(_host.Router, map: app => app.MapEndpointStatus(_host));
        var random = new Random(3);
        for (var c = 0; c < 4; c++)
            _running.Add(Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try { await _server.InferAsync("ep", random.NextDouble()); Interlocked.Increment(ref _answered); }
                    catch (HttpRequestException) { }
                    catch (TaskCanceledException) { }
                }
            }));
    }

    private async Task<EndpointRecord> WaitForAsync(Func<EndpointRecord, bool> done, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var record = await _models.Client.Endpoints.GetEndpointAsync("ep");
            if (done(record)) return record;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The canary did not get there: {record.Spec.Canary}; last analysis {_host!.Canary.LastVerdict}");
            await Task.Delay(50);
        }
    }

    private async Task<string> ChampionAsync() => (await _models.Client.Registry.GetModelVersionByAliasAsync("delay", "champion")).Version;

    [Theory]
    [InlineData("errors", "error_rate")]
    [InlineData("slow", "p99_ms")]
    [InlineData("shifted", "prediction_psi")]
    public async Task A_bad_canary_is_rolled_back_within_its_first_interval_and_the_baseline_takes_all_traffic_again(string fault, string check)
    {
        await _models.AddVersionAsync(new FakePredictor(x => x));
        var canary = await _models.AddVersionAsync(fault switch
        {
            "errors" => new FakePredictor(x => x, fails: true),
            "slow" => new FakePredictor(x => x, delay: TimeSpan.FromMilliseconds(60)),
            _ => new FakePredictor(x => Math.Min(1, x + 0.6)),
        });
        await ServeAsync();
        var interval = TimeSpan.FromSeconds(60);
        // Only the check under test is armed: on a busy machine a healthy variant's p99 can pass 40 ms,
        // and that must not be what rolls back the canary whose fault is something else.
        var started = await Manager.StartCanaryAsync("ep", canary, [20, 50, 100], interval,
            maxErrorRate: check == "error_rate" ? 0.01 : null,
            maxP99Ms: check == "p99_ms" ? 40 : null,
            maxPredictionPsi: check == "prediction_psi" ? 0.2 : null,
            minRequests: 30);
        var canaryStart = started.Spec.Canary!.StepStartedAt;

        var rolledBack = await WaitForAsync(r => r.Spec.Canary?.Status == CanaryStatuses.RolledBack, TimeSpan.FromSeconds(50));

        Assert.Contains(check, rolledBack.Spec.Canary!.Reason);
        Assert.Equal(["v1"], rolledBack.Spec.Variants.Select(v => v.Name));
        Assert.Equal("1", await ChampionAsync());
        var events = await _models.Client.Endpoints.ListEndpointEventsAsync("ep");
        var rollback = Assert.Single(events, e => e.Kind == EndpointEventKinds.CanaryRolledBack);
        Assert.Equal("cairn", rollback.Actor);
        Assert.Contains(check, rollback.Message);
        Assert.True(rollback.Time - canaryStart < interval.TotalMilliseconds, $"rolled back after {rollback.Time - canaryStart} ms");
        // Served at once: every answer comes from the baseline again.
        await WaitForAsync(_ => _host!.Router.Revision == rolledBack.Revision, TimeSpan.FromSeconds(10));
        for (var i = 0; i < 20; i++) Assert.Equal("1", (await _server!.InferAsync("ep", 0.5)).Version);
    }

    [Fact]
    public async Task A_good_canary_goes_through_every_step_and_moves_the_alias()
    {
        await _models.AddVersionAsync(new FakePredictor(x => x));
        var canary = await _models.AddVersionAsync(new FakePredictor(x => x));
        await ServeAsync();
        await Manager.StartCanaryAsync("ep", canary, [20, 50, 100], TimeSpan.FromSeconds(1), maxErrorRate: 0.01, maxP99Ms: 1000, maxPredictionPsi: 0.2, minRequests: 20);

        var promoted = await WaitForAsync(r => r.Spec.Canary?.Status == CanaryStatuses.Promoted, TimeSpan.FromSeconds(60));

        Assert.Equal([("v2", 100)], promoted.Spec.Variants.Select(v => (v.Name, v.Weight)));
        Assert.Equal("2", await ChampionAsync());
        var kinds = (await _models.Client.Endpoints.ListEndpointEventsAsync("ep")).Select(e => e.Kind).Reverse().ToList();
        Assert.Equal([EndpointEventKinds.Created, EndpointEventKinds.CanaryStarted, EndpointEventKinds.CanaryStep, EndpointEventKinds.CanaryPromoted], kinds);
    }

    [Fact]
    public async Task A_canary_whose_gate_fails_waits_for_approval_then_finishes_when_a_reviewer_approves()
    {
        await _models.AddVersionAsync(new FakePredictor(x => x), auc: 0.8);
        var canary = await _models.AddVersionAsync(new FakePredictor(x => x), auc: 0.7);
        await ServeAsync();
        await Manager.StartCanaryAsync("ep", canary, [50, 100], TimeSpan.FromSeconds(1), maxErrorRate: 0.01, maxP99Ms: null, maxPredictionPsi: null,
            minRequests: 20, gate: "metrics.auc >= champion.metrics.auc");

        var waiting = await WaitForAsync(r => r.Spec.Canary?.Status == CanaryStatuses.AwaitingApproval, TimeSpan.FromSeconds(60));
        Assert.Equal("1", await ChampionAsync());
        Assert.Contains("gate failed", waiting.Spec.Canary!.Reason);
        Assert.Equal([50, 50], waiting.Spec.Variants.Select(v => v.Weight));

        await new ModelRegistry(_models.Client).ApproveAsync("delay", "2", "champion", "accepted: latency matters more here");
        var promoted = await WaitForAsync(r => r.Spec.Canary?.Status == CanaryStatuses.Promoted, TimeSpan.FromSeconds(30));
        Assert.Equal(["v2"], promoted.Spec.Variants.Select(v => v.Name));
        Assert.Equal("2", await ChampionAsync());
    }
}
