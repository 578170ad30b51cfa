using Cairn.Rest;
using Cairn.Security;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Storage.Tests;

/// <summary>
/// What every identity store must do; run on SQLite, PostgreSQL and the REST client. Users and tokens
/// are made through <see cref="NewUserAsync"/> and <see cref="NewTokenAsync"/>: with hashes on a
/// database, with a password and a server-made secret over REST, where the hash operations are
/// refused by design (<see cref="HandlesHashes"/>).
/// </summary>
public abstract class IdentityStoreContract : IAsyncLifetime
{
    protected IIdentityStore Store { get; private set; } = null!;

    protected abstract Task<IIdentityStore> OpenStoreAsync();
    protected abstract Task CloseStoreAsync();

    public async Task InitializeAsync() => Store = await OpenStoreAsync();

    /// <summary>Whether the store takes and gives password and token hashes; false for the REST client, which never sees a hash.</summary>
    protected virtual bool HandlesHashes => true;

    /// <summary>A new user (password hash "h" where the store takes hashes).</summary>
    protected virtual Task<UserAccount> NewUserAsync(string username, bool isAdmin = false) => Store.CreateUserAsync(username, "h", isAdmin);

    /// <summary>A new token and the hash of its secret.</summary>
    protected virtual async Task<(ApiToken Token, string SecretHash)> NewTokenAsync(string username, string name = "ci", long? expiry = null)
    {
        var token = Token(username, name, expiry);
        return (await Store.CreateTokenAsync(token), token.SecretHash);
    }

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

        var a = await NewUserAsync(alice, isAdmin: true);
        var b = await NewUserAsync(bob, isAdmin: false);

        Assert.Equal((alice, true), (a.Username, a.IsAdmin));
        Assert.True(b.Id > a.Id);
        Assert.True(a.CreationTime > 0);
        Assert.Equal(a with { Groups = [] }, (await Store.GetUserAsync(alice)) with { Groups = [] });
        Assert.Empty(a.Groups);
        if (HandlesHashes)
        {
            Assert.Equal("h", await Store.GetPasswordHashAsync(bob));
            Assert.Null(await Store.GetPasswordHashAsync(Unique("nobody")));
        }
        Assert.Contains(await Store.ListUsersAsync(), u => u.Username == bob && !u.IsAdmin);
        await Fails(ErrorCodes.ResourceAlreadyExists, () => NewUserAsync(alice));
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
        var e = await Fails(ErrorCodes.InvalidParameterValue, () => NewUserAsync(name));
        Assert.Contains("not a valid user name", e.Message);
    }

    [Fact]
    public async Task UpdatePasswordAndAdmin_ChangeOnlyThatUser()
    {
        var (alice, bob) = (Unique("alice"), Unique("bob"));
        await NewUserAsync(alice);
        await NewUserAsync(bob);

        await Store.UpdateAdminAsync(alice, true);
        if (HandlesHashes)
        {
            await Store.UpdatePasswordHashAsync(alice, "new");
            Assert.Equal("new", await Store.GetPasswordHashAsync(alice));
            Assert.Equal("h", await Store.GetPasswordHashAsync(bob));
            await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.UpdatePasswordHashAsync(Unique("nobody"), "x"));
        }

        Assert.True((await Store.GetUserAsync(alice)).IsAdmin);
        Assert.False((await Store.GetUserAsync(bob)).IsAdmin);
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.UpdateAdminAsync(Unique("nobody"), true));
    }

    [Fact]
    public async Task Groups_AreListedWithTheUser_AndAddingTwiceIsNoChange()
    {
        var alice = Unique("alice");
        await NewUserAsync(alice);

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
        await NewUserAsync(alice);
        var expiry = DateTimeOffset.UtcNow.AddDays(90).ToUnixTimeMilliseconds();

        var (created, secretHash) = await NewTokenAsync(alice, "laptop", expiry);
        var (second, _) = await NewTokenAsync(alice, "ci");
        var id = created.Id;

        Assert.Equal((alice, "laptop"), (created.Username, created.Name));
        // A server sets the expiry from a lifetime, by its own clock: the same time within a minute.
        Assert.InRange(created.ExpiryTime!.Value, expiry - 60_000, expiry + 60_000);
        if (HandlesHashes)
        {
            Assert.Equal(expiry, created.ExpiryTime);
            Assert.Equal(created, await Store.FindTokenAsync(secretHash));
            Assert.Null(await Store.FindTokenAsync(secretHash + "0"));
        }
        var listed = await Store.ListTokensAsync(alice);
        Assert.Equal([id, second.Id], listed.OrderBy(t => t.CreationTime).ThenBy(t => t.Id == second.Id).Select(t => t.Id));
        Assert.True(listed[0].CreationTime >= listed[1].CreationTime);

        var revoked = await Store.RevokeTokenAsync(id);
        var again = await Store.RevokeTokenAsync(id);

        Assert.NotNull(revoked.RevokedTime);
        Assert.Equal(revoked.RevokedTime, again.RevokedTime);
        Assert.False((await Store.ListTokensAsync(alice)).Single(t => t.Id == id).IsValidAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        if (HandlesHashes) Assert.False((await Store.FindTokenAsync(secretHash))!.IsValidAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        Assert.True(second.IsValidAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.RevokeTokenAsync("feedbeef0000"));
        await Fails(ErrorCodes.ResourceDoesNotExist, () => NewTokenAsync(Unique("nobody")));
        await Fails(ErrorCodes.InvalidParameterValue, () => NewTokenAsync(alice, "bad\nname"));
        await Fails(ErrorCodes.InvalidParameterValue, () => NewTokenAsync(alice, expiry: 1));
    }

    [Fact]
    public async Task Permissions_AreSetReplacedListedAndDeleted()
    {
        var alice = Unique("alice");
        var model = Unique("delay");
        await NewUserAsync(alice);

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
        await NewUserAsync(alice);
        await NewUserAsync(bob);
        var (_, secretHash) = await NewTokenAsync(alice);
        await Store.AddToGroupAsync("ml-team", alice);
        await Store.AddToGroupAsync("ml-team", bob);
        await Store.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, "1", Principals.User(alice), Permission.Manage));
        await Store.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, "1", Principals.Group("ml-team"), Permission.Read));

        await Store.DeleteUserAsync(alice);

        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.GetUserAsync(alice));
        Assert.Empty(await Store.ListTokensAsync(alice));
        if (HandlesHashes) Assert.Null(await Store.FindTokenAsync(secretHash));
        Assert.Empty(await Store.ListPermissionsAsync(principal: Principals.User(alice)));
        Assert.Single(await Store.ListPermissionsAsync(ResourceTypes.Experiment, "1"));
        Assert.Equal(["ml-team"], (await Store.GetUserAsync(bob)).Groups);
        await Fails(ErrorCodes.ResourceDoesNotExist, () => Store.DeleteUserAsync(alice));
        // The name is free again, and nothing of the old user comes back with it.
        await NewUserAsync(alice);
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

