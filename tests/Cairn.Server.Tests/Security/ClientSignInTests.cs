using Cairn.Rest;
using Cairn.Security;
using Cairn.Server.Security;
using Cairn.Testing;

namespace Cairn.Server.Tests.Security;

/// <summary>Cairn's own SDK and CLI against a server with --auth: credentials given, or read from the environment as MLflow's clients read them.</summary>
public sealed class ClientSignInTests : IAsyncLifetime
{
    private RunningServer _server = null!;
    private AccountService _accounts = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync((options, stores) =>
        {
            _accounts = new AccountService(stores.Identity, new PasswordHasher(iterations: 1_000));
            return options with { Authentication = new ServerAuthentication(_accounts, stores.Identity) };
        });
        await _accounts.CreateUserAsync("alice", "alice password 1");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheSdk_WithAToken_LogsARun_AndWithAWrongPasswordIsRefusedAsUnauthenticated()
    {
        var (_, secret) = await _accounts.IssueTokenAsync("alice", "sdk", null);
        string runId;
        using (var client = CairnClient.Open(_server.BaseUri.ToString(), credentials: ServerCredentials.Bearer(secret)))
        using (var run = client.StartRun("signed-in"))
        {
            run.LogMetric("auc", 0.9);
            runId = run.RunId;
        }
        using var wrong = CairnClient.Open(_server.BaseUri.ToString(), credentials: ServerCredentials.Basic("alice", "not her password"));

        var refused = await Assert.ThrowsAsync<CairnException>(() => wrong.Tracking.GetRunAsync(runId));

        Assert.Equal(0.9, (await _server.Store.GetRunAsync(runId)).Data.Metrics.Single().Value);
        Assert.Equal(AuthenticationMiddleware.Unauthenticated, refused.ErrorCode);
        Assert.DoesNotContain("not her password", refused.Message);
    }

    [Fact]
    public async Task TheCli_ReadsCairnsOrMlflowsVariables_AndWithoutThemSaysItIsNotSignedIn()
    {
        var (_, secret) = await _accounts.IssueTokenAsync("alice", "cli", null);
        string[] list = ["experiments", "list", "--tracking-uri", _server.BaseUri.ToString()];

        using var token = ChildProcess.StartDll("cairn.dll", list, new Dictionary<string, string> { [ServerCredentials.TokenVariable] = secret });
        using var basic = ChildProcess.StartDll("cairn.dll", list, new Dictionary<string, string>
            { [ServerCredentials.MlflowUsernameVariable] = "alice", [ServerCredentials.MlflowPasswordVariable] = "alice password 1" });
        using var none = ChildProcess.StartDll("cairn.dll", list);

        Assert.Equal(0, await token.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, await basic.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(2, await none.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("You are not signed in", none.StandardError);
        Assert.DoesNotContain("   at ", none.StandardError);
    }

    [Fact]
    public void FromEnvironment_PrefersCairnsToken_ThenMlflowsToken_ThenBasic()
    {
        static string? Shown(Dictionary<string, string> variables) => ServerCredentials.FromEnvironment(name => variables.GetValueOrDefault(name))?.ToString();

        Assert.Equal("Bearer credentials", Shown(new() { [ServerCredentials.TokenVariable] = "cairn_x", [ServerCredentials.MlflowUsernameVariable] = "alice" }));
        Assert.Equal("Bearer credentials", Shown(new() { [ServerCredentials.MlflowTokenVariable] = "t", [ServerCredentials.MlflowUsernameVariable] = "alice" }));
        Assert.Equal("Basic credentials", Shown(new() { [ServerCredentials.MlflowUsernameVariable] = "alice", [ServerCredentials.MlflowPasswordVariable] = "pw" }));
        Assert.Null(Shown([]));
    }
}
