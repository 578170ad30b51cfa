using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// The UI in a real browser at 1280×800: the flows of the issue, done with clicks and keys, with
/// screenshots, and with no console error, failed request or unexpected 4xx/5xx on the way.
/// </summary>
[Collection(SeededServerCollection.Name)]
public sealed class BrowserTests(SeededServer seeded, Browser browser, ITestOutputHelper output) : IClassFixture<Browser>
{
    private Task<WatchedPage> OpenAsync() => browser.OpenAsync(seeded.Server.BaseUri);

    private void AssertClean(WatchedPage page)
    {
        foreach (var problem in page.Problems) output.WriteLine(problem);
        Assert.Empty(page.Problems);
    }

    private async Task AssertFitsTheWindowAsync(IPage page)
    {
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than the 1280px window");
    }

    [Fact]
    public async Task RunPage_DatasetInput_LeadsToTheDatasetsVersions()
    {
        await using var watched = await OpenAsync();
        var page = watched.Page;

        await page.GotoAsync($"/runs/{seeded.ShowcaseRunId}");
        await page.GetByRole(AriaRole.Link, new() { Name = $"data:/{SeededServer.Dataset}@1" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Dataset {SeededServer.Dataset}" })).ToBeVisibleAsync();
        await Expect(page.Locator("table.grid").First).ToContainTextAsync("29,697");
        await page.GetByRole(AriaRole.Link, new() { Name = "Datasets", Exact = true }).First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Datasets" })).ToBeVisibleAsync();
        await AssertFitsTheWindowAsync(page);
        await watched.ScreenshotAsync("08-datasets");
        AssertClean(watched);
    }

    [Fact]
    public async Task RunsTable_FilterSortSelectThreeAndCompare_ThenOpenAModelVersionsLineage()
    {
        await using var watched = await OpenAsync();
        var page = watched.Page;

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = SeededServer.Experiment }).ClickAsync();
        var rows = page.Locator("table.runs tbody tr");
        await Expect(rows).ToHaveCountAsync(SeededServer.Runs);
        await AssertFitsTheWindowAsync(page);
        await watched.ScreenshotAsync("01-runs-table");

        await page.GetByLabel("Filter", new() { Exact = true }).FillAsync("params.trainer = 'LightGbm' and metrics.auc > 0.705");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(9);
        await Expect(page.Locator("table.runs")).Not.ToContainTextAsync("fasttree");

        await page.GetByRole(AriaRole.Link, new() { Name = "metrics.auc", Exact = true }).ClickAsync();
        await Expect(page.Locator("th[aria-sort=descending]")).ToContainTextAsync("metrics.auc");
        await Expect(rows.First).ToContainTextAsync("lightgbm-28");
        await page.GetByRole(AriaRole.Link, new() { Name = "metrics.auc ▼" }).ClickAsync();
        await Expect(rows.First).ToContainTextAsync("lightgbm-12");
        await watched.ScreenshotAsync("02-runs-filtered-sorted");

        for (var i = 0; i < 3; i++) await rows.Nth(i).GetByRole(AriaRole.Checkbox).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare selected" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Compare 3 runs" })).ToBeVisibleAsync();
        await Expect(page.Locator("table.compare thead th")).ToHaveCountAsync(4);
        await Expect(page.Locator("tr.diff").First).ToBeVisibleAsync();
        await Expect(page.Locator("figure.parallel svg")).ToBeVisibleAsync();
        await Expect(page.Locator("figure#chart-loss svg")).ToBeVisibleAsync();
        await AssertFitsTheWindowAsync(page);
        await watched.ScreenshotAsync("03-compare");

        await page.GetByRole(AriaRole.Link, new() { Name = "Models" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = SeededServer.Model }).ClickAsync();
        await Expect(page.Locator("strong", new() { HasText = "@champion" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "version 1" }).First.ClickAsync();
        var lineage = page.Locator("ol.lineage");
        await Expect(lineage).ToContainTextAsync("flights-sample");
        await Expect(lineage).ToContainTextAsync("fasttree-29");
        await Expect(lineage).ToContainTextAsync($"models:/{SeededServer.Model}@champion");
        await Expect(page.Locator("article.model-card h1")).ToHaveTextAsync($"{SeededServer.Model}, version 1");
        await AssertFitsTheWindowAsync(page);
        await watched.ScreenshotAsync("04-model-lineage");

        AssertClean(watched);
    }

    [Fact]
    public async Task RunPage_ChartsAndArtifactPreviews_RenderWithoutErrors()
    {
        await using var watched = await OpenAsync();
        var page = watched.Page;

        await page.GotoAsync($"/runs/{seeded.ShowcaseRunId}");
        await Expect(page.Locator("figure#chart-grad_norm svg path").First).ToBeAttachedAsync();
        await Expect(page.Locator("figure#chart-grad_norm figcaption")).ToContainTextAsync("100,000 points");

        await page.GetByLabel("X axis").SelectOptionAsync("relative");
        await page.GetByLabel("Smoothing").FillAsync("0.6");
        await page.GetByLabel("Log scale").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply", Exact = true }).ClickAsync();
        await Expect(page.Locator("figure#chart-loss figcaption")).ToContainTextAsync("log scale");
        await AssertFitsTheWindowAsync(page);
        await watched.ScreenshotAsync("05-run-charts");

        await page.GetByRole(AriaRole.Link, new() { Name = "config.json" }).ClickAsync();
        await Expect(page.Locator(".preview pre.json")).ToContainTextAsync("\"leaves\": 64");
        await page.GetByRole(AriaRole.Link, new() { Name = "plots/" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "roc.png" }).ClickAsync();
        var image = page.Locator("img.artifact-image");
        await Expect(image).ToBeVisibleAsync();
        Assert.True(await image.EvaluateAsync<int>("img => img.naturalWidth") > 0, "the image loaded");
        await page.GetByRole(AriaRole.Link, new() { Name = "artifacts", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "predictions.parquet" }).ClickAsync();
        await Expect(page.Locator(".preview table")).ToContainTextAsync("SEA");
        await watched.ScreenshotAsync("06-run-artifacts");

        AssertClean(watched);
    }

    [Fact]
    public async Task RunsTable_ByKeyboardOnly_SkipsToContentAndFilters()
    {
        await using var watched = await OpenAsync();
        var page = watched.Page;
        await page.GotoAsync($"/experiments/{seeded.ExperimentId}");

        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("document.activeElement.textContent.trim()"));
        await page.Keyboard.PressAsync("Enter");
        for (var i = 0; i < 20 && await page.EvaluateAsync<string>("document.activeElement.id") != "filter"; i++)
            await page.Keyboard.PressAsync("Tab");
        Assert.Equal("filter", await page.EvaluateAsync<string>("document.activeElement.id"));
        await page.Keyboard.TypeAsync("params.trainer = 'FastTree'");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("table.runs tbody tr")).ToHaveCountAsync(SeededServer.Runs / 2);

        AssertClean(watched);
    }

    [Fact]
    public async Task RunsTable_BadFilter_ShowsTheErrorInlineAndKeepsTheForm()
    {
        await using var watched = await OpenAsync();
        var page = watched.Page;
        watched.Expect(400, $"/experiments/{seeded.ExperimentId}");
        await page.GotoAsync($"/experiments/{seeded.ExperimentId}");

        await page.GetByLabel("Filter", new() { Exact = true }).FillAsync("metrics.auc >>> 1");
        await page.GetByLabel("Filter", new() { Exact = true }).PressAsync("Enter");
        await Expect(page.Locator("#filter-error")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Filter", new() { Exact = true })).ToHaveValueAsync("metrics.auc >>> 1");
        await Expect(page.GetByLabel("Filter", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        await watched.ScreenshotAsync("07-bad-filter");

        AssertClean(watched);
    }
}
