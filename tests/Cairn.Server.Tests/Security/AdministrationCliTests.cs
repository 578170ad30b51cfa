using Cairn.Rest;
using Cairn.Security;
using Cairn.Testing;

namespace Cairn.Server.Tests.Security;

/// <summary>
/// cairn users, tokens, groups and permissions against a server's address, signed in from the
/// environment. Run as child processes: the credentials are environment variables, which an
/// in-process run would share with every other test.
/// </summary>
public sealed class AdministrationCliTests : IAsyncLifetime
{
    private RunningServer _server = null!;
    private AccountService _accounts = null!;
    private readonly TempFolder _folder = new();

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync((options, stores) =>
        {
            _accounts = new AccountService(stores.Identity, new PasswordHasher(iterations: 1_000));
            return options with { Authentication = new Cairn.Server.Security.ServerAuthentication(_accounts, stores.Identity) };
        });
        await _accounts.CreateUserAsync("admin", "admin password 1", isAdmin: true);
        await _accounts.CreateUserAsync("alice", "alice password 1");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private async Task<(int Exit, string Out, string Err)> Cairn(Dictionary<string, string> environment, params string[] args)
    {
        // No credentials file of the machine's user: only what the test gives.
        environment["XDG_CONFIG_HOME"] = _folder.Path;
        using var cli = ChildProcess.StartDll("cairn.dll", [.. args, "--tracking-uri", _server.BaseUri.ToString()], environment);
        var exit = await cli.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.DoesNotContain("   at ", cli.StandardError);
        return (exit, cli.StandardOutput, cli.StandardError);
    }

    private string PasswordFile(string password)
    {
        var file = _folder.File($"pw-{Guid.NewGuid():N}.txt");
        File.WriteAllText(file, password + "\n");
        return file;
    }

    [Fact]
    public async Task AnAdmin_CreatesAUser_PutsThemInAGroup_AndGrantsTheGroup()
    {
        var (_, secret) = await _accounts.IssueTokenAsync("admin", "cli", null);
        var admin = new Dictionary<string, string> { [ServerCredentials.TokenVariable] = secret };
        var experiment = await _server.Store.CreateExperimentAsync("cli-" + Guid.NewGuid().ToString("N")[..8]);

        var created = await Cairn(admin, "users", "create", "carol", "--password-file", PasswordFile("carol password 1"));
        var added = await Cairn(admin, "groups", "add", "ml-team", "carol");
        var granted = await Cairn(admin, "permissions", "grant", "MANAGE", "--experiment", experiment, "--group", "ml-team");
        var groups = await Cairn(admin, "groups", "list", "ml-team", "-o", "json");
        var permissions = await Cairn(admin, "permissions", "list", "--experiment", experiment, "-o", "json");

        Assert.True(created.Exit == 0, created.Err);
        Assert.True(added.Exit == 0, added.Err);
        Assert.True(granted.Exit == 0, granted.Err);
        Assert.NotNull(await _accounts.SignInAsync("carol", "carol password 1"));
        Assert.Equal(["ml-team"], (await _server.Stores.Identity.GetUserAsync("carol")).Groups);
        Assert.Contains("\"carol\"", groups.Out);
        Assert.Contains("\"principal\": \"group:ml-team\"", permissions.Out);
        Assert.Equal(Permission.Manage, (await _server.Stores.Identity.GetPermissionAsync(ResourceTypes.Experiment, experiment, "group:ml-team"))!.Permission);
    }

    [Fact]
    public async Task AUser_ManagesTheirOwnTokens_ButIsRefusedAdminWork_AndNoCredentialsSaySo()
    {
        await _accounts.IssueTokenAsync("admin", "admins", null);
        var alice = new Dictionary<string, string>
            { [ServerCredentials.MlflowUsernameVariable] = "alice", [ServerCredentials.MlflowPasswordVariable] = "alice password 1" };

        var created = await Cairn(alice, "tokens", "create", "--user", "alice", "--name", "laptop");
        var listed = await Cairn(alice, "tokens", "list", "-o", "json");
        var id = (await _server.Stores.Identity.ListTokensAsync("alice")).Single().Id;
        var revoked = await Cairn(alice, "tokens", "revoke", id);
        var newUser = await Cairn(alice, "users", "create", "mallory", "--password-file", PasswordFile("a long password 1"));
        var nobody = await Cairn([], "users", "list");

        Assert.True(created.Exit == 0, created.Err);
        Assert.StartsWith(ApiTokenSecrets.Prefix, created.Out);
        Assert.Contains("laptop", listed.Out);
        Assert.DoesNotContain("admins", listed.Out);
        Assert.True(revoked.Exit == 0, revoked.Err);
        Assert.NotNull((await _server.Stores.Identity.ListTokensAsync("alice")).Single().RevokedTime);
        Assert.Equal(2, newUser.Exit);
        Assert.Contains("refused: Only an admin", newUser.Err);
        Assert.Equal(2, nobody.Exit);
        Assert.Contains("did not sign you in", nobody.Err);
        Assert.Contains(ServerCredentials.TokenVariable, nobody.Err);
    }
}
