using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Cairn.Cli;
using Cairn.Testing;

namespace Cairn.Server.Tests.Security;

/// <summary><c>cairn server --auth</c> as a user starts it: the first admin, sign-in over a socket, and what it refuses to start with.</summary>
public sealed partial class ServerCommandAuthTests
{
    private static async Task<(int Exit, string Err)> ServerAsync(params string[] args)
    {
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["server", "--port", "0", "--no-scheduler", .. args], new StringWriter(), stderr);
        return (exit, stderr.ToString());
    }

    [Fact]
    public async Task Auth_WithTheFirstAdminFromTheEnvironment_SignsInOnlyWithTheirPassword()
    {
        using var folder = new TempFolder();
        using var process = ChildProcess.StartDll("cairn.dll", ["server", "--port", "0", "--backend-store-uri", folder.File("store"), "--no-scheduler", "--auth", "--admin-user", "root"],
            new Dictionary<string, string> { ["CAIRN_ADMIN_PASSWORD"] = "root password 123" });
        var line = await process.WaitForLineAsync(l => l.Contains("listening on"), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(ListeningOn().Match(line).Groups[1].Value) };
        HttpRequestMessage Search(string? password) => new(HttpMethod.Get, "/api/2.0/mlflow/experiments/search?max_results=1")
        {
            Headers = { Authorization = password is null ? null : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("root:" + password))) },
        };

        using var anonymous = await http.SendAsync(Search(null));
        using var wrong = await http.SendAsync(Search("root password 124"));
        using var right = await http.SendAsync(Search("root password 123"));
        using var signInPage = await http.GetAsync("/signin");

        Assert.Contains("Created the first admin, root.", process.StandardOutput);
        Assert.Contains("with sign-in required", line);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.DoesNotContain("root password", process.StandardOutput + process.StandardError);
        // The sign-in form's antiforgery token made the first key, kept beside the embedded store.
        Assert.Equal(HttpStatusCode.OK, signInPage.StatusCode);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(folder.File("store"), "session-keys")));
    }

    [Fact]
    public async Task ANonLoopbackAddressWithoutAuth_IsRefused_UnlessAnonymousIsAllowedOutright()
    {
        using var folder = new TempFolder();

        var (exit, err) = await ServerAsync("--host", "0.0.0.0", "--backend-store-uri", folder.File("store"));

        Assert.Equal(2, exit);
        Assert.Contains("add --auth (sign-in required), or --allow-anonymous", err);
    }

    [Fact]
    public async Task AuthWithNobodyToSignIn_IsRefused()
    {
        using var folder = new TempFolder();

        var none = await ServerAsync("--auth", "--backend-store-uri", folder.File("store"));
        var noPassword = await ServerAsync("--auth", "--admin-user", "root", "--backend-store-uri", folder.File("store"));
        var withoutAuth = await ServerAsync("--admin-user", "root", "--backend-store-uri", folder.File("store"));
        var keysWithoutAuth = await ServerAsync("--session-keys", folder.File("keys"), "--backend-store-uri", folder.File("store"));

        Assert.Equal(2, none.Exit);
        Assert.Contains("--auth with no users", none.Err);
        Assert.Equal(2, noPassword.Exit);
        Assert.Contains("$CAIRN_ADMIN_PASSWORD", noPassword.Err);
        Assert.Equal(2, withoutAuth.Exit);
        Assert.Contains("--admin-user needs --auth", withoutAuth.Err);
        Assert.Equal(2, keysWithoutAuth.Exit);
        Assert.Contains("--session-keys needs --auth", keysWithoutAuth.Err);
    }

    [Fact]
    public async Task AnUnknownDefaultPermission_IsRefused_NamingTheValidOnes()
    {
        using var folder = new TempFolder();

        var (exit, err) = await ServerAsync("--auth", "--default-permission", "WRITE", "--backend-store-uri", folder.File("store"));

        Assert.Equal(2, exit);
        Assert.Contains("'WRITE' is not a permission; use one of NO_PERMISSIONS, READ, EDIT, MANAGE", err);
    }

    [GeneratedRegex(@"listening on (http://[^\s]+)")]
    private static partial Regex ListeningOn();
}
