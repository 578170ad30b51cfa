using Cairn.Deployments.Replicas;

namespace Cairn.Deployments.Tests.Replicas;

using Rows = IReadOnlyList<IReadOnlyDictionary<string, object?>>;

/// <summary>Routing, retry, supervision and drains of a replica set, over replicas the test controls.</summary>
public class ReplicaSetTests
{
    private static readonly Rows OneRow = [new Dictionary<string, object?> { ["x"] = 1.0 }];

    private static string AnsweredBy(Rows results) => (string)results[0]["replica"]!;

    [Fact]
    public async Task Ties_go_to_the_local_replica_and_a_busy_one_is_passed_over()
    {
        var local = new FakeReplica("local", isLocal: true);
        var launcher = new FakeLauncher();
        await using var set = new ReplicaSet("models:/points/1", local, launcher);
        await set.ScaleToAsync(2, default);

        Assert.Equal("local", AnsweredBy(await set.PredictAsync(OneRow, default)));

        var release = new TaskCompletionSource<Rows>();
        local.Behavior = _ => release.Task;
        var held = set.PredictAsync(OneRow, default); // the local one is busy now
        Assert.Equal("f1", AnsweredBy(await set.PredictAsync(OneRow, default)));
        release.SetResult([new Dictionary<string, object?> { ["replica"] = "local" }]);
        Assert.Equal("local", AnsweredBy(await held));
    }

    [Fact]
    public async Task An_unreachable_replica_is_retried_elsewhere_taken_out_and_replaced()
    {
        var local = new FakeReplica("local", isLocal: true);
        var launcher = new FakeLauncher();
        await using var set = new ReplicaSet("models:/points/1", local, launcher);
        await set.ScaleToAsync(2, default);
        var broken = launcher.Started[0];
        broken.Behavior = _ => throw new ReplicaUnreachableException(broken.Id, new HttpRequestException("Connection refused"));
        var restarted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        set.ReplicaRestarted += reason => restarted.TrySetResult(reason);

        var release = new TaskCompletionSource<Rows>();
        local.Behavior = _ => release.Task;
        var held = set.PredictAsync(OneRow, default); // local busy: the next request goes to f1, which fails
        var retried = set.PredictAsync(OneRow, default);
        local.Behavior = null;
        release.SetResult([new Dictionary<string, object?> { ["replica"] = "local" }]);

        Assert.NotEqual("f1", AnsweredBy(await retried)); // the local one or the replacement, whichever is free
        await held;
        var reason = await restarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("f1 could not be reached", reason);
        Assert.Contains("replaced by f2", reason);
        Assert.True(broken.Disposed);
        Assert.Equal(["local", "f2"], set.Replicas.Select(r => r.Id));
    }

    [Fact]
    public async Task A_replica_that_exits_is_replaced_with_the_reason_reported()
    {
        var launcher = new FakeLauncher();
        await using var set = new ReplicaSet("models:/points/1", new FakeReplica("local", isLocal: true), launcher);
        await set.ScaleToAsync(3, default);
        var restarted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        set.ReplicaRestarted += reason => restarted.TrySetResult(reason);

        launcher.Started[0].Exit();

        var reason = await restarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("f1 exited", reason);
        Assert.Equal(["local", "f2", "f3"], set.Replicas.Select(r => r.Id));
        Assert.True(launcher.Started[0].Disposed);
    }

    [Fact]
    public async Task Errors_of_the_input_are_rethrown_and_not_retried_server_errors_count_as_failures()
    {
        var local = new FakeReplica("local", isLocal: true);
        await using var set = new ReplicaSet("models:/points/1", local, new FakeLauncher());

        local.Behavior = _ => throw CairnException.InvalidParameter("Invalid value for input 'X' in row 0.");
        var input = await Assert.ThrowsAsync<CairnException>(() => set.PredictAsync(OneRow, default));
        Assert.Equal(ErrorCodes.InvalidParameterValue, input.ErrorCode);
        Assert.Equal(1, local.Calls);

        local.Behavior = _ => throw new ReplicaFailedException("local", 500, "boom");
        await Assert.ThrowsAsync<ReplicaFailedException>(() => set.PredictAsync(OneRow, default));
        Assert.Equal(2, local.Calls);
        var state = Assert.Single(set.States);
        Assert.Equal(1, state.Failures);
        Assert.Equal(0, state.Requests);
    }

