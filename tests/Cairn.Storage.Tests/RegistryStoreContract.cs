using Cairn.Registry;
using Cairn.Rest;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Storage.Tests;

/// <summary>What every model registry store must do; run on SQLite and through the REST client.</summary>
public abstract partial class RegistryStoreContract : IAsyncLifetime
{
    protected IRegistryStore Store { get; private set; } = null!;

    protected abstract Task<IRegistryStore> OpenStoreAsync();
    protected abstract Task CloseStoreAsync();

    public async Task InitializeAsync() => Store = await OpenStoreAsync();
    public Task DisposeAsync() => CloseStoreAsync();

    private static string Unique() => $"model-{Guid.NewGuid():N}"[..20];

    private static string Source() => $"runs:/{Ids.NewId()}/model";

    [Fact]
    public async Task CreateModel_ThenGet_HasTagsAndDescription()
    {
        var name = Unique();
        await Store.CreateRegisteredModelAsync(name, "predicts delays", [new RegisteredModelTag("team", "ml")]);

        var model = await Store.GetRegisteredModelAsync(name);

        Assert.Equal("predicts delays", model.Description);
        Assert.Contains(new RegisteredModelTag("team", "ml"), model.Tags);
        Assert.Empty(model.LatestVersions);
    }

    [Fact]
    public async Task CreateModel_Twice_IsAlreadyExists()
    {
        var name = Unique();
        await Store.CreateRegisteredModelAsync(name);
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.CreateRegisteredModelAsync(name));
        Assert.Equal(ErrorCodes.ResourceAlreadyExists, error.ErrorCode);
    }

    [Fact]
    public async Task GetModel_Unknown_IsNotFound()
    {
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.GetRegisteredModelAsync(Unique()));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, error.ErrorCode);
    }

    [Fact]
    public async Task CreateVersion_NumbersOneTwoThree_AndCreatesTheModel()
    {
        var name = Unique();
        var v1 = await Store.CreateModelVersionAsync(new NewModelVersion(name, Source(), Description: "first"));
        var v2 = await Store.CreateModelVersionAsync(new NewModelVersion(name, Source(), Tags: [new ModelVersionTag("k", "v")]));
        var v3 = await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()));

        Assert.Equal(["1", "2", "3"], new[] { v1.Version, v2.Version, v3.Version });
        Assert.Equal(ModelVersionStatus.Ready, v1.Status);
        Assert.Equal("first", v1.Description);
        Assert.Contains(new ModelVersionTag("k", "v"), v2.Tags);
        Assert.Equal("3", Assert.Single((await Store.GetRegisteredModelAsync(name)).LatestVersions).Version);
    }

    [Fact]
    public async Task CreateVersion_FiftyConcurrently_GetsOneToFiftyWithoutGaps()
    {
        var name = Unique();
        var versions = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => Store.CreateModelVersionAsync(new NewModelVersion(name, Source())))));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => i.ToString()), versions.Select(v => v.Version).OrderBy(int.Parse));
    }

    [Fact]
    public async Task DeleteVersion_HidesIt_AndItsNumberIsNotReused()
    {
        var name = Unique();
        await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()));
        await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()));
        await Store.SetAliasAsync(name, "champion", "2");

        await Store.DeleteModelVersionAsync(name, "2");

        var error = await Assert.ThrowsAsync<CairnException>(() => Store.GetModelVersionAsync(name, "2"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, error.ErrorCode);
        await Assert.ThrowsAsync<CairnException>(() => Store.GetModelVersionByAliasAsync(name, "champion"));
        Assert.Equal("3", (await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()))).Version);
    }

    [Fact]
    public async Task Alias_PointsAtAVersion_MovesAndIsDeleted()
    {
        var name = Unique();
        await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()));
        await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()));

        await Store.SetAliasAsync(name, "champion", "1");
        Assert.Equal("1", (await Store.GetModelVersionByAliasAsync(name, "champion")).Version);
        await Store.SetAliasAsync(name, "champion", "2");
        var v2 = await Store.GetModelVersionByAliasAsync(name, "champion");
        Assert.Equal("2", v2.Version);
        Assert.Equal(["champion"], v2.Aliases);
        Assert.Equal(new RegisteredModelAlias("champion", "2"), Assert.Single((await Store.GetRegisteredModelAsync(name)).Aliases));

        await Store.DeleteAliasAsync(name, "champion");
        var error = await Assert.ThrowsAsync<CairnException>(() => Store.GetModelVersionByAliasAsync(name, "champion"));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, error.ErrorCode);
    }

    [Fact]
    public async Task Alias_ToMissingVersionOrReservedName_IsRefused()
    {
        var name = Unique();
        await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()));
        Assert.Equal(ErrorCodes.ResourceDoesNotExist, (await Assert.ThrowsAsync<CairnException>(() => Store.SetAliasAsync(name, "champion", "9"))).ErrorCode);
        Assert.Equal(ErrorCodes.InvalidParameterValue, (await Assert.ThrowsAsync<CairnException>(() => Store.SetAliasAsync(name, "latest", "1"))).ErrorCode);
    }

    [Fact]
    public async Task RenameModel_KeepsVersionsAliasesAndAudit()
    {
        var name = Unique();
        await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()));
        await Store.SetAliasAsync(name, "champion", "1");
        await Store.AddTransitionAsync(new ModelTransition(Ids.NewId(), name, "1", "champion", TransitionAction.AliasMoved, "ada", 1, null, null, null));

        var renamed = Unique();
        await Store.RenameRegisteredModelAsync(name, renamed);

        Assert.Equal("1", (await Store.GetModelVersionByAliasAsync(renamed, "champion")).Version);
        Assert.Single(await Store.ListTransitionsAsync(renamed));
        await Assert.ThrowsAsync<CairnException>(() => Store.GetRegisteredModelAsync(name));
    }

    [Fact]
    public async Task UpdateDescriptionsAndTags()
    {
        var name = Unique();
        await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()));

        await Store.UpdateRegisteredModelAsync(name, "model description");
        await Store.UpdateModelVersionAsync(name, "1", "version description");
        await Store.SetRegisteredModelTagAsync(name, new RegisteredModelTag("owner", "ada"));
        await Store.SetModelVersionTagAsync(name, "1", new ModelVersionTag("validated", "true"));

        Assert.Equal("model description", (await Store.GetRegisteredModelAsync(name)).Description);
        var version = await Store.GetModelVersionAsync(name, "1");
        Assert.Equal("version description", version.Description);
        Assert.Contains(new ModelVersionTag("validated", "true"), version.Tags);

        await Store.DeleteRegisteredModelTagAsync(name, "owner");
        await Store.DeleteModelVersionTagAsync(name, "1", "validated");
        Assert.Empty((await Store.GetRegisteredModelAsync(name)).Tags);
        Assert.Empty((await Store.GetModelVersionAsync(name, "1")).Tags);
    }

    [Fact]
    public async Task Search_ModelsByNameAndVersionsByRun()
    {
        var prefix = Unique();
        var runId = Ids.NewId();
        await Store.CreateModelVersionAsync(new NewModelVersion(prefix + "-a", $"runs:/{runId}/model", runId));
        await Store.CreateModelVersionAsync(new NewModelVersion(prefix + "-b", Source()));

        var models = await Store.SearchRegisteredModelsAsync(new RegistryQuery($"name LIKE '{prefix}%'"));
        var byRun = await Store.SearchModelVersionsAsync(new RegistryQuery($"run_id = '{runId}'"));
        var byName = await Store.SearchModelVersionsAsync(new RegistryQuery($"name = '{prefix}-b'"));

        Assert.Equal([prefix + "-a", prefix + "-b"], models.Items.Select(m => m.Name));
        Assert.Equal(prefix + "-a", Assert.Single(byRun.Items).Name);
        Assert.Equal("1", Assert.Single(byName.Items).Version);
        await Assert.ThrowsAsync<CairnException>(() => Store.SearchRegisteredModelsAsync(new RegistryQuery("metrics.auc > 1")));
    }

    [Fact]
    public async Task DeleteModel_RemovesItsVersions_ButNotItsAuditTrail()
    {
        var name = Unique();
        await Store.CreateModelVersionAsync(new NewModelVersion(name, Source()));
        await Store.AddTransitionAsync(new ModelTransition(Ids.NewId(), name, "1", "champion", TransitionAction.Requested, "ada", 5, "why", "metrics.auc > 0", null));

        await Store.DeleteRegisteredModelAsync(name);

        await Assert.ThrowsAsync<CairnException>(() => Store.GetModelVersionAsync(name, "1"));
        var audit = Assert.Single(await Store.ListTransitionsAsync(name));
        Assert.Equal(TransitionAction.Requested, audit.Action);
        Assert.Equal("why", audit.Comment);
        Assert.Equal("metrics.auc > 0", audit.Gate);
    }

    [Fact]
    public async Task Transitions_AreListedInOrderAndByVersion()
    {
        var name = Unique();
        await Store.AddTransitionAsync(new ModelTransition(Ids.NewId(), name, "1", "champion", TransitionAction.Requested, "ada", 10, null, null, null));
        await Store.AddTransitionAsync(new ModelTransition(Ids.NewId(), name, "2", "champion", TransitionAction.GateFailed, "bob", 20, null, "g", "details"));
        await Store.AddTransitionAsync(new ModelTransition(Ids.NewId(), name, "1", "champion", TransitionAction.AliasMoved, "ada", 30, null, null, null));

        Assert.Equal([TransitionAction.Requested, TransitionAction.GateFailed, TransitionAction.AliasMoved], (await Store.ListTransitionsAsync(name)).Select(t => t.Action));
        Assert.Equal(2, (await Store.ListTransitionsAsync(name, "1")).Count);
    }
}

public sealed class SqliteRegistryStoreContract : RegistryStoreContract
{
    private readonly TempFolder _folder = new();
    private SqliteRegistryStore? _store;

    protected override Task<IRegistryStore> OpenStoreAsync()
    {
        _store = new SqliteRegistryStore(_folder.File("cairn.db"));
        return Task.FromResult<IRegistryStore>(_store);
    }

    protected override Task CloseStoreAsync()
    {
        _store?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class RestRegistryStoreContract : RegistryStoreContract
{
    private RunningServer? _server;
    private RestTransport? _transport;

    protected override async Task<IRegistryStore> OpenStoreAsync()
    {
        _server = await RunningServer.StartAsync();
        _transport = new RestTransport(_server.BaseUri);
        return new RestRegistryStore(_transport);
    }

    protected override async Task CloseStoreAsync()
    {
        _transport?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }
}

public sealed class PostgresRegistryStoreContract : RegistryStoreContract
{
    private Cairn.Storage.Postgres.PostgresStores? _stores;

    protected override async Task<IRegistryStore> OpenStoreAsync()
    {
        _stores = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase());
        return _stores.Registry;
    }

    protected override Task CloseStoreAsync()
    {
        _stores?.Dispose();
        return Task.CompletedTask;
    }
}
