using Cairn.Security;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Storage.Tests;

/// <summary>What every identity store must do; run on SQLite and PostgreSQL (the REST backend comes with the server's auth API).</summary>
public abstract class IdentityStoreContract : IAsyncLifetime
{
    protected IIdentityStore Store { get; private set; } = null!;

    protected abstract Task<IIdentityStore> OpenStoreAsync();
    protected abstract Task CloseStoreAsync();

    public async Task InitializeAsync() => Store = await OpenStoreAsync();

    public Task DisposeAsync() => CloseStoreAsync();

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    private static async Task<CairnException> Fails(string code, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<CairnException>(action);
        Assert.Equal(code, e.ErrorCode);
        return e;
    }

    private static NewApiToken Token(string username, string name = "ci", long? expiry = null)
    {
        var (id, secret) = ApiTokenSecrets.New();
        return new NewApiToken(id, username, name, ApiTokenSecrets.Hash(secret), expiry);
    }

    [Fact]
    public async Task CreateUser_RoundTrips_NumbersUsers_AndRefusesATakenName()
    {
        var (alice, bob) = (Unique("alice"), Unique("bob"));

        var a = await Store.CreateUserAsync(alice, "hash-a", isAdmin: true);
        var b = await Store.CreateUserAsync(bob, "hash-b", isAdmin: false);

        Assert.Equal((alice, true), (a.Username, a.IsAdmin));
        Assert.True(b.Id > a.Id);
        Assert.True(a.CreationTime > 0);
        Assert.Equal(a with { Groups = [] }, (await Store.GetUserAsync(alice)) with { Groups = [] });
        Assert.Empty(a.Groups);
        Assert.Equal("hash-b", await Store.GetPasswordHashAsync(bob));
        Assert.Null(await Store.GetPasswordHashAsync(Unique("nobody")));
        Assert.Contains(await Store.ListUsersAsync(), u => u.Username == bob && !u.IsAdmin);
        await Fails(ErrorCodes.ResourceAlreadyExists, () => Store.CreateUserAsync(alice, "other", false));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.GetUserAsync(Unique("nobody")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-dash-first")]
    [InlineData("has space")]
    [InlineData("semi;colon")]
    [InlineData("user:x")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task CreateUser_BadName_IsRefused(string name)
    {
        var e = await Fails(ErrorCodes.InvalidParameterValue, () => Store.CreateUserAsync(name, "hash", false));
        Assert.Contains("not a valid user name", e.Message);
    }

    [Fact]
    public async Task UpdatePasswordAndAdmin_ChangeOnlyThatUser()
    {
        var (alice, bob) = (Unique("alice"), Unique("bob"));
        await Store.CreateUserAsync(alice, "old", false);
        await Store.CreateUserAsync(bob, "bobs", false);

        await Store.UpdatePasswordHashAsync(alice, "new");
        await Store.UpdateAdminAsync(alice, true);

        Assert.Equal("new", await Store.GetPasswordHashAsync(alice));
        Assert.True((await Store.GetUserAsync(alice)).IsAdmin);
        Assert.Equal("bobs", await Store.GetPasswordHashAsync(bob));
        Assert.False((await Store.GetUserAsync(bob)).IsAdmin);
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.UpdatePasswordHashAsync(Unique("nobody"), "x"));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.UpdateAdminAsync(Unique("nobody"), true));
    }

    [Fact]
    public async Task Groups_AreListedWithTheUser_AndAddingTwiceIsNoChange()
    {
        var alice = Unique("alice");
        await Store.CreateUserAsync(alice, "h", false);

        await Store.AddToGroupAsync("ml-team", alice);
        await Store.AddToGroupAsync("analysts", alice);
        await Store.AddToGroupAsync("ml-team", alice);

        Assert.Equal(["analysts", "ml-team"], (await Store.GetUserAsync(alice)).Groups);
        Assert.True(await Store.RemoveFromGroupAsync("analysts", alice));
        Assert.False(await Store.RemoveFromGroupAsync("analysts", alice));
        Assert.Equal(["ml-team"], (await Store.GetUserAsync(alice)).Groups);
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.AddToGroupAsync("ml-team", Unique("nobody")));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.AddToGroupAsync("bad group", alice));
    }

    [Fact]
    public async Task Tokens_AreFoundByTheirSecretsHash_ListedNewestFirst_AndRevokedOnce()
    {
        var alice = Unique("alice");
        await Store.CreateUserAsync(alice, "h", false);
        var (id, secret) = ApiTokenSecrets.New();
        var expiry = DateTimeOffset.UtcNow.AddDays(90).ToUnixTimeMilliseconds();

        var created = await Store.CreateTokenAsync(new NewApiToken(id, alice, "laptop", ApiTokenSecrets.Hash(secret), expiry));
        var second = await Store.CreateTokenAsync(Token(alice, "ci"));

        Assert.Equal((id, alice, "laptop", expiry), (created.Id, created.Username, created.Name, created.ExpiryTime));
        Assert.Equal(created, await Store.FindTokenAsync(ApiTokenSecrets.Hash(secret)));
        Assert.Null(await Store.FindTokenAsync(ApiTokenSecrets.Hash(secret + "x")));
        var listed = await Store.ListTokensAsync(alice);
        Assert.Equal([id, second.Id], listed.OrderBy(t => t.CreationTime).ThenBy(t => t.Id == second.Id).Select(t => t.Id));
        Assert.True(listed[0].CreationTime >= listed[1].CreationTime);

        var revoked = await Store.RevokeTokenAsync(id);
        var again = await Store.RevokeTokenAsync(id);

        Assert.NotNull(revoked.RevokedTime);
        Assert.Equal(revoked.RevokedTime, again.RevokedTime);
        Assert.False((await Store.FindTokenAsync(ApiTokenSecrets.Hash(secret)))!.IsValidAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        Assert.True(second.IsValidAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.RevokeTokenAsync("feedbeef0000"));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.CreateTokenAsync(Token(Unique("nobody"))));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.CreateTokenAsync(Token(alice, "bad\nname")));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.CreateTokenAsync(Token(alice, expiry: 1)));
    }

    [Fact]
    public async Task Permissions_AreSetReplacedListedAndDeleted()
    {
        var alice = Unique("alice");
        var model = Unique("delay");
        await Store.CreateUserAsync(alice, "h", false);

        await Store.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, "7", Principals.User(alice), Permission.Read));
        await Store.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, "7", Principals.User(alice), Permission.Edit));
        await Store.SetPermissionAsync(new ResourcePermission(ResourceTypes.RegisteredModel, model, Principals.Group("ml-team"), Permission.Manage));

        Assert.Equal(Permission.Edit, (await Store.GetPermissionAsync(ResourceTypes.Experiment, "7", Principals.User(alice)))!.Permission);
        Assert.Equal([new ResourcePermission(ResourceTypes.RegisteredModel, model, "group:ml-team", Permission.Manage)],
            await Store.ListPermissionsAsync(ResourceTypes.RegisteredModel, model));
        Assert.Single(await Store.ListPermissionsAsync(principal: Principals.User(alice)));
        Assert.True(await Store.DeletePermissionAsync(ResourceTypes.Experiment, "7", Principals.User(alice)));
        Assert.False(await Store.DeletePermissionAsync(ResourceTypes.Experiment, "7", Principals.User(alice)));
        Assert.Null(await Store.GetPermissionAsync(ResourceTypes.Experiment, "7", Principals.User(alice)));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, "7", Principals.User(Unique("nobody")), Permission.Read)));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.SetPermissionAsync(new ResourcePermission("dataset", "7", Principals.User(alice), Permission.Read)));
        await Fails(ErrorCodes.InvalidParameterValue, () => Store.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, "7", "alice", Permission.Read)));
    }

    [Fact]
    public async Task DeleteUser_TakesTheirTokensGroupsAndPermissionsWithThem()
    {
        var (alice, bob) = (Unique("alice"), Unique("bob"));
        await Store.CreateUserAsync(alice, "h", false);
        await Store.CreateUserAsync(bob, "h", false);
        var token = Token(alice);
        await Store.CreateTokenAsync(token);
        await Store.AddToGroupAsync("ml-team", alice);
        await Store.AddToGroupAsync("ml-team", bob);
        await Store.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, "1", Principals.User(alice), Permission.Manage));
        await Store.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, "1", Principals.Group("ml-team"), Permission.Read));

        await Store.DeleteUserAsync(alice);

        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.GetUserAsync(alice));
        Assert.Null(await Store.FindTokenAsync(token.SecretHash));
        Assert.Empty(await Store.ListPermissionsAsync(principal: Principals.User(alice)));
        Assert.Single(await Store.ListPermissionsAsync(ResourceTypes.Experiment, "1"));
        Assert.Equal(["ml-team"], (await Store.GetUserAsync(bob)).Groups);
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.DeleteUserAsync(alice));
        // The name is free again, and nothing of the old user comes back with it.
        await Store.CreateUserAsync(alice, "h2", false);
        Assert.Empty((await Store.GetUserAsync(alice)).Groups);
    }
}

public sealed class SqliteIdentityStoreContract : IdentityStoreContract
{
    private readonly TempFolder _folder = new();
    private SqliteStores? _stores;

    protected override Task<IIdentityStore> OpenStoreAsync()
    {
        _stores = new SqliteStores(_folder.File("cairn.db"));
        return Task.FromResult<IIdentityStore>(_stores.Identity);
    }

    protected override Task CloseStoreAsync()
    {
        _stores?.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class PostgresIdentityStoreContract : IdentityStoreContract
{
    private Cairn.Storage.Postgres.PostgresStores? _stores;

    protected override async Task<IIdentityStore> OpenStoreAsync()
    {
        _stores = await Cairn.Storage.Postgres.PostgresStores.OpenAsync(PostgresServer.Instance.NewDatabase());
        return _stores.Identity;
    }

    protected override Task CloseStoreAsync()
    {
        _stores?.Dispose();
        return Task.CompletedTask;
    }
}
