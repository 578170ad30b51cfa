using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// The layout at 1280×800, measured in the browser (issue 15, items 10–13): nothing runs off the
/// window or out of its card, wide tables scroll in their own box, charts are readable. Each test
/// takes a screenshot of what it measured.
/// </summary>
[Collection(SeededServerCollection.Name)]
public sealed class LayoutTests(SeededServer seeded, Browser browser, ITestOutputHelper output) : IClassFixture<Browser>
{
    private const int Width = 1280, Height = 800;

    private Task<WatchedPage> OpenAsync() => browser.OpenAsync(seeded.Server.BaseUri);

    private void AssertClean(WatchedPage page)
    {
        foreach (var problem in page.Problems) output.WriteLine(problem);
        Assert.Empty(page.Problems);
    }

    private static async Task AssertFitsTheWindowAsync(IPage page)
    {
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than the {Width}px window");
    }

    private static async Task<LocatorBoundingBoxResult> BoxAsync(ILocator locator) =>
        await locator.BoundingBoxAsync() ?? throw new InvalidOperationException($"{locator} is not visible");

    private static double Right(LocatorBoundingBoxResult box) => box.X + box.Width;
    private static double Bottom(LocatorBoundingBoxResult box) => box.Y + box.Height;

    [Fact]
    public async Task RunsTable_ScrolledSideways_KeepsTheRunNameInViewAndScrollsInItsOwnBox()
    {
        await using var watched = await OpenAsync();
        var page = watched.Page;
        await page.GotoAsync($"/experiments/{seeded.ExperimentId}");
        var scroller = page.Locator(".table-scroll").Filter(new() { Has = page.Locator("table.runs") });
        await scroller.ScrollIntoViewIfNeededAsync();
        await watched.ScreenshotAsync("10-runs-table", fullPage: false);

        await AssertFitsTheWindowAsync(page);
        var box = await BoxAsync(scroller);
        Assert.True(Right(box) <= Width, $"the table's box ends at {Right(box)}px");
        Assert.True(box.Height <= Height, $"the table's box is {box.Height}px high: its horizontal scroll bar is off screen");
        Assert.True(await scroller.EvaluateAsync<bool>("e => e.scrollWidth > e.clientWidth && e.scrollHeight > e.clientHeight"),
            "the table scrolls inside its box, both ways");

        await scroller.EvaluateAsync("e => { e.scrollLeft = e.scrollWidth; }");
        await watched.ScreenshotAsync("10-runs-table-scrolled", fullPage: false);
        foreach (var cell in new[] { page.Locator("table.runs thead th.run-name"), page.Locator("table.runs tbody tr").First.Locator("td.run-name") })
        {
            var name = await BoxAsync(cell);
            Assert.True(name.X >= box.X && Right(name) <= Right(box), $"the run name ({name.X}..{Right(name)}) stays inside the box ({box.X}..{Right(box)}) when scrolled sideways");
            Assert.Equal("sticky", await cell.EvaluateAsync<string>("e => getComputedStyle(e).position"));
            Assert.NotEqual("rgba(0, 0, 0, 0)", await cell.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        }
        AssertClean(watched);
    }

    [Fact]
    public async Task RunPage_At1280_TagsStayInTheirCardAndChartsAreLargeWithTitlesByTheirAxes()
    {
        await using var watched = await OpenAsync();
        var page = watched.Page;
        await page.GotoAsync($"/runs/{seeded.ShowcaseRunId}");
        await watched.ScreenshotAsync("11-run-page");

        await AssertFitsTheWindowAsync(page);
        foreach (var title in new[] { "params-title", "metrics-title", "tags-title" })
        {
            var section = page.Locator($"section[aria-labelledby={title}]");
            var sectionBox = await BoxAsync(section);
            var tableBox = await BoxAsync(section.Locator("table"));
            Assert.True(Right(tableBox) <= Right(sectionBox) + 0.5, $"the {title[..^6]} table ends at {Right(tableBox)}px, past its card's {Right(sectionBox)}px");
            Assert.True(Right(sectionBox) <= Width);
        }
        foreach (var (key, value) in new[] { ("mlflow.source.git.commit", SeededServer.GitCommit), ("cairn.command_line", SeededServer.CommandLine) })
        {
            var cell = page.Locator("section[aria-labelledby=tags-title] tr").Filter(new() { HasText = key }).Locator("td");
            await Expect(cell).ToHaveTextAsync(value);
            Assert.True(await cell.EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth"), $"{key} is cut off");
        }

        var chart = page.Locator("figure#chart-loss svg");
        var chartBox = await BoxAsync(chart);
        Assert.True(chartBox.Width >= 560 && chartBox.Height >= 300, $"the chart is {chartBox.Width}×{chartBox.Height}px");
        var xTitle = await BoxAsync(chart.Locator(".axis-title.x"));
        var yTitle = await BoxAsync(chart.Locator(".axis-title.y"));
        var xTicks = await chart.Locator(".tick.x text").AllAsync();
        var yTicks = await chart.Locator(".tick.y text").AllAsync();
        Assert.True(xTicks.Count >= 3 && yTicks.Count >= 3, $"{xTicks.Count} x ticks, {yTicks.Count} y ticks");
        foreach (var tick in xTicks)
            Assert.True(xTitle.Y >= Bottom(await BoxAsync(tick)), "the x axis title is under the x tick labels");
        foreach (var tick in yTicks)
        {
            var tickBox = await BoxAsync(tick);
            Assert.True(Right(yTitle) <= tickBox.X, "the y axis title is left of the y tick labels");
            Assert.True(tickBox.X >= chartBox.X, "y tick labels are not cut off at the chart's left edge");
        }
        Assert.True(Bottom(xTitle) <= Bottom(chartBox) + 0.5 && yTitle.X >= chartBox.X - 0.5, "the axis titles are inside the chart");
        AssertClean(watched);
    }

    [Fact]
    public async Task ModelVersionPage_WithAliases_KeepsTheLineageOnOneRow()
    {
        await using var watched = await OpenAsync();
        var page = watched.Page;
        await page.GotoAsync($"/models/{SeededServer.QuickstartModel}/versions/1");
        await watched.ScreenshotAsync("12-model-version", fullPage: false);

        await AssertFitsTheWindowAsync(page);
        var lineage = await BoxAsync(page.Locator("ol.lineage"));
        var nodes = await page.Locator("ol.lineage > li.node").AllAsync();
        Assert.Equal(5, nodes.Count);
        LocatorBoundingBoxResult? previous = null;
        foreach (var node in nodes)
        {
            var box = await BoxAsync(node);
            Assert.True(Right(box) <= Right(lineage) + 0.5 && Right(box) <= Width, $"a node ends at {Right(box)}px");
            Assert.True(await node.EvaluateAsync<bool>("e => e.scrollWidth <= e.clientWidth"), "a node's text overflows it");
            if (previous is { } p)
            {
                Assert.True(Math.Abs(box.Y - p.Y) < 1, $"a node starts a second row ({box.Y}px, not {p.Y}px)");
                Assert.True(box.X - Right(p) >= 20, "the arrow between two nodes has room");
            }
            previous = box;
        }
        AssertClean(watched);
    }

    [Fact]
    public async Task ExperimentsPage_At1280_ShowsRunCountsAndLastRun()
    {
        await using var watched = await OpenAsync();
        var page = watched.Page;
        await page.GotoAsync("/");
        await watched.ScreenshotAsync("13-experiments", fullPage: false);

        var row = page.Locator("table.experiments tbody tr").Filter(new() { HasText = SeededServer.Experiment });
        await Expect(row.Locator("td.runs")).ToHaveTextAsync(SeededServer.Runs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await AssertFitsTheWindowAsync(page);
        AssertClean(watched);
    }
}