    [Fact]
    public async Task A_removed_replica_drains_its_requests_before_it_is_stopped()
    {
        var local = new FakeReplica("local", isLocal: true);
        var launcher = new FakeLauncher();
        await using var set = new ReplicaSet("models:/points/1", local, launcher) { DrainGrace = TimeSpan.FromHours(1) };
        await set.ScaleToAsync(2, default);
        var remote = launcher.Started[0];
        var releaseLocal = new TaskCompletionSource<Rows>();
        var releaseRemote = new TaskCompletionSource<Rows>();
        local.Behavior = _ => releaseLocal.Task;
        remote.Behavior = _ => releaseRemote.Task;
        var onLocal = set.PredictAsync(OneRow, default);
        var onRemote = set.PredictAsync(OneRow, default);

        await set.ScaleToAsync(1, default);

        Assert.Equal(["local"], set.Replicas.Select(r => r.Id));
        Assert.False(remote.Disposed); // its request is still running
        releaseRemote.SetResult([new Dictionary<string, object?> { ["replica"] = "f1" }]);
        Assert.Equal("f1", AnsweredBy(await onRemote));
        releaseLocal.SetResult([new Dictionary<string, object?> { ["replica"] = "local" }]);
        await onLocal;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!remote.Disposed && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.True(remote.Disposed);
        Assert.Equal(1, remote.Calls); // no new requests after it was removed
    }

    [Fact]
    public void The_latency_window_gives_p99_and_mean_concurrency_of_recent_requests()
    {
        var time = new ManualTime();
        var window = new LatencyWindow(TimeSpan.FromSeconds(10), time);
        time.Advance(TimeSpan.FromSeconds(20));
        for (var i = 1; i <= 100; i++) window.Record(i * 10); // 10 .. 1000 ms
        var (p99, requests, concurrency) = window.Read();
        Assert.Equal(990, p99);
        Assert.Equal(100, requests);
        Assert.Equal(50_500 / 10_000.0, concurrency, 6); // 50.5 s busy over 10 s

        time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal((null, 0, 0.0), window.Read());
    }

    [Fact]
    public void The_latency_window_measures_concurrency_over_the_whole_span_at_rates_beyond_its_ring()
    {
        var time = new ManualTime();
        var window = new LatencyWindow(TimeSpan.FromSeconds(10), time, capacity: 16);
        time.Advance(TimeSpan.FromSeconds(30));
        // 10 s at 1,000 requests per second of 5 ms each: 5 in flight on average; the ring keeps 16.
        for (var ms = 0; ms < 10_000; ms++)
        {
            window.Record(5);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }
        var (p99, requests, concurrency) = window.Read();
        Assert.Equal(5, p99);
        Assert.InRange(requests, 9_000, 10_000);
        Assert.InRange(concurrency, 4.5, 5.0);
    }

    [Fact]
    public async Task The_cool_down_runs_from_when_a_slow_replica_is_ready_not_from_the_decision()
    {
        var time = new ManualTime();
        var launcher = new FakeLauncher();
        await using var set = new ReplicaSet("models:/points/1", new FakeReplica("local", isLocal: true), launcher, time);
        time.Advance(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 10; i++) set.Latency.Record(30_000);
        await using var autoscaler = new Autoscaler(set, new AutoscalingSettings(TargetConcurrency: 4, CooldownSeconds: 30), 1, 3, time);
        launcher.Starting = () => time.Advance(TimeSpan.FromSeconds(40)); // longer to start than the cool-down
        Assert.Equal(2, await autoscaler.StepAsync(default));
        // The load is gone by the time it is ready (no requests in the window): still within the cool-down, so it stays.
        Assert.Equal(2, await autoscaler.StepAsync(default));
        Assert.Equal(2, set.Count);
    }

    [Fact]
    public async Task The_autoscaler_adds_a_replica_under_load_and_reports_why()
    {
        var time = new ManualTime();
        var local = new FakeReplica("local", isLocal: true);
        var launcher = new FakeLauncher();
        await using var set = new ReplicaSet("models:/points/1", local, launcher, time);
        time.Advance(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 10; i++) set.Latency.Record(30_000); // 300 s busy in 30 s: 10 in flight on average
        await using var autoscaler = new Autoscaler(set, new AutoscalingSettings(TargetConcurrency: 4, CooldownSeconds: 30), 1, 3, time);
        var scaled = new List<(int, int, string)>();
        autoscaler.Scaled += (from, to, why) => scaled.Add((from, to, why));

        Assert.Equal(2, await autoscaler.StepAsync(default));
        Assert.Equal(2, await autoscaler.StepAsync(default)); // cool-down
        Assert.Equal(2, set.Count);
        var (from, to, why) = Assert.Single(scaled);
        Assert.Equal((1, 2), (from, to));
        Assert.Contains("above the target of 4", why);
    }
}
