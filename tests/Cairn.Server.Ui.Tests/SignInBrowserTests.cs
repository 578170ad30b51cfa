using System.Net;
using System.Net.Http.Headers;
using Cairn.Security;
using Cairn.Server.Security;
using Cairn.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// Sign-in and the admin pages in a real browser, on a server with --auth: the form, the name in
/// the top bar, sign-out, what a reader sees, and an admin creating a user, a permission and a token.
/// </summary>
public sealed class SignInBrowserTests(Browser browser, ITestOutputHelper output) : IClassFixture<Browser>, IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync()
    {
        AccountService accounts = null!;
        _server = await RunningServer.StartAsync((options, stores) =>
        {
            accounts = new AccountService(stores.Identity, new PasswordHasher(iterations: 1_000));
            return options with { Authentication = new ServerAuthentication(accounts, stores.Identity) };
        });
        await accounts.CreateUserAsync("admin", "admin password 1", isAdmin: true);
        await accounts.CreateUserAsync("alice", "alice password 1");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private void AssertClean(WatchedPage page)
    {
        foreach (var problem in page.Problems) output.WriteLine(problem);
        Assert.Empty(page.Problems);
    }

    private static async Task SignInAsync(IPage page, string user, string password)
    {
        await page.GetByLabel("User name").FillAsync(user);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    [Fact]
    public async Task SigningIn_ThroughTheForm_ShowsTheName_AndSigningOutEndsTheSession()
    {
        await using var watched = await browser.OpenAsync(_server.BaseUri);
        var page = watched.Page;

        await page.GotoAsync("/models");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await SignInAsync(page, "alice", "alice password 1");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Registered models" })).ToBeVisibleAsync();
        await Expect(page.Locator(".topbar .who")).ToHaveTextAsync("Signed in as alice");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Users" })).ToHaveCountAsync(0);
        await watched.ScreenshotAsync("signin-01-signed-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        AssertClean(watched);
    }

    [Fact]
    public async Task AWrongPassword_IsSaidInThePage()
    {
        await using var watched = await browser.OpenAsync(_server.BaseUri);
        var page = watched.Page;
        watched.Expect(401, "/signin");

        await page.GotoAsync("/signin");
        await SignInAsync(page, "alice", "not her password");

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wrong user name or password.");
        await Expect(page.Locator(".topbar .who")).ToHaveCountAsync(0);
        AssertClean(watched);
    }

    [Fact]
    public async Task AReader_SeesOnlyTheExperimentsTheyMayRead()
    {
        await _server.Store.CreateExperimentAsync("shared-experiment");
        var hidden = await _server.Store.CreateExperimentAsync("hidden-experiment");
        await _server.Stores.Identity.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, hidden, Principals.User("alice"), Permission.NoPermissions));
        await using var watched = await browser.OpenAsync(_server.BaseUri);
        var page = watched.Page;

        await page.GotoAsync("/");
        await SignInAsync(page, "alice", "alice password 1");

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "shared-experiment" })).ToBeVisibleAsync();
        await Expect(page.GetByText("hidden-experiment")).ToHaveCountAsync(0);
        AssertClean(watched);
    }

    [Fact]
    public async Task AnAdmin_CreatesAUser_GrantsAPermission_AndATokenMadeInThePageWorksOverHttp()
    {
        var experiment = await _server.Store.CreateExperimentAsync("team-experiment");
        await using var watched = await browser.OpenAsync(_server.BaseUri);
        var page = watched.Page;
        await page.GotoAsync("/admin/users");
        await SignInAsync(page, "admin", "admin password 1");

        var create = page.Locator("form[aria-label='Create a user']");
        await create.Locator("[name=username]").FillAsync("dave");
        await create.Locator("[name=password]").FillAsync("dave password 12");
        await create.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Created user dave.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete dave" })).ToBeVisibleAsync();

        await page.GotoAsync("/admin/permissions");
        var grant = page.Locator("form[aria-label='Grant a permission']");
        await grant.Locator("[name=type]").SelectOptionAsync(ResourceTypes.Experiment);
        await grant.Locator("[name=resource]").FillAsync(experiment);
        await grant.Locator("[name=principal]").FillAsync("user:dave");
        await grant.Locator("[name=permission]").SelectOptionAsync("MANAGE");
        await grant.GetByRole(AriaRole.Button, new() { Name = "Grant" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Granted MANAGE");
        Assert.Equal(Permission.Manage, (await _server.Stores.Identity.GetPermissionAsync(ResourceTypes.Experiment, experiment, "user:dave"))?.Permission);

        await page.GotoAsync("/admin/tokens");
        var token = page.Locator("form[aria-label='Create a token']");
        await token.Locator("[name=username]").FillAsync("dave");
        await token.Locator("[name=name]").FillAsync("ci job");
        await token.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        var secret = (await page.GetByTestId("token-secret").TextContentAsync())!.Trim();
        await watched.ScreenshotAsync("signin-02-token-created");
        await page.GotoAsync("/admin/tokens");
        Assert.DoesNotContain(secret, await page.ContentAsync());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/2.0/mlflow/experiments/search?max_results=10");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using var response = await _server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("team-experiment", await response.Content.ReadAsStringAsync());
        AssertClean(watched);
    }
}
