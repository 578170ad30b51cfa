using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cairn.Security;
using Cairn.Server.Security;
using Cairn.Testing;

namespace Cairn.Server.Tests.Security;

/// <summary>The web UI's sign-in over a socket: the form, its antiforgery token, the session cookie and where it counts, the throttle, and the admin pages.</summary>
public sealed partial class UiSignInTests : IAsyncLifetime
{
    private const string Search = "/api/2.0/mlflow/experiments/search?max_results=10";
    private RunningServer _server = null!;
    private AccountService _accounts = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync((options, stores) =>
        {
            _accounts = new AccountService(stores.Identity, new PasswordHasher(iterations: 1_000));
            return options with { Authentication = new ServerAuthentication(_accounts, stores.Identity) };
        });
        await _accounts.CreateUserAsync("admin", "admin password 1", isAdmin: true);
        await _accounts.CreateUserAsync("alice", "alice password 1");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>A browser-like client: keeps cookies, does not follow redirects, asks for HTML.</summary>
    private HttpClient Browser()
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = _server.BaseUri };
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static async Task<string> AntiforgeryTokenAsync(HttpClient browser, string page)
    {
        var html = await browser.GetStringAsync(page);
        return WebUtility.HtmlDecode(AntiforgeryField().Match(html).Groups[1].Value);
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string path, string handler, string? token, params (string Name, string Value)[] fields)
    {
        var values = new List<KeyValuePair<string, string>> { new("_handler", handler) };
        if (token is not null) values.Add(new("__RequestVerificationToken", token));
        values.AddRange(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));
        return await browser.PostAsync(path, new FormUrlEncodedContent(values));
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient browser, string user, string password, string returnTo = "")
    {
        var page = "/signin" + (returnTo.Length > 0 ? "?return=" + Uri.EscapeDataString(returnTo) : "");
        var token = await AntiforgeryTokenAsync(browser, page);
        return await PostFormAsync(browser, page, "signin", token, ("username", user), ("password", password));
    }

    /// <summary>The path and query a redirect leads to; fails the test when it leaves this server.</summary>
    private string LocalTarget(HttpResponseMessage redirect)
    {
        var target = new Uri(_server.BaseUri, redirect.Headers.Location!);
        Assert.Equal(_server.BaseUri.GetLeftPart(UriPartial.Authority), target.GetLeftPart(UriPartial.Authority));
        return target.PathAndQuery;
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private async Task<HttpResponseMessage> AsAdminAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = Basic("admin", "admin password 1");
        return await _server.Http.SendAsync(request);
    }

    [Fact]
    public async Task SigningIn_SetsAStrictHttpOnlyCookie_ThatOpensThePagesWithTheUsersName()
    {
        using var browser = Browser();
        using var signedIn = await SignInAsync(browser, "alice", "alice password 1");

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/", LocalTarget(signedIn));
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("cairn_session=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=strict", cookie);
        Assert.Contains("path=/", cookie);
        using var page = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Signed in as <strong>alice</strong>", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheCookie_IsNotAcceptedByTheApi()
    {
        using var browser = Browser();
        (await SignInAsync(browser, "alice", "alice password 1")).Dispose();

        using var api = await browser.GetAsync(Search);
        using var ajax = await browser.GetAsync("/ajax-api/2.0/mlflow/experiments/search?max_results=10");

        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, ajax.StatusCode);
    }

    [Fact]
    public async Task PostingTheForm_WithoutTheAntiforgeryToken_Is400_AndSignsNobodyIn()
    {
        using var browser = Browser();
        await browser.GetStringAsync("/signin");

        using var posted = await PostFormAsync(browser, "/signin", "signin", null, ("username", "alice"), ("password", "alice password 1"));

        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        Assert.False(posted.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("cairn_session=", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("//evil.example", "/")]
    [InlineData("https://evil.example", "/")]
    [InlineData("/\\evil", "/")]
    [InlineData("/\\/evil.example", "/")]
    [InlineData("javascript:alert(1)", "/")]
    [InlineData("/runs/abc?x=1", "/runs/abc?x=1")]
    public async Task TheReturnAddress_IsFollowedOnlyWhenItIsALocalPath(string requested, string expected)
    {
        using var browser = Browser();
        using var signedIn = await SignInAsync(browser, "alice", "alice password 1", requested);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(expected, LocalTarget(signedIn));
    }

    [Fact]
    public async Task AnAnonymousBrowser_IsSentToTheSignInPage_WhileOtherClientsGetTheChallenge()
    {
        using var browser = Browser();
        using var page = await browser.GetAsync("/experiments/0?filter=x");
        using var raw = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _server.BaseUri };
        using var machine = await raw.GetAsync("/experiments/0");

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/signin?return=" + Uri.EscapeDataString("/experiments/0?filter=x"), page.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, machine.StatusCode);
    }

    [Fact]
    public async Task AWrongPassword_SaysSo_AndTheSixthIs429_ThroughTheFormAndBasic()
    {
        using var browser = Browser();
        using (var wrong = await SignInAsync(browser, "alice", "not her password"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.Contains("Wrong user name or password.", await wrong.Content.ReadAsStringAsync());
        }
        for (var i = 0; i < 4; i++) (await SignInAsync(browser, "alice", "not her password")).Dispose();

        using var sixth = await SignInAsync(browser, "alice", "alice password 1");
        Assert.Equal((HttpStatusCode)429, sixth.StatusCode);
        Assert.True(sixth.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("Too many failed sign-ins", await sixth.Content.ReadAsStringAsync());

        using var request = new HttpRequestMessage(HttpMethod.Get, Search);
        request.Headers.Authorization = Basic("alice", "alice password 1");
        using var basic = await _server.Http.SendAsync(request);
        Assert.Equal((HttpStatusCode)429, basic.StatusCode);
        Assert.Equal(AuthenticationMiddleware.TooManyRequests, JsonNode.Parse(await basic.Content.ReadAsStringAsync())!["error_code"]!.GetValue<string>());
        Assert.NotNull(basic.Headers.RetryAfter);
    }

    [Fact]
    public async Task WrongBasicPasswords_AreThrottledToo()
    {
        await _accounts.CreateUserAsync("bob", "bob password 12");
        var statuses = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Search);
            request.Headers.Authorization = Basic("bob", "wrong password " + i);
            using var response = await _server.Http.SendAsync(request);
            statuses.Add((int)response.StatusCode);
        }

        Assert.Equal([401, 401, 401, 401, 401, 429], statuses);
    }

    [Theory]
    [InlineData("/admin/users")]
    [InlineData("/admin/tokens")]
    [InlineData("/admin/permissions")]
    public async Task AdminPages_Are403ForOthers_And200ForAdmins(string page)
    {
        using var alice = Browser();
        (await SignInAsync(alice, "alice", "alice password 1")).Dispose();
        using var admin = Browser();
        (await SignInAsync(admin, "admin", "admin password 1")).Dispose();

        using var refused = await alice.GetAsync(page);
        using var allowed = await admin.GetAsync(page);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.True(allowed.Headers.CacheControl?.NoStore);
        Assert.DoesNotContain("Signed in as", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnAdminForm_PostedByANonAdmin_IsRefused_AndChangesNothing()
    {
        using var alice = Browser();
        (await SignInAsync(alice, "alice", "alice password 1")).Dispose();
        var token = await AntiforgeryTokenAsync(alice, "/signout");

        using var posted = await PostFormAsync(alice, "/admin/users", "create-user", token, ("username", "mallory"), ("password", "mallory password"), ("admin", "true"));

        Assert.Equal(HttpStatusCode.Forbidden, posted.StatusCode);
        Assert.DoesNotContain(await _server.Stores.Identity.ListUsersAsync(), u => u.Username == "mallory");
    }

    [Fact]
    public async Task ACookie_ForADeletedUser_StopsWorking()
    {
        await _accounts.CreateUserAsync("carol", "carol password 1");
        using var browser = Browser();
        (await SignInAsync(browser, "carol", "carol password 1")).Dispose();
        using (var before = await browser.GetAsync("/")) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        (await AsAdminAsync(HttpMethod.Delete, "/api/2.0/mlflow/users/delete", """{"username": "carol"}""")).EnsureSuccessStatusCode();

        using var after = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/signin", after.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task ATamperedCookie_IsAnonymous()
    {
        using var browser = Browser();
        using var signedIn = await SignInAsync(browser, "alice", "alice password 1");
        var value = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("cairn_session=", StringComparison.Ordinal)).Split(';')[0]["cairn_session=".Length..];
        var tampered = value[..^4] + (value[^4] == 'A' ? 'B' : 'A') + value[^3..];

        using var raw = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = _server.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Accept.ParseAdd("text/html");
        request.Headers.Add("Cookie", "cairn_session=" + tampered);
        using var response = await raw.SendAsync(request);
        using var forged = new HttpRequestMessage(HttpMethod.Get, Search);
        forged.Headers.Add("Cookie", "cairn_session=" + value);
        using var api = await raw.SendAsync(forged);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task AReader_SeesOnlyReadableExperiments_AndA403ForTheOthers()
    {
        var open = (await _server.Store.CreateExperimentAsync("open-experiment"));
        var secret = (await _server.Store.CreateExperimentAsync("secret-experiment"));
        await _server.Stores.Identity.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, secret, Principals.User("alice"), Permission.NoPermissions));
        using var browser = Browser();
        (await SignInAsync(browser, "alice", "alice password 1")).Dispose();

        var list = await browser.GetStringAsync("/");
        using var refused = await browser.GetAsync($"/experiments/{secret}");

        Assert.Contains("open-experiment", list);
        Assert.DoesNotContain("secret-experiment", list);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.DoesNotContain("secret-experiment", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/experiments/{open}")).StatusCode);
    }

    [Fact]
    public async Task ARunsArtifactFile_IsRefusedToWhoMayNotReadItsExperiment()
    {
        var secret = await _server.Store.CreateExperimentAsync("secret-files");
        var run = await _server.Store.CreateRunAsync(new Cairn.Tracking.NewRun(secret));
        await _server.Stores.Identity.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, secret, Principals.User("alice"), Permission.NoPermissions));
        using var browser = Browser();
        (await SignInAsync(browser, "alice", "alice password 1")).Dispose();

        using var refused = await browser.GetAsync($"/ui/runs/{run.Info.RunId}/artifact?path=notes.txt");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task LinkedResources_TheReaderMayNotRead_AreLeftOutOfTheirPages()
    {
        var open = await _server.Store.CreateExperimentAsync("open-lab");
        var secret = await _server.Store.CreateExperimentAsync("secret-lab");
        var openRun = await _server.Store.CreateRunAsync(new Cairn.Tracking.NewRun(open));
        var secretRun = await _server.Store.CreateRunAsync(new Cairn.Tracking.NewRun(secret));
        await _server.Registry.CreateRegisteredModelAsync("hidden-model");
        await _server.Registry.CreateModelVersionAsync(new Cairn.Registry.NewModelVersion("hidden-model", $"runs:/{openRun.Info.RunId}/model", openRun.Info.RunId));
        await _server.Registry.CreateRegisteredModelAsync("open-model");
        await _server.Registry.CreateModelVersionAsync(new Cairn.Registry.NewModelVersion("open-model", $"runs:/{secretRun.Info.RunId}/model", secretRun.Info.RunId));
        await _server.Stores.Identity.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, secret, Principals.User("alice"), Permission.NoPermissions));
        await _server.Stores.Identity.SetPermissionAsync(new ResourcePermission(ResourceTypes.RegisteredModel, "hidden-model", Principals.User("alice"), Permission.NoPermissions));
        using var browser = Browser();
        (await SignInAsync(browser, "alice", "alice password 1")).Dispose();

        var runPage = await browser.GetStringAsync($"/runs/{openRun.Info.RunId}");
        var versionPage = await browser.GetStringAsync("/models/open-model/versions/1");
        var models = await browser.GetStringAsync("/models");

        Assert.DoesNotContain("hidden-model", runPage);
        Assert.DoesNotContain("secret-lab", versionPage);
        Assert.Contains("open-model", models);
        Assert.DoesNotContain("hidden-model", models);
    }

    [Fact]
    public async Task SigningOut_EndsTheSession()
    {
        using var browser = Browser();
        (await SignInAsync(browser, "alice", "alice password 1")).Dispose();
        var token = await AntiforgeryTokenAsync(browser, "/");

        using var signedOut = await PostFormAsync(browser, "/signout", "signout", token);
        using var after = await browser.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/signin", after.Headers.Location!.OriginalString);
    }
}
