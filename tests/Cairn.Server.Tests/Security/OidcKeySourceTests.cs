using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cairn.Cli;
using Cairn.Security;
using Cairn.Server.Security;
using Cairn.Testing;

namespace Cairn.Server.Tests.Security;

/// <summary>
/// Where single sign-on gets its keys and how long it remembers a sign-in: the issuer's metadata
/// served on 127.0.0.1 (keys rotated, one revoked), a JWKS file given to <c>cairn server</c>, and
/// a remembered JWT that expires.
/// </summary>
public sealed partial class OidcKeySourceTests
{
    private const string Search = "/api/2.0/mlflow/experiments/search?max_results=1";

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static async Task<(HttpStatusCode Status, string Message)> SearchAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Search) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.IsSuccessStatusCode ? "" : JsonNode.Parse(body)!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task KeysFromTheIssuersMetadata_SignIn_FollowARotation_AndARevokedKeyIsRefused()
    {
        await using var idp = new TestIdentityProvider();
        await idp.ServeAsync();
        idp.PublishedJwks = TestIdentityProvider.Jwks(idp.RsaKey);
        await using var server = await RunningServer.StartAsync((options, stores) =>
        {
            var accounts = new AccountService(stores.Identity, new PasswordHasher(1_000));
            var oidc = new OidcOptions(idp.Issuer, [TestIdentityProvider.Audience]) { KeyRefreshInterval = TimeSpan.FromSeconds(1) };
            return options with { Authentication = new ServerAuthentication(accounts, stores.Identity) { Oidc = new JwtAuthenticator(oidc, accounts), CredentialCacheTime = TimeSpan.Zero } };
        });
        var byRsa = idp.Token(idp.Rsa);
        var byEc = idp.Token(idp.Ec);

        var before = await SearchAsync(server.Http, byRsa);
        // The provider revokes its RSA key and publishes an EC one: a token naming the new key makes the server look again.
        idp.PublishedJwks = TestIdentityProvider.Jwks(idp.EcKey);
        var rotated = await SearchAsync(server.Http, byEc);
        for (var attempt = 0; attempt < 50 && rotated.Status != HttpStatusCode.OK; attempt++)
        {
            await Task.Delay(200);
            rotated = await SearchAsync(server.Http, byEc);
        }
        var revoked = await SearchAsync(server.Http, byRsa);

        Assert.Equal(HttpStatusCode.OK, before.Status);
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.Status);
        Assert.Contains("bad signature", revoked.Message);
    }

    [Fact]
    public async Task ARememberedJwt_IsForgottenWhenItExpires_ThoughTheCacheTimeIsLonger()
    {
        await using var idp = new TestIdentityProvider();
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("jwks.json"), TestIdentityProvider.Jwks(idp.RsaKey));
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync((options, stores) =>
        {
            var accounts = new AccountService(stores.Identity, new PasswordHasher(1_000));
            var oidc = new OidcOptions(idp.Issuer, [TestIdentityProvider.Audience]) { JwksFile = folder.File("jwks.json"), ClockSkew = TimeSpan.Zero };
            return options with
            {
                Time = clock,
                Authentication = new ServerAuthentication(accounts, stores.Identity) { Oidc = new JwtAuthenticator(oidc, accounts, clock), CredentialCacheTime = TimeSpan.FromHours(1) },
            };
        });
        var token = idp.Token(idp.Rsa, expires: TimeSpan.FromMinutes(5), now: clock.Now);

        var fresh = await SearchAsync(server.Http, token);
        clock.Now += TimeSpan.FromMinutes(4);
        var remembered = await SearchAsync(server.Http, token);
        clock.Now += TimeSpan.FromMinutes(2);
        var expired = await SearchAsync(server.Http, token);

        Assert.Equal(HttpStatusCode.OK, fresh.Status);
        Assert.Equal(HttpStatusCode.OK, remembered.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Contains("expired", expired.Message);
    }

    [Fact]
    public async Task PlainHttpMetadataAwayFromLoopback_IsRefused()
    {
        using var folder = new TempFolder();
        using var stores = new Cairn.Storage.Sqlite.SqliteStores(folder.File("cairn.db"));
        var accounts = new AccountService(stores.Identity);

        var error = Assert.Throws<CairnException>(() => new JwtAuthenticator(new OidcOptions("http://idp.example.test", ["cairn"]), accounts));

        Assert.Contains("must use https", error.Message);
    }

    private static async Task<(int Exit, string Err)> ServerAsync(params string[] args)
    {
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["server", "--port", "0", "--no-scheduler", .. args], new StringWriter(), stderr);
        return (exit, stderr.ToString());
    }

    [Fact]
    public async Task TheServerCommand_RefusesBadOidcOptions_WithAClearError()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("not-json.json"), "keys: none");
        string[] store = ["--backend-store-uri", folder.File("store")];

        var missing = await ServerAsync([.. store, "--auth", "--oidc-issuer", "https://idp.example.test", "--oidc-audience", "cairn", "--oidc-jwks", folder.File("absent.json")]);
        var notJson = await ServerAsync([.. store, "--auth", "--oidc-issuer", "https://idp.example.test", "--oidc-audience", "cairn", "--oidc-jwks", folder.File("not-json.json")]);
        var notUrl = await ServerAsync([.. store, "--auth", "--oidc-issuer", "idp.example.test", "--oidc-audience", "cairn"]);
        var noAudience = await ServerAsync([.. store, "--auth", "--oidc-issuer", "https://idp.example.test"]);
        var noAuth = await ServerAsync([.. store, "--oidc-issuer", "https://idp.example.test", "--oidc-audience", "cairn"]);

        Assert.Equal((2, true), (missing.Exit, missing.Err.Contains("does not exist")));
        Assert.Equal((2, true), (notJson.Exit, notJson.Err.Contains("is not a JSON Web Key Set")));
        Assert.Equal((2, true), (notUrl.Exit, notUrl.Err.Contains("is not an http(s) URL")));
        Assert.Equal((2, true), (noAudience.Exit, noAudience.Err.Contains("needs --oidc-audience")));
        Assert.Equal((2, true), (noAuth.Exit, noAuth.Err.Contains("--oidc-issuer needs --auth")));
        Assert.DoesNotContain("   at ", missing.Err + notJson.Err + notUrl.Err + noAudience.Err + noAuth.Err);
    }

    [Fact]
    public async Task TheServerCommand_WithOidcAndNoUsers_Starts_AndSignsInTheProvidersUsers()
    {
        await using var idp = new TestIdentityProvider();
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("jwks.json"), TestIdentityProvider.Jwks(idp.RsaKey, idp.EcKey));
        using var process = ChildProcess.StartDll("cairn.dll", ["server", "--port", "0", "--backend-store-uri", folder.File("store"), "--no-scheduler", "--auth",
            "--oidc-issuer", idp.Issuer, "--oidc-audience", TestIdentityProvider.Audience, "--oidc-jwks", folder.File("jwks.json"), "--oidc-admin-group", "cairn-admins"]);
        var line = await process.WaitForLineAsync(l => l.Contains("listening on"), TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = new Uri(ListeningOn().Match(line).Groups[1].Value) };

        var signedIn = await SearchAsync(http, idp.Token(idp.Ec, "root", ["cairn-admins"]));
        var wrongAudience = await SearchAsync(http, idp.Token(idp.Ec, "root", audience: "other"));

        Assert.Equal(HttpStatusCode.OK, signedIn.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAudience.Status);
        Assert.Contains("wrong audience", wrongAudience.Message);
    }

    [GeneratedRegex(@"listening on (http://[^\s]+)")]
    private static partial Regex ListeningOn();
}
