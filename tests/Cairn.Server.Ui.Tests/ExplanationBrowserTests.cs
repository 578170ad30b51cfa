using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Cairn.Server.Ui.Tests;

/// <summary>The explanation charts in a real browser: drawn, navigable, and no stored feature name or value runs as script.</summary>
public sealed class ExplanationBrowserTests(ExplanationServer explained, Browser browser, ITestOutputHelper output)
    : IClassFixture<ExplanationServer>, IClassFixture<Browser>
{
    [Fact]
    public async Task HostileExplanation_ChartsAreDrawn_FollowingTheBarsLinkRunsNoScript()
    {
        await using var watched = await browser.OpenAsync(explained.Server.BaseUri);
        var page = watched.Page;
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            lock (dialogs) dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };

        await page.GotoAsync($"/models/{ExplanationServer.Model}/versions/4");
        await Expect(page.Locator("svg.importance-bars g.bar rect")).ToHaveCountAsync(1);
        await Expect(page.Locator("svg.dependence-plot circle.point")).ToHaveCountAsync(2);
        await Expect(page.Locator("svg.waterfall g.step rect")).ToHaveCountAsync(2);
        var bar = await page.Locator("svg.importance-bars g.bar rect").BoundingBoxAsync();
        Assert.True(bar is { Width: > 10, Height: > 5 }, "the bar is drawn");
        Assert.Equal(0, await page.Locator("img, script").CountAsync());

        await page.Locator("svg.importance-bars a[href] text").ClickAsync();
        await page.WaitForURLAsync("**/versions/4?feature=*");
        await Expect(page.Locator("svg.dependence-plot circle.point")).ToHaveCountAsync(2);

        foreach (var problem in watched.Problems) output.WriteLine(problem);
        Assert.Empty(dialogs);
        Assert.Empty(watched.Problems);
    }

    [Fact]
    public async Task AVersionWithAnExplanation_ShowsItsBarsDependencePlotAndWaterfall()
    {
        await using var watched = await browser.OpenAsync(explained.Server.BaseUri);
        var page = watched.Page;

        await page.GotoAsync($"/models/{ExplanationServer.Model}/versions/1");

        await Expect(page.Locator("svg.importance-bars g.bar rect")).ToHaveCountAsync(2);
        await Expect(page.Locator("svg.waterfall g.step rect").First).ToBeVisibleAsync();
        await watched.ScreenshotAsync("15-model-version-explanation");
        Assert.Empty(watched.Problems);
    }
}
