using Cairn.Deployments;
using Cairn.Rest;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Storage.Tests;

/// <summary>What every endpoint store must do; run on SQLite, PostgreSQL and through the REST client.</summary>
public abstract class EndpointStoreContract : IAsyncLifetime
{
    protected IEndpointStore Store { get; private set; } = null!;

    protected abstract Task<IEndpointStore> OpenStoreAsync();
    protected abstract Task CloseStoreAsync();

    public async Task InitializeAsync() => Store = await OpenStoreAsync();

    public Task DisposeAsync() => CloseStoreAsync();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    private static EndpointSpec Simple(string name, int blueWeight = 100) => blueWeight == 100
        ? new(name, [new EndpointVariant("blue", "models:/delay/3", 100)])
        : new(name, [new EndpointVariant("blue", "models:/delay/3", blueWeight), new EndpointVariant("green", "models:/delay/4", 100 - blueWeight)]);

    private static EndpointSpec Full(string name) => new(name,
        [new EndpointVariant("blue", "models:/delay/3", 90), new EndpointVariant("green", "models:/delay/4", 10), new EndpointVariant("dark", "models:/delay/5", 0, VariantRoles.Shadow)],
        Alias: "champion", MinReplicas: 2, MaxReplicas: 6, Autoscaling: new AutoscalingSettings(16, 250, 60), StickyBy: "header:X-User-Id",
        AbTest: new AbTestSettings("conversion", AbMetricKinds.Mean, 0.01, 0.05, "blue", 1_700_000_000_000),
        Canary: new CanaryState("green", "blue", [10, 50, 100], 300, MaxErrorRate: 0.02, MaxP99Ms: 120, MaxPredictionPsi: 0.25, StepStartedAt: 1_700_000_000_000, MinRequests: 50),
        Shadow: new ShadowSettings("dark", 25, 1_700_000_000_000), Description: "Delay API");

    private static EndpointChange Change(string kind = EndpointEventKinds.WeightsChanged, string message = "blue=50, green=50", string actor = "ana") =>
        new(kind, message, actor);

    private static async Task<CairnException> Fails(string code, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<CairnException>(action);
        Assert.Equal(code, e.ErrorCode);
        return e;
    }

    [Fact]
    public async Task CreateEndpoint_Full_RoundTripsEveryFieldAtRevisionOne()
    {
        var name = Unique("delay-api");
        var created = await Store.CreateEndpointAsync(Full(name), "ana");

        var got = await Store.GetEndpointAsync(name);
        Assert.Equal((name, 1), (got.Name, got.Revision));
        Assert.Equal((created.Revision, created.CreationTime), (got.Revision, got.CreationTime));
        Assert.True(got.CreationTime > 0);
        Assert.Equal(got.CreationTime, got.UpdateTime);
        var s = got.Spec;
        Assert.Equal([new EndpointVariant("blue", "models:/delay/3", 90), new EndpointVariant("green", "models:/delay/4", 10), new EndpointVariant("dark", "models:/delay/5", 0, "shadow")], s.Variants);
        Assert.Equal(("champion", 2, 6, "header:X-User-Id", "Delay API"), (s.Alias, s.MinReplicas, s.MaxReplicas, s.StickyBy, s.Description));
        Assert.Equal(new AutoscalingSettings(16, 250, 60), s.Autoscaling);
        Assert.Equal(new AbTestSettings("conversion", "mean", 0.01, 0.05, "blue", 1_700_000_000_000), s.AbTest);
        Assert.Equal([10, 50, 100], s.Canary!.Steps);
        Assert.Equal(("green", "blue", 300, 0.02, 120.0, 0.25, 50, CanaryStatuses.Running),
            (s.Canary.Variant, s.Canary.Baseline, s.Canary.IntervalSeconds, s.Canary.MaxErrorRate, s.Canary.MaxP99Ms, s.Canary.MaxPredictionPsi, s.Canary.MinRequests, s.Canary.Status));
        Assert.Equal(new ShadowSettings("dark", 25, 1_700_000_000_000), s.Shadow);
        Assert.Contains(await Store.ListEndpointsAsync(), e => e.Name == name);
        var history = await Store.ListEndpointEventsAsync(name);
        var only = Assert.Single(history);
        Assert.Equal((name, 1, EndpointEventKinds.Created, "ana"), (only.Endpoint, only.Revision, only.Kind, only.Actor));
        Assert.True(Ids.IsValid(only.EventId));
    }

