using Cairn.Rest;
using Cairn.Security;
using Cairn.Server.Security;
using Cairn.Testing;

namespace Cairn.Server.Tests.Security;

/// <summary>
/// `cairn login` and `cairn logout` against a server with --auth, each run as its own process with
/// its own XDG_CONFIG_HOME, so that no test touches the user's real credentials or another test's.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes
public sealed class LoginTests : IAsyncLifetime
{
    private readonly TempFolder _config = new();
    private RunningServer _server = null!;
    private AccountService _accounts = null!;

    private string CredentialsPath => Path.Combine(_config.Path, "cairn", "credentials.json");

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync((options, stores) =>
        {
            _accounts = new AccountService(stores.Identity, new PasswordHasher(iterations: 1_000));
            return options with { Authentication = new ServerAuthentication(_accounts, stores.Identity) };
        });
        await _accounts.CreateUserAsync("alice", "alice password 1");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _config.Dispose();
    }

    private async Task<(int Exit, string Out, string Err)> CairnAsync(params string[] args)
    {
        using var process = ChildProcess.StartDll("cairn.dll", [.. args, "--tracking-uri", _server.BaseUri.ToString()],
            new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = _config.Path });
        var exit = await process.WaitAsync(TimeSpan.FromSeconds(60));
        return (exit, process.StandardOutput, process.StandardError);
    }

    private async Task<string> TokenFileAsync(string? secret = null)
    {
        secret ??= (await _accounts.IssueTokenAsync("alice", "login", null)).Secret;
        var file = _config.File($"token-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, secret + "\n");
        return file;
    }

    [Fact]
    public async Task Login_KeepsTheTokenReadableByTheUserOnly_AndTheCliThenSignsInWithoutVariables()
    {
        var tokenFile = await TokenFileAsync();
        var secret = File.ReadAllText(tokenFile).Trim();

        var login = await CairnAsync("login", "--token-file", tokenFile);
        var list = await CairnAsync("experiments", "list");

        Assert.Equal(0, login.Exit);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CredentialsPath));
        Assert.DoesNotContain(secret, login.Out + login.Err);
        Assert.Equal(0, list.Exit);
        Assert.DoesNotContain(secret, list.Out + list.Err);
    }

    [Fact]
    public async Task AWrongToken_FailsTheLogin_AndStoresNothing()
    {
        var login = await CairnAsync("login", "--token-file", await TokenFileAsync("not-a-real-token"));

        Assert.Equal(2, login.Exit);
        Assert.Contains("did not accept this token", login.Err);
        Assert.False(File.Exists(CredentialsPath));
    }

    [Fact]
    public async Task ACredentialsFileOthersCanRead_IsRefused()
    {
        Assert.Equal(0, (await CairnAsync("login", "--token-file", await TokenFileAsync())).Exit);
        File.SetUnixFileMode(CredentialsPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var list = await CairnAsync("experiments", "list");

        Assert.Equal(2, list.Exit);
        Assert.Contains("other users can read or change it", list.Err);
        Assert.Contains("chmod 600", list.Err);
    }

    [Fact]
    public async Task Logout_ForgetsTheToken()
    {
        Assert.Equal(0, (await CairnAsync("login", "--token-file", await TokenFileAsync())).Exit);

        var logout = await CairnAsync("logout");
        var list = await CairnAsync("experiments", "list");

        Assert.Equal(0, logout.Exit);
        Assert.Contains("Logged out of", logout.Out);
        Assert.Equal(2, list.Exit);
        Assert.Contains("You are not signed in", list.Err);
    }

    [Fact]
    public async Task TheSdk_FindsTheStoredToken_WhateverTheTrailingSlash_AndPrefersTheEnvironment()
    {
        var (_, secret) = await _accounts.IssueTokenAsync("alice", "sdk", null);
        var withSlash = new Uri(_server.BaseUri.ToString().TrimEnd('/') + "/");
        var withoutSlash = new Uri(_server.BaseUri.ToString().TrimEnd('/'));
        new CredentialsFile(CredentialsPath).Store(withSlash, secret);
        string? Config(string name) => name == "XDG_CONFIG_HOME" ? _config.Path : null;
        string? ConfigAndBasic(string name) => name switch { "XDG_CONFIG_HOME" => _config.Path, ServerCredentials.MlflowUsernameVariable => "alice", _ => null };

        using var client = CairnClient.Open(withoutSlash.ToString(), credentials: ServerCredentials.ForServer(withoutSlash, Config));
        var experiments = await client.Tracking.SearchExperimentsAsync(new Cairn.Tracking.ExperimentQuery());

        Assert.NotNull(experiments);
        Assert.Equal("Basic credentials", ServerCredentials.ForServer(withoutSlash, ConfigAndBasic)!.ToString());
        Assert.Null(ServerCredentials.ForServer(new Uri("http://127.0.0.1:1"), Config));
    }

    [Fact]
    public void ACredentialsFileThatIsNotJson_IsAClearError()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(CredentialsPath)!);
        File.WriteAllText(CredentialsPath, "{ not json");
        File.SetUnixFileMode(CredentialsPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<CairnException>(() => ServerCredentials.ForServer(_server.BaseUri, name => name == "XDG_CONFIG_HOME" ? _config.Path : null));

        Assert.Contains("is not a Cairn credentials file", error.Message);
    }
}
