using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Cairn.Server.Ui.Tests;

/// <summary>The feature pages in a real browser: from the navigation to a view, its diff and a service; markup in definitions stays text.</summary>
[Collection(FeatureServerCollection.Name)]
public sealed class FeatureBrowserTests(FeatureServer features, Browser browser, ITestOutputHelper output) : IClassFixture<Browser>
{
    [Fact]
    public async Task Features_FromTheNavigation_ToAViewItsDiffAndAService()
    {
        await using var watched = await browser.OpenAsync(features.Server.BaseUri);
        var page = watched.Page;

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Features", Exact = true }).First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Features", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("table.feature-views tbody tr")).ToHaveCountAsync(3);
        await watched.ScreenshotAsync("15-features");

        await page.Locator("table.feature-views").GetByRole(AriaRole.Link, new() { Name = FeatureServer.Delays, Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"**/features/views/{FeatureServer.Delays}");
        await Expect(page.Locator("ul.diff-lines li")).ToHaveTextAsync(["online true -> false"]);

        // Choosing versions in the form reloads the page on their diff.
        await page.Locator("select[name='from']").SelectOptionAsync("1");
        await page.Locator("select[name='to']").SelectOptionAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare" }).ClickAsync();
        await page.WaitForURLAsync("**?from=1&to=2*");
        await Expect(page.Locator("pre.transformation-after")).ToHaveTextAsync(FeatureServer.TransformationV2);
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 1280, "the view page is no wider than the window");
        await watched.ScreenshotAsync("16-feature-view");

        await page.Locator("tr[data-feature='flights_7d'] td.services").GetByRole(AriaRole.Link, new() { Name = FeatureServer.DelayV2 }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(FeatureServer.DelayV2);

        foreach (var problem in watched.Problems) output.WriteLine(problem);
        Assert.Empty(watched.Problems);
    }

    [Fact]
    public async Task HostileView_IsShownAsText_AndRunsNothing()
    {
        await using var watched = await browser.OpenAsync(features.Server.BaseUri);
        var page = watched.Page;
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) => dialogs.Add(dialog.Message);

        await page.GotoAsync("/features/views/" + FeatureServer.Notes);
        await Expect(page.Locator("p.description")).ToHaveTextAsync(FeatureServer.HostileText);
        await Expect(page.Locator("pre.transformation")).ToContainTextAsync(FeatureServer.HostileText);

        Assert.Empty(dialogs);
        Assert.Equal(0, await page.Locator("body script, body img").CountAsync());
        foreach (var problem in watched.Problems) output.WriteLine(problem);
        Assert.Empty(watched.Problems);
    }
}
