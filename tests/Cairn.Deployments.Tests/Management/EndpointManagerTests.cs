using Cairn.Deployments.Management;
using Cairn.Deployments.Tests.Routing;

namespace Cairn.Deployments.Tests.Management;

public sealed class EndpointManagerTests : IDisposable
{
    private readonly FakeModels _models = new();

    public void Dispose() => _models.Dispose();

    /// <summary>A store in which someone else changes the endpoint between the manager's read and its first write.</summary>
    private sealed class RacingStore(IEndpointStore inner) : IEndpointStore
    {
        public int Raced;

        public async Task<EndpointRecord> UpdateEndpointAsync(EndpointSpec spec, int expectedRevision, EndpointChange change, CancellationToken ct = default)
        {
            if (Interlocked.Exchange(ref Raced, 1) == 0)
            {
                var current = await inner.GetEndpointAsync(spec.Name, ct);
                await inner.UpdateEndpointAsync(current.Spec with { Description = "changed by someone else" }, current.Revision, new EndpointChange("updated", "meanwhile", "other"), ct);
            }
            return await inner.UpdateEndpointAsync(spec, expectedRevision, change, ct);
        }

        public Task<EndpointRecord> CreateEndpointAsync(EndpointSpec spec, string actor, CancellationToken ct = default) => inner.CreateEndpointAsync(spec, actor, ct);
        public Task<EndpointRecord> GetEndpointAsync(string name, CancellationToken ct = default) => inner.GetEndpointAsync(name, ct);
        public Task<IReadOnlyList<EndpointRecord>> ListEndpointsAsync(CancellationToken ct = default) => inner.ListEndpointsAsync(ct);
        public Task DeleteEndpointAsync(string name, string actor, CancellationToken ct = default) => inner.DeleteEndpointAsync(name, actor, ct);
        public Task AppendEndpointEventAsync(string name, EndpointChange change, CancellationToken ct = default) => inner.AppendEndpointEventAsync(name, change, ct);
        public Task<IReadOnlyList<EndpointEvent>> ListEndpointEventsAsync(string name, int maxResults = 100, CancellationToken ct = default) => inner.ListEndpointEventsAsync(name, maxResults, ct);
    }

    [Fact]
    public async Task A_change_that_lost_a_race_is_decided_again_on_what_is_there_and_keeps_the_other_change()
    {
        var v1 = await _models.AddVersionAsync(new FakePredictor(x => x));
        var v2 = await _models.AddVersionAsync(new FakePredictor(x => x));
        var store = new RacingStore(_models.Client.Endpoints);
        var manager = new EndpointManager(_models.Client, store, "tester");
        await manager.CreateAsync("ep", v1);

        var record = await manager.StartShadowAsync("ep", v2, 50);

        Assert.Equal(1, store.Raced);
        Assert.Equal(3, record.Revision);
        Assert.Equal("changed by someone else", record.Spec.Description);
        Assert.Equal("shadow-v2", record.Spec.Shadow!.Variant);
    }

    [Fact]
    public async Task Promoting_moves_the_followed_alias_and_rolling_back_restores_the_variants_before_it()
    {
        var v1 = await _models.AddVersionAsync(new FakePredictor(x => x));
        var v2 = await _models.AddVersionAsync(new FakePredictor(x => x));
        await _models.Client.Registry.SetAliasAsync("delay", "champion", "1");
        var manager = new EndpointManager(_models.Client, _models.Client.Endpoints, "tester");
        await manager.CreateAsync("ep", "models:/delay@champion");
        await manager.StartAbTestAsync("ep", [("a", v1), ("b", v2)], [50, 50], "conversion");

        var (promoted, alias) = await manager.PromoteAsync("ep", "b");
        Assert.Equal(["b"], promoted.Spec.Variants.Select(v => v.Name));
        Assert.Equal("2", alias!.Version);
        Assert.NotNull(promoted.Spec.AbTest!.EndedAt);

        var back = await manager.RollBackAsync("ep");
        Assert.Equal([("a", 50), ("b", 50)], back.Spec.Variants.Select(v => (v.Name, v.Weight)));
        // Two live variants: the alias stays where the promotion put it (it follows one version).
        Assert.Equal("2", (await _models.Client.Registry.GetModelVersionByAliasAsync("delay", "champion")).Version);
        await manager.PromoteAsync("ep", "a");
        Assert.Equal("1", (await _models.Client.Registry.GetModelVersionByAliasAsync("delay", "champion")).Version);
    }
}
