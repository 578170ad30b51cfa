using System.Net;
using Cairn.Rest;
using Cairn.Security;
using Cairn.Server.Security;
using Cairn.Testing;

namespace Cairn.Server.Tests.Security;

/// <summary>The administration endpoints through the REST backend: who may do what, as the admin, a user about themself, and a group's member.</summary>
public sealed class AdministrationApiTests : IAsyncLifetime
{
    private const string AlicePassword = "alice password 1", BobPassword = "bob password 12", AdminPassword = "admin password 1";
    private RunningServer _server = null!;
    private AccountService _accounts = null!;
    private readonly List<RestTransport> _transports = [];

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync((options, stores) =>
        {
            _accounts = new AccountService(stores.Identity, new PasswordHasher(iterations: 1_000));
            return options with { Authentication = new ServerAuthentication(_accounts, stores.Identity) };
        });
        await _accounts.CreateUserAsync("admin", AdminPassword, isAdmin: true);
        await _accounts.CreateUserAsync("alice", AlicePassword);
        await _accounts.CreateUserAsync("bob", BobPassword);
    }

    public async Task DisposeAsync()
    {
        foreach (var transport in _transports) transport.Dispose();
        await _server.DisposeAsync();
    }

    private RestTransport As(ServerCredentials credentials)
    {
        var transport = new RestTransport(_server.BaseUri, credentials: credentials);
        _transports.Add(transport);
        return transport;
    }

    private static async Task Denied(Func<Task> action) =>
        Assert.Equal(ErrorCodes.PermissionDenied, (await Assert.ThrowsAsync<CairnException>(action)).ErrorCode);

    [Fact]
    public async Task ANonAdmin_CannotCreateOrListUsers_NorSeeOrRevokeAnotherUsersTokens()
    {
        var (bobsToken, _) = await _accounts.IssueTokenAsync("bob", "ci", null);
        var alice = As(ServerCredentials.Basic("alice", AlicePassword));
        var (identity, accounts) = (new RestIdentityStore(alice), new RestAccountAdministration(alice));

        using var listUsers = await alice.Http.GetAsync(new Uri(_server.BaseUri, "api/2.0/cairn/users/list"));

        Assert.Equal(HttpStatusCode.Forbidden, listUsers.StatusCode);
        await Denied(() => accounts.CreateUserAsync("mallory", "a long password 1"));
        await Denied(() => identity.ListTokensAsync("bob"));
        await Denied(() => identity.RevokeTokenAsync(bobsToken.Id));
        await Denied(() => accounts.IssueTokenAsync("bob", "stolen", null));
        await Denied(() => identity.AddToGroupAsync("admins", "alice"));
        await Denied(() => identity.ListPermissionsAsync());
        Assert.Null((await _server.Stores.Identity.ListTokensAsync("bob")).Single().RevokedTime);
        await Assert.ThrowsAsync<CairnException>(() => _server.Stores.Identity.GetUserAsync("mallory"));
    }

    [Fact]
    public async Task AUser_CreatesListsAndRevokesTheirOwnToken_AndTheRevokedTokenStopsWorking()
    {
        await _accounts.IssueTokenAsync("bob", "bobs", null);
        var alice = As(ServerCredentials.Basic("alice", AlicePassword));
        var identity = new RestIdentityStore(alice);

        var (token, secret) = await new RestAccountAdministration(alice).IssueTokenAsync("alice", "laptop", TimeSpan.FromDays(30));
        var withToken = new RestIdentityStore(As(ServerCredentials.Bearer(secret)));
        var signedIn = await withToken.GetUserAsync("alice");
        var own = await identity.ListTokensAsync();
        var revoked = await identity.RevokeTokenAsync(token.Id);
        var refused = await Assert.ThrowsAsync<CairnException>(() => withToken.GetUserAsync("alice"));

        Assert.Equal(("alice", "laptop"), (token.Username, token.Name));
        Assert.Equal("alice", signedIn.Username);
        Assert.Equal([token.Id], own.Select(t => t.Id));
        Assert.NotNull(revoked.RevokedTime);
        Assert.Equal(AuthenticationMiddleware.Unauthenticated, refused.ErrorCode);
    }

    [Fact]
    public async Task GroupMembershipAddedRemotely_GivesTheGroupsPermission_WithoutWaitingForTheCredentialCache()
    {
        var experiment = await _server.Store.CreateExperimentAsync("shared-" + Guid.NewGuid().ToString("N")[..8]);
        var admin = new RestIdentityStore(As(ServerCredentials.Basic("admin", AdminPassword)));
        var alice = new RestIdentityStore(As(ServerCredentials.Basic("alice", AlicePassword)));
        var grant = new ResourcePermission(ResourceTypes.Experiment, experiment, Principals.User("bob"), Permission.Edit);
        await admin.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, experiment, Principals.Group("ml-team"), Permission.Manage));

        await Denied(() => alice.SetPermissionAsync(grant)); // also puts alice, without the group, in the server's credential cache
        await admin.AddToGroupAsync("ml-team", "alice");
        await alice.SetPermissionAsync(grant);

        Assert.Equal(Permission.Edit, (await _server.Stores.Identity.GetPermissionAsync(ResourceTypes.Experiment, experiment, Principals.User("bob")))!.Permission);
        Assert.Contains(new ResourcePermission(ResourceTypes.Experiment, experiment, "user:bob", Permission.Edit), await alice.ListPermissionsAsync(ResourceTypes.Experiment, experiment));
        Assert.True(await admin.RemoveFromGroupAsync("ml-team", "alice"));
        await Denied(() => alice.DeletePermissionAsync(ResourceTypes.Experiment, experiment, Principals.User("bob")));
    }
}
