using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Cairn.Server.Ui.Tests;

/// <summary>Stored script in a real browser: clicking what an attacker wrote as a script link runs nothing.</summary>
public sealed class HostileContentBrowserTests(HostileContentServer hostile, Browser browser, ITestOutputHelper output)
    : IClassFixture<HostileContentServer>, IClassFixture<Browser>
{
    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    public async Task ModelCard_ClickingScriptLinkTexts_RunsNoScript(string version)
    {
        await using var watched = await browser.OpenAsync(hostile.Server.BaseUri);
        var page = watched.Page;
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            lock (dialogs) dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };

        await page.GotoAsync($"/models/{HostileContentServer.Model}/versions/{version}");
        var card = page.Locator("article.model-card");
        await Expect(card.GetByRole(AriaRole.Link, new() { Name = "the docs" })).ToHaveAttributeAsync("href", "https://example.com/docs");
        Assert.Equal(0, await page.Locator("a[href^='javascript' i], a[href^='vbscript' i], a[href^='data' i]").CountAsync());

        foreach (var text in new[] { "click me", "shout", "reference link", "param link", "commit link", "source link" })
        {
            var target = card.GetByText(text, new() { Exact = false });
            if (await target.CountAsync() == 0) continue; // "source link" is only in version 2
            await target.First.ClickAsync();
        }
        await page.WaitForTimeoutAsync(300);

        foreach (var problem in watched.Problems) output.WriteLine(problem);
        Assert.Empty(dialogs);
        Assert.EndsWith($"/models/{HostileContentServer.Model}/versions/{version}", page.Url);
        // The card's web image points at a closed port: its failed request is expected.
        Assert.DoesNotContain(watched.Problems, p => !p.Contains("/plot.png", StringComparison.Ordinal));
    }
}
