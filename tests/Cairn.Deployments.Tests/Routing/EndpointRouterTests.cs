using System.Net;
using Cairn.Deployments.Routing;
using Cairn.Serving;
using Cairn.Testing;

namespace Cairn.Deployments.Tests.Routing;

/// <summary>The router over real sockets: splits, sticky keys, pinned versions, atomic weight changes, errors counted per variant, shadow copies.</summary>
public sealed class EndpointRouterTests : IDisposable
{
    private readonly FakeModels _models = new();

    public void Dispose() => _models.Dispose();

    private static EndpointRecord Record(int revision, params (string Name, string Model, int Weight)[] variants) =>
        new(new EndpointSpec("ep", [.. variants.Select(v => new EndpointVariant(v.Name, v.Model, v.Weight))]), revision, 0, 0);

    private EndpointRouter Router(TimeSpan? grace = null, InferenceLog? log = null) => new("ep", _models.LoadAsync, log, grace: grace);

    [Fact]
    public async Task Requests_are_split_by_weight_and_each_answer_comes_from_the_variant_chosen()
    {
        var v1 = await _models.AddVersionAsync(new FakePredictor(_ => 0.1));
        var v2 = await _models.AddVersionAsync(new FakePredictor(_ => 0.2));
        await using var router = Router();
        await router.ApplyAsync(Record(1, ("a", v1, 70), ("b", v2, 30)));
        await using var server = await RoutedServer.StartAsync(router);

        var answers = new List<(string Version, double P)>();
        for (var i = 0; i < 600; i++) answers.Add(await server.InferAsync("ep", 0.5));

        Assert.All(answers, a => Assert.Equal(a.Version == "1" ? 0.1 : 0.2, a.P));
        var b = answers.Count(a => a.Version == "2");
        // 30% of 600 is 180 with a standard deviation of 11.2: five of them either way.
        Assert.InRange(b, 124, 236);
        Assert.Equal(600 - b, router.Snapshot("a")!.Requests);
        Assert.Equal(b, router.Snapshot("b")!.Requests);
    }

    [Fact]
    public async Task A_sticky_key_always_lands_on_the_same_variant_and_keys_spread_over_both()
    {
        var v1 = await _models.AddVersionAsync(new FakePredictor(_ => 0.1));
        var v2 = await _models.AddVersionAsync(new FakePredictor(_ => 0.2));
        await using var router = Router();
        await router.ApplyAsync(new EndpointRecord(new EndpointSpec("ep", [new("a", v1, 50), new("b", v2, 50)], StickyBy: "header:X-User-Id"), 1, 0, 0));
        await using var server = await RoutedServer.StartAsync(router);

        var firstSeen = new Dictionary<string, string>();
        for (var round = 0; round < 3; round++)
            for (var user = 0; user < 40; user++)
            {
                var (version, _) = await server.InferAsync("ep", 0.5, user: $"user-{user}");
                Assert.Equal(firstSeen.TryAdd($"user-{user}", version) ? version : firstSeen[$"user-{user}"], version);
            }
        Assert.InRange(firstSeen.Values.Count(v => v == "2"), 8, 32);
    }

