using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Cairn.Server.Ui.Tests;

/// <summary>The endpoint pages in a real browser: from the navigation to an endpoint's split, live figures and canary step; markup in stored text stays text.</summary>
[Collection(EndpointServerCollection.Name)]
public sealed class EndpointBrowserTests(EndpointServer endpoints, Browser browser, ITestOutputHelper output) : IClassFixture<Browser>
{
    [Fact]
    public async Task Endpoints_FromTheList_ToAnEndpointsSplitLiveFiguresAndCanaryStep()
    {
        await using var watched = await browser.OpenAsync(endpoints.Server.BaseUri);
        var page = watched.Page;

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Endpoints", Exact = true }).First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Endpoints", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("table.endpoints tbody tr")).ToHaveCountAsync(5);
        await Expect(page.Locator($"table.endpoints tr[data-endpoint='{EndpointServer.Delay}'] td.rollout")).ToHaveTextAsync("canary v4 at 25% (step 2 of 4); shadow s5 50%");
        await watched.ScreenshotAsync("13-endpoints");

        await page.Locator("table.endpoints").GetByRole(AriaRole.Link, new() { Name = EndpointServer.Delay, Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"**/endpoints/{EndpointServer.Delay}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(EndpointServer.Delay);

        // The current step is the highlighted one, and drawn wider than the border of the others.
        var current = page.Locator("ol.canary-steps li[aria-current='step']");
        await Expect(current).ToHaveCountAsync(1);
        await Expect(current.Locator(".step-weight")).ToHaveTextAsync("25%");
        Assert.Equal("700", await current.EvaluateAsync<string>("li => getComputedStyle(li).fontWeight"));

        // The split bar gives each live variant its share of the width.
        var bar = await page.Locator("div.split-bar").BoundingBoxAsync();
        var stable = await page.Locator("div.split-bar .split-part").First.BoundingBoxAsync();
        Assert.InRange(stable!.Width / bar!.Width, 0.72, 0.78);

        await Expect(page.Locator("table.traffic tr[data-variant='stable'] td.requests")).ToHaveTextAsync(EndpointServer.StableRequests.ToString());
        await Expect(page.Locator("figure[id='chart-requests_per_minute'] svg.line-chart")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 1280, "the endpoint page is no wider than the window");
        await watched.ScreenshotAsync("14-endpoint");

        foreach (var problem in watched.Problems) output.WriteLine(problem);
        Assert.Empty(watched.Problems);
    }

    [Fact]
    public async Task HostileEndpoint_IsShownAsText_AndRunsNothing()
    {
        await using var watched = await browser.OpenAsync(endpoints.Server.BaseUri);
        var page = watched.Page;
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) => dialogs.Add(dialog.Message);

        await page.GotoAsync("/endpoints");
        await page.Locator("table.endpoints").GetByRole(AriaRole.Link, new() { Name = EndpointServer.HostileName, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(EndpointServer.HostileName);
        await Expect(page.Locator("p.description")).ToHaveTextAsync(EndpointServer.HostileText);
        await Expect(page.Locator("td.event-message").First).ToHaveTextAsync(EndpointServer.HostileText);
        await Expect(page.Locator("dd.canary-reason")).ToHaveTextAsync(EndpointServer.HostileText);

        Assert.Empty(dialogs);
        Assert.Equal(0, await page.Locator("body script, body img").CountAsync());
        foreach (var problem in watched.Problems) output.WriteLine(problem);
        Assert.Empty(watched.Problems);
    }
}
