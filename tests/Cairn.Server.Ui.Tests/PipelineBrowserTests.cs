using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Cairn.Server.Ui.Tests;

/// <summary>The pipeline pages in a real browser: from the list to a run's DAG, and from a node to its step run.</summary>
[Collection(PipelineServerCollection.Name)]
public sealed class PipelineBrowserTests(PipelineServer pipelines, Browser browser, ITestOutputHelper output) : IClassFixture<Browser>
{
    [Fact]
    public async Task PipelineRun_DagNodesAreVisible_AndClickingOneOpensItsStepRun()
    {
        await using var watched = await browser.OpenAsync(pipelines.Server.BaseUri);
        var page = watched.Page;

        await page.GotoAsync("/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Pipelines", Exact = true }).First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pipelines" })).ToBeVisibleAsync();
        await page.Locator($"a[href='/pipelines/runs/{pipelines.Cached.PipelineRunId}']").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Pipeline {PipelineServer.Pipeline}" })).ToBeVisibleAsync();

        var nodes = page.Locator("svg.dag g.dag-node");
        await Expect(nodes).ToHaveCountAsync(5);
        for (var i = 0; i < 5; i++) await Expect(nodes.Nth(i)).ToBeVisibleAsync();
        await Expect(page.Locator("svg.dag g.dag-node.state-cached")).ToHaveCountAsync(3);
        // Nodes do not overlap on screen, and the graph reads left to right.
        var prepare = await page.Locator("svg.dag g[data-step=prepare] rect").BoundingBoxAsync();
        var train = await page.Locator("svg.dag g[data-step=train] rect").BoundingBoxAsync();
        Assert.True(prepare!.X + prepare.Width < train!.X, "prepare is drawn left of train");
        await Expect(page.Locator("svg.dag g[data-step=train] rect")).ToHaveCSSAsync("fill", "rgb(223, 243, 228)"); // succeeded: green
        await watched.ScreenshotAsync("09-pipeline-run");

        await page.Locator("svg.dag g[data-step=train] a").ClickAsync();
        await page.WaitForURLAsync($"**/runs/{pipelines.StepRunId(pipelines.Cached, "train")}");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "train" })).ToBeVisibleAsync();
        await page.Locator("a.pipeline-link").ClickAsync();
        await page.WaitForURLAsync($"**/pipelines/runs/{pipelines.Cached.PipelineRunId}");

        foreach (var problem in watched.Problems) output.WriteLine(problem);
        Assert.Empty(watched.Problems);
    }
}
