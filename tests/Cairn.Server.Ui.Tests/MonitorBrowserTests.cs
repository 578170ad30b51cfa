using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Cairn.Server.Ui.Tests;

/// <summary>The monitor pages in a real browser: from the navigation to a monitor's charts and a feature's history; markup in stored text stays text.</summary>
[Collection(MonitorServerCollection.Name)]
public sealed class MonitorBrowserTests(MonitorServer monitors, Browser browser, ITestOutputHelper output) : IClassFixture<Browser>
{
    [Fact]
    public async Task Monitors_FromTheList_ToAMonitorsCharts_AndAFeaturesHistory()
    {
        await using var watched = await browser.OpenAsync(monitors.Server.BaseUri);
        var page = watched.Page;

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Monitors", Exact = true }).First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Monitors", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("table.monitors tbody tr")).ToHaveCountAsync(3);
        await Expect(page.Locator($"table.monitors tr[data-monitor='{MonitorServer.Drift}'] td.drift-share")).ToHaveTextAsync("0.75");
        await watched.ScreenshotAsync("10-monitors");

        await page.Locator("table.monitors").GetByRole(AriaRole.Link, new() { Name = MonitorServer.Drift, Exact = true }).ClickAsync();
        await page.WaitForURLAsync($"**/monitors/{MonitorServer.Drift}");
        var drift = page.Locator("figure[id='chart-drift_share'] svg.line-chart");
        await Expect(drift).ToBeVisibleAsync();
        var box = await drift.BoundingBoxAsync();
        Assert.True(box!.Width >= 500 && box.Height >= 280, $"the drift chart is drawn {box.Width}×{box.Height}");
        var path = await page.Locator("figure[id='chart-drift_share'] path.series").GetAttributeAsync("d");
        Assert.Equal(MonitorServer.SucceededRuns, path!.Count(c => c is 'M' or 'L'));
        await Expect(page.Locator("table.monitor-runs tbody tr")).ToHaveCountAsync(MonitorServer.SucceededRuns + 1);
        Assert.True(await page.EvaluateAsync<int>("document.documentElement.scrollWidth") <= 1280, "the monitor page is no wider than the window");
        await watched.ScreenshotAsync("11-monitor");

        await page.Locator("table.features").GetByRole(AriaRole.Link, new() { Name = "Distance", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/features?column=Distance");
        await Expect(page.Locator("figure[id='chart-drift_score(Distance)'] svg.line-chart")).ToBeVisibleAsync();
        await Expect(page.Locator("table.feature-runs tbody tr")).ToHaveCountAsync(MonitorServer.SucceededRuns);
        await watched.ScreenshotAsync("12-monitor-feature");

        foreach (var problem in watched.Problems) output.WriteLine(problem);
        Assert.Empty(watched.Problems);
    }

    [Fact]
    public async Task HostileMonitor_IsShownAsText_AndRunsNothing()
    {
        await using var watched = await browser.OpenAsync(monitors.Server.BaseUri);
        var page = watched.Page;
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) => dialogs.Add(dialog.Message);

        await page.GotoAsync("/monitors");
        await page.Locator("table.monitors").GetByRole(AriaRole.Link, new() { Name = MonitorServer.HostileName, Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(MonitorServer.HostileName);
        await Expect(page.Locator("td.run-error").First).ToHaveTextAsync(MonitorServer.HostileText);
        await Expect(page.Locator("td.alert-message").First).ToHaveTextAsync(MonitorServer.HostileName);

        Assert.Empty(dialogs);
        Assert.Equal(0, await page.Locator("body script, body img").CountAsync());
        foreach (var problem in watched.Problems) output.WriteLine(problem);
        Assert.Empty(watched.Problems);
    }

    [Fact]
    public async Task UnknownMonitor_ShowsTheNotFoundState()
    {
        await using var watched = await browser.OpenAsync(monitors.Server.BaseUri);
        watched.Expect(404, "/monitors/nope");
        var response = await watched.Page.GotoAsync("/monitors/nope");
        Assert.Equal(404, response!.Status);
        await Expect(watched.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("No monitor named 'nope'.");
        foreach (var problem in watched.Problems) output.WriteLine(problem);
        Assert.Empty(watched.Problems);
    }
}