    [Fact]
    public async Task CreateEndpoint_Minimal_GetsDefaults()
    {
        var got = await Store.CreateEndpointAsync(Simple(Unique("min")), "ana");
        Assert.Equal((1, 1, null, null, null), (got.Spec.MinReplicas, got.Spec.MaxReplicas, got.Spec.Alias, got.Spec.Canary, got.Spec.StickyBy));
        Assert.Equal(VariantRoles.Live, Assert.Single(got.Spec.Variants).Role);
    }

    [Fact]
    public async Task ListEndpoints_IsOrderedByName()
    {
        var prefix = Unique("list");
        foreach (var suffix in new[] { "c", "a", "b" }) await Store.CreateEndpointAsync(Simple($"{prefix}-{suffix}"), "ana");
        var mine = (await Store.ListEndpointsAsync()).Where(e => e.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(e => e.Name[^1..]);
        Assert.Equal(["a", "b", "c"], mine);
    }

    [Fact]
    public async Task CreateEndpoint_SameNameTwice_IsAlreadyExistsAndKeepsTheFirst()
    {
        var name = Unique("dup");
        await Store.CreateEndpointAsync(Simple(name), "ana");
        var e = await Fails(ErrorCodes.ResourceAlreadyExists, () => Store.CreateEndpointAsync(Simple(name, 50), "bob"));
        Assert.Contains(name, e.Message);
        Assert.Single((await Store.GetEndpointAsync(name)).Spec.Variants);
        Assert.Single(await Store.ListEndpointEventsAsync(name));
    }

    public static TheoryData<string> BadSpecs => ["weights", "variant twice", "canary without baseline", "alias as model", "no variants", "name", "replicas"];

    private static EndpointSpec Bad(string name, string what) => what switch
    {
        "weights" => new(name, [new EndpointVariant("blue", "models:/delay/3", 60), new EndpointVariant("green", "models:/delay/4", 30)]),
        "variant twice" => new(name, [new EndpointVariant("blue", "models:/delay/3", 50), new EndpointVariant("blue", "models:/delay/4", 50)]),
        "canary without baseline" => Simple(name, 90) with { Canary = new CanaryState("green", "green", [50, 100], 60) },
        "alias as model" => new(name, [new EndpointVariant("blue", "models:/delay@champion", 100)]),
        "no variants" => new(name, []),
        "name" => Simple("bad name!"),
        "replicas" => Simple(name) with { MinReplicas = 3, MaxReplicas = 2 },
        _ => throw new ArgumentException(what),
    };

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public async Task CreateEndpoint_Invalid_IsInvalidParameterAndNothingStored(string what)
    {
        var name = Unique("bad");
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.CreateEndpointAsync(Bad(name, what), "ana"));
        Assert.DoesNotContain(await Store.ListEndpointsAsync(), e => e.Name == name);
    }

