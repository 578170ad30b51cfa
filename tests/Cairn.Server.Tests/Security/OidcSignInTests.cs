using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Rest;
using Cairn.Security;
using Cairn.Server.Security;
using Cairn.Testing;

namespace Cairn.Server.Tests.Security;

/// <summary>
/// Single sign-on over a socket: JWTs from a provider the test makes (keys in a JWKS file) sign in
/// as Cairn users with the token's groups; every forged, stale or misdirected token is a 401.
/// </summary>
public sealed class OidcSignInTests : IAsyncLifetime
{
    private const string Search = "/api/2.0/mlflow/experiments/search?max_results=10";
    private readonly TestIdentityProvider _idp = new();
    private readonly TempFolder _folder = new();
    private RunningServer _server = null!;
    private AccountService _accounts = null!;

    public async Task InitializeAsync()
    {
        File.WriteAllText(_folder.File("jwks.json"), TestIdentityProvider.Jwks(_idp.RsaKey, _idp.EcKey));
        _server = await RunningServer.StartAsync((options, stores) =>
        {
            _accounts = new AccountService(stores.Identity, new PasswordHasher(iterations: 1_000));
            var oidc = new OidcOptions(_idp.Issuer, [TestIdentityProvider.Audience]) { JwksFile = _folder.File("jwks.json"), AdminGroup = "cairn-admins" };
            return options with { Authentication = new ServerAuthentication(_accounts, stores.Identity) { Oidc = new JwtAuthenticator(oidc, _accounts) } };
        });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _idp.DisposeAsync();
        _folder.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, string scheme, string credential, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, credential);
        using var response = await _server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private Task<(HttpStatusCode Status, JsonNode? Body)> BearerAsync(HttpMethod method, string path, string token, object? body = null) =>
        SendAsync(method, path, "Bearer", token, body);

    [Fact]
    public async Task AValidToken_MakesTheUserWithoutAPassword_AndItsGroupsDecideWhoManages()
    {
        await _accounts.CreateUserAsync("alice", "alice password 1");
        await _server.Stores.Identity.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, "7", Principals.Group("ml-team"), Permission.Manage));
        var carol = _idp.Token(_idp.Rsa, "carol", ["ml-team", "/not a cairn group", "ml-team"]);
        var dave = _idp.Token(_idp.Ec, "dave", ["sales"]);

        var search = await BearerAsync(HttpMethod.Get, Search, carol);
        var byMember = await BearerAsync(HttpMethod.Post, "/api/2.0/mlflow/experiments/permissions/create", carol, new { experiment_id = "7", username = "alice", permission = "READ" });
        var outsiderOn7 = await BearerAsync(HttpMethod.Patch, "/api/2.0/mlflow/experiments/permissions/update", dave, new { experiment_id = "7", username = "alice", permission = "EDIT" });
        var self = await BearerAsync(HttpMethod.Get, "/api/2.0/mlflow/users/get?username=carol", carol);
        var carolsPassword = await SendAsync(HttpMethod.Get, Search, "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("carol:" + PasswordHasher.NoPassword)));

        Assert.Equal(HttpStatusCode.OK, search.Status);
        Assert.Equal(HttpStatusCode.OK, byMember.Status);
        Assert.Equal(HttpStatusCode.Forbidden, outsiderOn7.Status);
        Assert.Equal("carol", self.Body!["user"]!["username"]!.GetValue<string>());
        Assert.Equal(PasswordHasher.NoPassword, await _server.Stores.Identity.GetPasswordHashAsync("carol"));
        Assert.Empty((await _server.Stores.Identity.GetUserAsync("carol")).Groups); // the token's groups are for its requests only
        Assert.Equal(HttpStatusCode.Unauthorized, carolsPassword.Status);
    }

    [Fact]
    public async Task TheAdminGroup_MakesAnAdmin_AndCairnsOwnTokensStillSignIn()
    {
        var (_, apiToken) = await _accounts.IssueTokenAsync((await _accounts.ExternalUserAsync("erin")).Username, "ci", null);

        var byAdmin = await BearerAsync(HttpMethod.Post, "/api/2.0/mlflow/users/create", _idp.Token(_idp.Rsa, "root", ["cairn-admins"]), new { username = "frank", password = "frank password 1" });
        var byMember = await BearerAsync(HttpMethod.Post, "/api/2.0/mlflow/users/create", _idp.Token(_idp.Rsa, "gina", ["ml-team"]), new { username = "hank", password = "hank password 12" });
        var withApiToken = await BearerAsync(HttpMethod.Get, Search, apiToken);

        Assert.Equal(HttpStatusCode.OK, byAdmin.Status);
        Assert.Equal(HttpStatusCode.Forbidden, byMember.Status);
        Assert.Equal(HttpStatusCode.OK, withApiToken.Status);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "expired", "expired" },
        { "wrong audience", "wrong audience" },
        { "wrong issuer", "wrong issuer" },
        { "another key", "bad signature" },
        { "alg none", "bad signature" },
        { "HS256 keyed with the public key", "bad signature" },
        { "garbage", "not a valid token" },
        { "bad user name", "is not a Cairn user name" },
    };

    private string Token(string kind) => kind switch
    {
        "expired" => _idp.Token(_idp.Rsa, expires: TimeSpan.FromMinutes(-5)),
        "wrong audience" => _idp.Token(_idp.Ec, audience: "another-app"),
        "wrong issuer" => _idp.Token(_idp.Rsa, issuer: "https://evil.example.test/realms/ml"),
        "another key" => _idp.Token(new(new Microsoft.IdentityModel.Tokens.RsaSecurityKey(RSA.Create(2048)) { KeyId = "rsa-1" }, "RS256")),
        "alg none" => _idp.Forged(new { alg = "none", typ = "JWT" }, _ => []),
        "HS256 keyed with the public key" => _idp.Forged(new { alg = "HS256", typ = "JWT", kid = "rsa-1" }, data => HMACSHA256.HashData(_idp.PublicPem, data)),
        "garbage" => "eyJub3QiOiJqc29u.bm90IGpzb24.c2ln",
        "bad user name" => _idp.Token(_idp.Rsa, username: "../" + new string('x', 300)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task ABadToken_Is401_SayingBrieflyWhy_AndSignsNobodyIn(string kind, string why)
    {
        var (status, body) = await BearerAsync(HttpMethod.Get, Search, Token(kind));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(AuthenticationMiddleware.Unauthenticated, body!["error_code"]!.GetValue<string>());
        var message = body["message"]!.GetValue<string>();
        Assert.StartsWith("Your bearer token was refused: ", message);
        Assert.Contains(why, message);
        Assert.DoesNotContain("IDX", message);
        Assert.Empty(await _server.Stores.Identity.ListUsersAsync());
    }

    [Fact]
    public async Task TheSdk_WithAJwtAsItsToken_LogsARun()
    {
        var jwt = _idp.Token(_idp.Ec, "ivan");
        string runId;
        using (var client = CairnClient.Open(_server.BaseUri.ToString(), credentials: ServerCredentials.FromEnvironment(name => name == ServerCredentials.TokenVariable ? jwt : null)))
        using (var run = client.StartRun("sso"))
        {
            run.LogMetric("auc", 0.75);
            runId = run.RunId;
        }

        Assert.Equal(0.75, (await _server.Store.GetRunAsync(runId)).Data.Metrics.Single().Value);
        Assert.Equal("ivan", (await _server.Stores.Identity.GetUserAsync("ivan")).Username);
    }
}