    [Fact]
    public async Task A_client_naming_a_version_gets_it_and_an_unserved_version_is_a_404()
    {
        var v1 = await _models.AddVersionAsync(new FakePredictor(_ => 0.1));
        var v2 = await _models.AddVersionAsync(new FakePredictor(_ => 0.2));
        await using var router = Router();
        await router.ApplyAsync(Record(1, ("a", v1, 99), ("b", v2, 1)));
        await using var server = await RoutedServer.StartAsync(router);

        for (var i = 0; i < 20; i++) Assert.Equal(("2", 0.2), await server.InferAsync("ep", 0.5, version: "2"));
        var missing = await Assert.ThrowsAsync<HttpRequestException>(() => server.InferAsync("ep", 0.5, version: "7"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("live versions are", missing.Message);
    }

    [Fact]
    public async Task Weights_change_atomically_under_load_and_requests_in_flight_finish_on_the_model_they_started_with()
    {
        var v1 = await _models.AddVersionAsync(new FakePredictor(_ => 0.1, delay: TimeSpan.FromMilliseconds(20)));
        var v2 = await _models.AddVersionAsync(new FakePredictor(_ => 0.2));
        await using var router = Router(grace: TimeSpan.FromSeconds(2));
        await router.ApplyAsync(Record(1, ("a", v1, 100)));
        await using var server = await RoutedServer.StartAsync(router);

        using var stop = new CancellationTokenSource();
        var failures = 0;
        var answered = 0;
        var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try { await server.InferAsync("ep", 0.5); Interlocked.Increment(ref answered); }
                catch (HttpRequestException) { Interlocked.Increment(ref failures); }
            }
        })).ToList();
        while (Volatile.Read(ref answered) < 50) await Task.Delay(10);
        await router.ApplyAsync(Record(2, ("b", v2, 100)));
        var after = new List<string>();
        for (var i = 0; i < 30; i++) after.Add((await server.InferAsync("ep", 0.5)).Version);
        stop.Cancel();
        await Task.WhenAll(clients);

        Assert.Equal(0, failures);
        Assert.All(after, v => Assert.Equal("2", v));
        // The retired model is disposed after its grace, when nothing runs on it any more.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!_models.Predictors[v1].Disposed && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(_models.Predictors[v1].Disposed);
    }

    [Fact]
    public async Task A_failing_variant_answers_500_and_its_errors_count_against_it_only()
    {
        var good = await _models.AddVersionAsync(new FakePredictor(_ => 0.1));
        var broken = await _models.AddVersionAsync(new FakePredictor(_ => 0.2, fails: true));
        await using var router = Router();
        await router.ApplyAsync(Record(1, ("good", good, 50), ("broken", broken, 50)));
        await using var server = await RoutedServer.StartAsync(router);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 100; i++)
        {
            try { await server.InferAsync("ep", 0.5); statuses.Add(HttpStatusCode.OK); }
            catch (HttpRequestException e) { statuses.Add(e.StatusCode!.Value); }
        }
        var (g, b) = (router.Snapshot("good")!, router.Snapshot("broken")!);
        Assert.Equal(0, g.Errors);
        Assert.Equal(b.Requests, b.Errors);
        Assert.Equal(statuses.Count(s => s == HttpStatusCode.InternalServerError), b.Errors);
        Assert.True(b.Errors > 0 && g.Requests > 0);
    }

    [Fact]
    public async Task A_shadow_gets_copies_after_the_response_never_changes_an_answer_and_is_logged_beside_the_primary()
    {
        using var folder = new TempFolder();
        var primary = await _models.AddVersionAsync(new FakePredictor(x => x));
        var shadow = await _models.AddVersionAsync(new FakePredictor(x => x + 0.25));
        var log = new InferenceLog(folder.File("log"), flushEvery: TimeSpan.FromMilliseconds(50));
        await using var router = Router(log: log);
        await router.ApplyAsync(new EndpointRecord(new EndpointSpec("ep", [new("main", primary, 100), new("shadow", shadow, 0, VariantRoles.Shadow)],
            Shadow: new ShadowSettings("shadow", 100)), 1, 0, 0));
        await using (var server = await RoutedServer.StartAsync(router, log))
        {
            for (var i = 0; i < 50; i++)
                Assert.Equal(("1", i / 100.0), await server.InferAsync("ep", i / 100.0, requestId: $"req-{i}"));
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (router.ShadowSnapshot()!.Requests < 50 && DateTime.UtcNow < deadline) await Task.Delay(20);
        }
        var snapshot = router.ShadowSnapshot()!;
        Assert.Equal(50, snapshot.Requests);
        Assert.Equal(0, snapshot.Agreement);
        Assert.Equal(0.25, snapshot.MeanDifference!.Value, 9);
        await log.DisposeAsync();

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var rows = await Reports.EndpointLog.ReadAsync(folder.File("log"), "ep", now - 3_600_000, now + 1);
        Assert.Equal(50, rows.Count(r => r.Variant == "main"));
        Assert.Equal(50, rows.Count(r => r.Variant == "shadow"));
        var report = Reports.ShadowReport.Compare(rows, "shadow", "2");
        Assert.Equal(50, report.Requests);
        Assert.Equal(0.25, report.P95AbsDifference!.Value, 9);
    }

    [Fact]
    public async Task A_shadow_that_fails_is_counted_and_the_primary_answers_as_without_it()
    {
        var primary = await _models.AddVersionAsync(new FakePredictor(x => x));
        var shadow = await _models.AddVersionAsync(new FakePredictor(x => x, fails: true));
        await using var router = Router();
        await router.ApplyAsync(new EndpointRecord(new EndpointSpec("ep", [new("main", primary, 100), new("shadow", shadow, 0, VariantRoles.Shadow)],
            Shadow: new ShadowSettings("shadow", 100)), 1, 0, 0));
        await using var server = await RoutedServer.StartAsync(router);
        for (var i = 0; i < 20; i++) Assert.Equal(("1", 0.5), await server.InferAsync("ep", 0.5));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (router.ShadowSnapshot()!.Failed < 20 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(20, router.ShadowSnapshot()!.Failed);
        Assert.Equal(20, router.Snapshot("main")!.Requests);
        Assert.Equal(0, router.Snapshot("main")!.Errors);
    }

    [Fact]
    public async Task A_revision_whose_model_fails_to_load_leaves_the_endpoint_served_as_it_was()
    {
        var v1 = await _models.AddVersionAsync(new FakePredictor(_ => 0.1));
        await using var router = Router();
        await router.ApplyAsync(Record(1, ("a", v1, 100)));
        await using var server = await RoutedServer.StartAsync(router);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => router.ApplyAsync(Record(2, ("a", v1, 50), ("b", "models:/delay/99", 50))));
        Assert.Equal(1, router.Revision);
        Assert.Equal(("1", 0.1), await server.InferAsync("ep", 0.5));
    }
}
