using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cairn.Security;
using Cairn.Server.Security;
using Cairn.Testing;

namespace Cairn.Server.Tests.Security;

/// <summary><c>--auth</c> over a socket: HTTP basic and bearer tokens signed in against a real SQLite identity store, everything else refused.</summary>
public sealed class SignInTests : IAsyncLifetime
{
    private const string Search = "/api/2.0/mlflow/experiments/search?max_results=10";
    private RunningServer _server = null!;
    private AccountService _accounts = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync((options, stores) =>
        {
            _accounts = new AccountService(stores.Identity, new PasswordHasher(iterations: 1_000));
            // No remembered credentials: every request is checked against the store, so revocations show at once.
            return options with { Authentication = new ServerAuthentication(_accounts, stores.Identity) { CredentialCacheTime = TimeSpan.Zero } };
        });
        await _accounts.CreateUserAsync("admin", "admin password 1", isAdmin: true);
        await _accounts.CreateUserAsync("alice", "alice password 1");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, AuthenticationHeaderValue? credentials, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = credentials;
        return await _server.Http.SendAsync(request);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static async Task<string> ErrorCodeAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error_code"]!.GetValue<string>();

    [Fact]
    public async Task NoCredentials_Is401WithABasicChallenge_ButTheProbesAnswer()
    {
        using var refused = await SendAsync(HttpMethod.Get, Search, null);
        using var health = await SendAsync(HttpMethod.Get, "/health", null);
        using var page = await SendAsync(HttpMethod.Get, "/", null);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(AuthenticationMiddleware.Unauthenticated, await ErrorCodeAsync(refused));
        Assert.Equal("Basic", refused.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
    }

    [Theory]
    [InlineData("Basic", "YWxpY2U6d3Jvbmc=")] // alice:wrong
    [InlineData("Basic", "not base64!")]
    [InlineData("Basic", "bm9jb2xvbg==")] // nocolon
    [InlineData("Basic", "/w==")] // not UTF-8
    [InlineData("Bearer", "cairn_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("Bearer", "eyJhbGciOiJub25lIn0.e30.")]
    [InlineData("Digest", "username=alice")]
    public async Task WrongOrMalformedCredentials_Are401NeverAServerError(string scheme, string credential)
    {
        using var response = await SendAsync(HttpMethod.Get, Search, new AuthenticationHeaderValue(scheme, credential));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(AuthenticationMiddleware.Unauthenticated, await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task BasicCredentials_AsMlflowClientsSendThem_SignIn()
    {
        using var response = await SendAsync(HttpMethod.Get, Search, Basic("alice", "alice password 1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ABearerToken_SignsIn_UntilRevoked()
    {
        var (token, secret) = await _accounts.IssueTokenAsync("alice", "ci", TimeSpan.FromDays(1));
        using var before = await SendAsync(HttpMethod.Get, Search, new AuthenticationHeaderValue("Bearer", secret));

        await _server.Stores.Identity.RevokeTokenAsync(token.Id);
        using var after = await SendAsync(HttpMethod.Get, Search, new AuthenticationHeaderValue("Bearer", secret));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task UsersApi_AdminsCreateAndDelete_OthersAre403()
    {
        using var byAlice = await SendAsync(HttpMethod.Post, "/api/2.0/mlflow/users/create", Basic("alice", "alice password 1"), new { username = "bob", password = "bob password 12" });
        using var byAdmin = await SendAsync(HttpMethod.Post, "/api/2.0/mlflow/users/create", Basic("admin", "admin password 1"), new { username = "bob", password = "bob password 12" });
        using var bobSignsIn = await SendAsync(HttpMethod.Get, Search, Basic("bob", "bob password 12"));
        using var promoteByAlice = await SendAsync(HttpMethod.Patch, "/api/2.0/mlflow/users/update-admin", Basic("alice", "alice password 1"), new { username = "alice", is_admin = true });
        using var deleteByAdmin = await SendAsync(HttpMethod.Delete, "/api/2.0/mlflow/users/delete", Basic("admin", "admin password 1"), new { username = "bob" });
        using var bobAfter = await SendAsync(HttpMethod.Get, Search, Basic("bob", "bob password 12"));

        Assert.Equal(HttpStatusCode.Forbidden, byAlice.StatusCode);
        Assert.Equal(ErrorCodes.PermissionDenied, await ErrorCodeAsync(byAlice));
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        var user = JsonNode.Parse(await byAdmin.Content.ReadAsStringAsync())!["user"]!;
        Assert.Equal(("bob", false), (user["username"]!.GetValue<string>(), user["is_admin"]!.GetValue<bool>()));
        Assert.Null(user["password"]);
        Assert.Equal(HttpStatusCode.OK, bobSignsIn.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, promoteByAlice.StatusCode);
        Assert.False((await _server.Stores.Identity.GetUserAsync("alice")).IsAdmin);
        Assert.Equal(HttpStatusCode.OK, deleteByAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bobAfter.StatusCode);
    }

    [Fact]
    public async Task UsersApi_AUserReadsAndChangesOnlyTheirOwnAccount()
    {
        using var own = await SendAsync(HttpMethod.Get, "/api/2.0/mlflow/users/get?username=alice", Basic("alice", "alice password 1"));
        using var other = await SendAsync(HttpMethod.Get, "/api/2.0/mlflow/users/get?username=admin", Basic("alice", "alice password 1"));
        using var othersPassword = await SendAsync(HttpMethod.Patch, "/api/2.0/mlflow/users/update-password", Basic("alice", "alice password 1"), new { username = "admin", password = "taken over pw1" });
        using var changed = await SendAsync(HttpMethod.Patch, "/api/2.0/mlflow/users/update-password", Basic("alice", "alice password 1"), new { username = "alice", password = "alice password 2" });
        using var oldPassword = await SendAsync(HttpMethod.Get, Search, Basic("alice", "alice password 1"));
        using var newPassword = await SendAsync(HttpMethod.Get, Search, Basic("alice", "alice password 2"));
        using var tooShort = await SendAsync(HttpMethod.Patch, "/api/2.0/mlflow/users/update-password", Basic("alice", "alice password 2"), new { username = "alice", password = "short" });

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal("alice", JsonNode.Parse(await own.Content.ReadAsStringAsync())!["user"]!["username"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, othersPassword.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newPassword.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);
        Assert.DoesNotContain("short", JsonNode.Parse(await tooShort.Content.ReadAsStringAsync())!["message"]!.GetValue<string>().Replace("shortest", ""));
    }
}

/// <summary>The remembered credentials: a password changed through the server stops working at once, even while remembered.</summary>
public sealed class CredentialCacheTests
{
    [Fact]
    public async Task APasswordChangedThroughTheServer_IsForgottenAtOnce_DespiteTheCache()
    {
        AccountService accounts = null!;
        await using var server = await RunningServer.StartAsync((options, stores) =>
        {
            accounts = new AccountService(stores.Identity, new PasswordHasher(iterations: 1_000));
            return options with { Authentication = new ServerAuthentication(accounts, stores.Identity) { CredentialCacheTime = TimeSpan.FromMinutes(10) } };
        });
        await accounts.CreateUserAsync("alice", "alice password 1");
        HttpRequestMessage Get(string password) => new(HttpMethod.Get, "/api/2.0/mlflow/experiments/search?max_results=1")
            { Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + password))) } };

        using var first = await server.Http.SendAsync(Get("alice password 1"));
        await server.Stores.Identity.UpdatePasswordHashAsync("alice", new PasswordHasher(1_000).Hash("changed behind its back"));
        using var remembered = await server.Http.SendAsync(Get("alice password 1"));
        using var change = new HttpRequestMessage(HttpMethod.Patch, "/api/2.0/mlflow/users/update-password")
        {
            Content = JsonContent.Create(new { username = "alice", password = "alice password 2" }),
            Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:alice password 1"))) },
        };
        using var changed = await server.Http.SendAsync(change);
        using var forgotten = await server.Http.SendAsync(Get("alice password 1"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, remembered.StatusCode); // a change made elsewhere shows within the cache time
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forgotten.StatusCode);
    }
}