    [Theory]
    [MemberData(nameof(BadSpecs))]
    public async Task UpdateEndpoint_Invalid_IsInvalidParameterAndLeavesItUnchanged(string what)
    {
        var name = Unique("bad");
        await Store.CreateEndpointAsync(Simple(name), "ana");
        var bad = Bad(name, what);
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.UpdateEndpointAsync(what == "name" ? bad : bad with { Name = name }, 1, Change()));
        var got = await Store.GetEndpointAsync(name);
        Assert.Equal(1, got.Revision);
        Assert.Equal(new EndpointVariant("blue", "models:/delay/3", 100), Assert.Single(got.Spec.Variants));
        Assert.Single(await Store.ListEndpointEventsAsync(name));
    }

    [Fact]
    public async Task UpdateEndpoint_AtItsRevision_MakesTheNextRevisionAndRecordsTheChange()
    {
        var name = Unique("upd");
        var created = await Store.CreateEndpointAsync(Simple(name), "ana");

        var updated = await Store.UpdateEndpointAsync(Simple(name, 50), 1, Change(actor: "bob"));

        Assert.Equal(2, updated.Revision);
        Assert.Equal(created.CreationTime, updated.CreationTime);
        Assert.True(updated.UpdateTime >= created.UpdateTime);
        var got = await Store.GetEndpointAsync(name);
        Assert.Equal((2, updated.UpdateTime), (got.Revision, got.UpdateTime));
        Assert.Equal([50, 50], got.Spec.Variants.Select(v => v.Weight));
        var latest = (await Store.ListEndpointEventsAsync(name))[0];
        Assert.Equal((2, EndpointEventKinds.WeightsChanged, "blue=50, green=50", "bob"), (latest.Revision, latest.Kind, latest.Message, latest.Actor));
        Assert.Equal(3, (await Store.UpdateEndpointAsync(Simple(name, 70), 2, Change())).Revision);
    }

    [Fact]
    public async Task UpdateEndpoint_StaleRevision_IsInvalidStateAndLeavesItUnchanged()
    {
        var name = Unique("stale");
        await Store.CreateEndpointAsync(Simple(name), "ana");
        await Store.UpdateEndpointAsync(Simple(name, 50), 1, Change());

        var e = await Fails(ErrorCodes.InvalidState, () => Store.UpdateEndpointAsync(Simple(name, 10), 1, Change(actor: "late")));

        Assert.Contains("revision 1", e.Message);
        Assert.Contains("at 2", e.Message);
        var got = await Store.GetEndpointAsync(name);
        Assert.Equal(2, got.Revision);
        Assert.Equal([50, 50], got.Spec.Variants.Select(v => v.Weight));
        Assert.DoesNotContain(await Store.ListEndpointEventsAsync(name), ev => ev.Actor == "late");
        await Fails(ErrorCodes.InvalidState, () => Store.UpdateEndpointAsync(Simple(name, 10), 7, Change()));
    }

    [Fact]
    public async Task UpdateEndpoint_EightConcurrentlyAtOneRevision_ExactlyOneWins()
    {
        var name = Unique("race");
        await Store.CreateEndpointAsync(Simple(name), "ana");

        var attempts = await Task.WhenAll(Enumerable.Range(1, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                return (Record: await Store.UpdateEndpointAsync(Simple(name, i * 10), 1, Change(actor: $"writer-{i}")), Error: (CairnException?)null);
            }
            catch (CairnException e)
            {
                return (Record: (EndpointRecord?)null, Error: e);
            }
        })));

        var winner = Assert.Single(attempts, a => a.Record is not null).Record!;
        Assert.All(attempts.Where(a => a.Record is null), a => Assert.Equal(ErrorCodes.InvalidState, a.Error!.ErrorCode));
        Assert.Equal(2, winner.Revision);
        var got = await Store.GetEndpointAsync(name);
        Assert.Equal(2, got.Revision);
        Assert.Equal(winner.Spec.Variants.Select(v => v.Weight), got.Spec.Variants.Select(v => v.Weight));
        var history = await Store.ListEndpointEventsAsync(name);
        Assert.Equal([EndpointEventKinds.WeightsChanged, EndpointEventKinds.Created], history.Select(e => e.Kind));
        Assert.Equal(got.Spec.Variants[0].Weight / 10, int.Parse(history[0].Actor["writer-".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task ListEndpointEvents_NewestFirst_UpToMaxResults()
    {
        var name = Unique("events");
        await Store.CreateEndpointAsync(Simple(name), "ana");
        await Store.UpdateEndpointAsync(Simple(name, 50), 1, Change());
        foreach (var i in Enumerable.Range(1, 3))
            await Store.AppendEndpointEventAsync(name, new EndpointChange(EndpointEventKinds.ReplicaRestarted, $"replica {i} restarted", "cairn"));

        var all = await Store.ListEndpointEventsAsync(name);
        Assert.Equal(["replica 3 restarted", "replica 2 restarted", "replica 1 restarted"], all.Take(3).Select(e => e.Message));
        Assert.Equal([EndpointEventKinds.WeightsChanged, EndpointEventKinds.Created], all.Skip(3).Select(e => e.Kind));
        Assert.Equal([2, 2, 2, 2, 1], all.Select(e => e.Revision));
        Assert.Equal(5, all.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(2, (await Store.GetEndpointAsync(name)).Revision); // an event alone changes no revision
        var two = await Store.ListEndpointEventsAsync(name, maxResults: 2);
        Assert.Equal(["replica 3 restarted", "replica 2 restarted"], two.Select(e => e.Message));
    }

    [Fact]
    public async Task AppendEndpointEvent_EightConcurrently_KeepsEveryOne()
    {
        var name = Unique("busy");
        await Store.CreateEndpointAsync(Simple(name), "ana");

        await Task.WhenAll(Enumerable.Range(1, 8).Select(i => Task.Run(() =>
            Store.AppendEndpointEventAsync(name, new EndpointChange(EndpointEventKinds.ReplicaRestarted, $"replica {i}", "cairn")))));

        var history = await Store.ListEndpointEventsAsync(name);
        Assert.Equal(9, history.Count);
        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"replica {i}").Order(), history.Take(8).Select(e => e.Message).Order());
        Assert.Equal(EndpointEventKinds.Created, history[^1].Kind);
    }

    [Fact]
    public async Task DeleteEndpoint_RemovesItAndKeepsItsHistory()
    {
        var name = Unique("del");
        await Store.CreateEndpointAsync(Simple(name), "ana");
        await Store.UpdateEndpointAsync(Simple(name, 50), 1, Change());

        await Store.DeleteEndpointAsync(name, "bob");

        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.GetEndpointAsync(name));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.DeleteEndpointAsync(name, "bob"));
        Assert.DoesNotContain(await Store.ListEndpointsAsync(), e => e.Name == name);
        var history = await Store.ListEndpointEventsAsync(name);
        Assert.Equal([EndpointEventKinds.Deleted, EndpointEventKinds.WeightsChanged, EndpointEventKinds.Created], history.Select(e => e.Kind));
        Assert.Equal((2, "bob"), (history[0].Revision, history[0].Actor));

        var again = await Store.CreateEndpointAsync(Simple(name), "carl");
        Assert.Equal(1, again.Revision);
        var continued = await Store.ListEndpointEventsAsync(name);
        Assert.Equal([EndpointEventKinds.Created, EndpointEventKinds.Deleted], continued.Take(2).Select(e => e.Kind));
        Assert.Equal(4, continued.Count);
    }

    [Fact]
    public async Task UnknownEndpoint_IsNotFoundEverywhere()
    {
        var name = Unique("none");
        var e = await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.GetEndpointAsync(name));
        Assert.Contains("cairn deploy list", e.Message);
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.UpdateEndpointAsync(Simple(name), 1, Change()));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.DeleteEndpointAsync(name, "ana"));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.AppendEndpointEventAsync(name, Change()));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.ListEndpointEventsAsync(name));
    }

    [Fact]
    public async Task BadChangesActorsAndLimits_AreInvalidParameterAndChangeNothing()
    {
        var name = Unique("limits");
        await Store.CreateEndpointAsync(Simple(name), "ana");

        await Fails(ErrorCodes.InvalidParameterValue, () => Store.CreateEndpointAsync(Simple(Unique("noactor")), ""));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.UpdateEndpointAsync(Simple(name, 50), 1, Change(kind: "Weights Changed")));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.UpdateEndpointAsync(Simple(name, 50), 1, Change(actor: "")));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.UpdateEndpointAsync(Simple(name, 50), 0, Change()));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.AppendEndpointEventAsync(name, Change(message: new string('x', EndpointChangeRules.MaxMessageLength + 1))));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.DeleteEndpointAsync(name, ""));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.ListEndpointEventsAsync(name, maxResults: 0));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.ListEndpointEventsAsync(name, maxResults: EndpointChangeRules.MaxEventsPerCall + 1));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.GetEndpointAsync("bad name!"));

        Assert.Equal(1, (await Store.GetEndpointAsync(name)).Revision);
        Assert.Single(await Store.ListEndpointEventsAsync(name));
    }
}