/// <summary>
/// The REST client against a real server with --auth, signed in as an admin. Users are made with a
/// password and tokens by the server, through <see cref="RestAccountAdministration"/>; reading or
/// writing hashes is refused by design, and that refusal is checked here instead.
/// </summary>
public sealed class RestIdentityStoreContract : IdentityStoreContract
{
    private const string AdminPassword = "admin password 1";
    private RunningServer? _server;
    private RestTransport? _transport;
    private RestAccountAdministration _accounts = null!;

    protected override bool HandlesHashes => false;

    protected override async Task<IIdentityStore> OpenStoreAsync()
    {
        _server = await RunningServer.StartAsync((options, stores) =>
        {
            var accounts = new AccountService(stores.Identity, new PasswordHasher(iterations: 1_000));
            accounts.CreateUserAsync("admin", AdminPassword, isAdmin: true).GetAwaiter().GetResult();
            return options with { Authentication = new Cairn.Server.Security.ServerAuthentication(accounts, stores.Identity) };
        });
        _transport = new RestTransport(_server.BaseUri, credentials: ServerCredentials.Basic("admin", AdminPassword));
        _accounts = new RestAccountAdministration(_transport);
        return new RestIdentityStore(_transport);
    }

    protected override Task<UserAccount> NewUserAsync(string username, bool isAdmin = false) =>
        _accounts.CreateUserAsync(username, "a long password 1", isAdmin);

    protected override async Task<(ApiToken Token, string SecretHash)> NewTokenAsync(string username, string name = "ci", long? expiry = null)
    {
        var lifetime = expiry is { } at ? TimeSpan.FromMilliseconds(at - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) : (TimeSpan?)null;
        var (token, secret) = await _accounts.IssueTokenAsync(username, name, lifetime);
        return (token, ApiTokenSecrets.Hash(secret));
    }

    protected override async Task CloseStoreAsync()
    {
        _transport?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }

    [Fact]
    public async Task HashOperations_AreRefusedWithoutAskingTheServer()
    {
        var refused = new List<CairnException>
        {
            await Assert.ThrowsAsync<CairnException>(() => Store.GetPasswordHashAsync("admin")),
            await Assert.ThrowsAsync<CairnException>(() => Store.UpdatePasswordHashAsync("admin", "h")),
            await Assert.ThrowsAsync<CairnException>(() => Store.CreateUserAsync("someone", "h", false)),
            await Assert.ThrowsAsync<CairnException>(() => Store.CreateTokenAsync(new NewApiToken("feedbeef0000", "admin", "ci", "h", null))),
            await Assert.ThrowsAsync<CairnException>(() => Store.FindTokenAsync("h")),
        };

        Assert.All(refused, e => Assert.Equal((ErrorCodes.NotImplemented, true), (e.ErrorCode, e.Message.Contains("hashes never leave it"))));
        Assert.DoesNotContain(await Store.ListUsersAsync(), u => u.Username == "someone");
    }
}