public sealed class SqliteEndpointStoreContract : EndpointStoreContract
{
    private readonly TempFolder _folder = new();
    private SqliteStores? _stores;

    protected override Task<IEndpointStore> OpenStoreAsync()
    {
        _stores = new SqliteStores(_folder.File("cairn.db"));
        return Task.FromResult<IEndpointStore>(_stores.Endpoints);
    }

    protected override Task CloseStoreAsync()
    {
        _stores?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class PostgresEndpointStoreContract : EndpointStoreContract
{
    private Cairn.Storage.Postgres.PostgresStores? _stores;

    protected override async Task<IEndpointStore> OpenStoreAsync()
    {
        _stores = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase());
        return _stores.Endpoints;
    }

    protected override Task CloseStoreAsync()
    {
        _stores?.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class RestEndpointStoreContract : EndpointStoreContract
{
    private RunningServer? _server;
    private RestTransport? _transport;

    protected override async Task<IEndpointStore> OpenStoreAsync()
    {
        _server = await RunningServer.StartAsync();
        _transport = new RestTransport(_server.BaseUri);
        return new RestEndpointStore(_transport);
    }

    protected override async Task CloseStoreAsync()
    {
        _transport?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}

public sealed class EndpointCopyTests
{
    [Fact]
    public async Task MetadataCopier_SqliteToPostgres_KeepsEndpointsAndTheirHistory()
    {
        using var folder = new TempFolder();
        using var source = new SqliteStores(folder.File("cairn.db"));
        var spec = new EndpointSpec("delay-api", [new EndpointVariant("blue", "models:/delay/3", 100)], Alias: "champion");
        await source.Endpoints.CreateEndpointAsync(spec, "ana");
        await source.Endpoints.UpdateEndpointAsync(spec with { MaxReplicas = 3 }, 1, new EndpointChange(EndpointEventKinds.Updated, "max 3 replicas", "ana"));
        await source.Endpoints.CreateEndpointAsync(spec with { Name = "gone" }, "ana");
        await source.Endpoints.DeleteEndpointAsync("gone", "bob");
        using var target = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase());

        var counts = await Cairn.Storage.Sql.MetadataCopier.CopyAsync(source.Database, target.Database);

        Assert.Equal((1, 4), (counts["endpoints"], counts["endpoint_events"]));
        var copied = await target.Endpoints.GetEndpointAsync("delay-api");
        Assert.Equal((2, 3, "champion"), (copied.Revision, copied.Spec.MaxReplicas, copied.Spec.Alias));
        Assert.Equal([EndpointEventKinds.Deleted, EndpointEventKinds.Created], (await target.Endpoints.ListEndpointEventsAsync("gone")).Select(e => e.Kind));
        // The copy goes on where the source stopped: the compare-and-set and the event order.
        await Assert.ThrowsAsync<CairnException>(() => target.Endpoints.UpdateEndpointAsync(spec, 1, new EndpointChange(EndpointEventKinds.Updated, "", "ana")));
        await target.Endpoints.AppendEndpointEventAsync("delay-api", new EndpointChange(EndpointEventKinds.Scaled, "3 replicas", "cairn"));
        Assert.Equal([EndpointEventKinds.Scaled, EndpointEventKinds.Updated, EndpointEventKinds.Created],
            (await target.Endpoints.ListEndpointEventsAsync("delay-api")).Select(e => e.Kind));
    }
}
