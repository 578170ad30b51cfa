using System.Net;
using System.Text.RegularExpressions;
using Cairn.Pipelines;

namespace Cairn.Server.Ui.Tests;

/// <summary>The pipeline pages over plain HTTP, on what a real <see cref="PipelineRunner"/> recorded (<see cref="PipelineServer"/>).</summary>
[Collection(PipelineServerCollection.Name)]
public sealed partial class PipelinePageTests(PipelineServer pipelines)
{
    private HttpClient Http => pipelines.Server.Http;

    private async Task<(HttpStatusCode Status, string Html)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    [GeneratedRegex("""<g class="dag-node state-(?<class>[a-z]+)"[^>]*data-step="(?<step>[^"]*)" data-state="(?<state>[a-z]+)">\s*<a(?<href> href="[^"]*")?""")]
    private static partial Regex DagNode();

    /// <summary>Each node of the drawn DAG: its state, and where it links (null when it does not).</summary>
    private static Dictionary<string, (string State, string? Href)> Nodes(string html) => DagNode().Matches(html).ToDictionary(
        m => m.Groups["step"].Value,
        m =>
        {
            Assert.Equal(m.Groups["class"].Value, m.Groups["state"].Value);
            return (m.Groups["state"].Value, m.Groups["href"].Success ? m.Groups["href"].Value[7..^1] : null);
        });

    [Fact]
    public async Task PipelinesPage_ListsBothRuns_WithTheirStatusAndStepCounts()
    {
        var (status, html) = await GetAsync("/pipelines");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("""<a href="/pipelines">Pipelines</a>""", html); // in the navigation
        Assert.Contains($"href=\"/pipelines?pipeline={PipelineServer.Pipeline}\"", html);
        var failedRow = Row(html, pipelines.Failed.PipelineRunId);
        Assert.Contains("FAILED", failedRow);
        Assert.Contains("4 ran, 0 cached, 1 failed", failedRow);
        var cachedRow = Row(html, pipelines.Cached.PipelineRunId);
        Assert.Contains("FINISHED", cachedRow);
        Assert.Contains("2 ran, 3 cached", cachedRow);
        Assert.True(html.IndexOf(pipelines.Cached.PipelineRunId, StringComparison.Ordinal) < html.IndexOf(pipelines.Failed.PipelineRunId, StringComparison.Ordinal), "newest first");
    }

    private static string Row(string html, string pipelineRunId)
    {
        var at = html.IndexOf($"href=\"/pipelines/runs/{pipelineRunId}\"", StringComparison.Ordinal);
        Assert.True(at > 0, $"no link to the pipeline run {pipelineRunId}");
        var start = html.LastIndexOf("<tr", at, StringComparison.Ordinal);
        return html[start..html.IndexOf("</tr>", at, StringComparison.Ordinal)];
    }

    [Fact]
    public async Task PipelinesPage_OfOnePipeline_AndOfAnUnknownOne()
    {
        var (status, html) = await GetAsync($"/pipelines?pipeline={PipelineServer.Pipeline}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(pipelines.Failed.PipelineRunId, html);
        (status, html) = await GetAsync("/pipelines?pipeline=nope");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("The pipeline nope has no runs.", html);
    }

    [Fact]
    public async Task FailedRun_DrawsEveryStepWithItsState_LinkedToItsRun_AndTheEdgesOfTheDefinition()
    {
        var run = pipelines.Failed;
        var (status, html) = await GetAsync($"/pipelines/runs/{run.PipelineRunId}");
        Assert.Equal(HttpStatusCode.OK, status);
        var nodes = Nodes(html);
        Assert.Equal(["features", "lint", "prepare", "report", "train"], nodes.Keys.Order());
        foreach (var step in new[] { "prepare", "features", "lint" })
            Assert.Equal(("succeeded", $"/runs/{pipelines.StepRunId(run, step)}"), nodes[step]);
        Assert.Equal(("failed", $"/runs/{pipelines.StepRunId(run, "train")}"), nodes["train"]);
        Assert.Equal(("skipped", (string?)null), nodes["report"]); // never ran: no run to link to
        Assert.Equal(4, Regex.Matches(html, "class=\"dag-edge\"").Count);
        Assert.Contains("<title>train needs lint</title>", html);
        Assert.Contains("the command exited with code 1.", html); // the step's error, in the table
        Assert.Contains("step 'train': the command exited with code 1.", html); // the run's error
        Assert.Contains("<h2 id=\"params-title\">Parameters</h2>", html);
        Assert.Contains("<th scope=\"row\">mode</th><td>fail</td>", html);
        Assert.Contains($"href=\"/runs/{pipelines.StepRunId(run, "train")}?dir=logs&file=logs%2Fstep.log#artifacts\"", html);
    }

    [Fact]
    public async Task CachedRun_MarksCachedSteps_AndLinksTheRunsTheirOutputsAndLogsCameFrom()
    {
        var run = pipelines.Cached;
        var (_, html) = await GetAsync($"/pipelines/runs/{run.PipelineRunId}");
        var nodes = Nodes(html);
        foreach (var step in new[] { "prepare", "features", "lint" })
        {
            Assert.Equal("cached", nodes[step].State);
            var from = pipelines.StepRunId(pipelines.Failed, step);
            var row = html[html.IndexOf($"<tr data-step=\"{step}\">", StringComparison.Ordinal)..];
            row = row[..row.IndexOf("</tr>", StringComparison.Ordinal)];
            Assert.Contains($"href=\"/runs/{from}\"", row); // cached from
            Assert.Contains($"href=\"/runs/{from}?dir=logs&file=logs%2Fstep.log#artifacts\"", row); // the log is the computing run's
        }
        Assert.Equal(3, Regex.Matches(html, "↺ cache").Count);
        Assert.Equal("succeeded", nodes["train"].State);
        Assert.Equal("succeeded", nodes["report"].State);
        var prepareFrom = pipelines.StepRunId(pipelines.Failed, "prepare");
        Assert.Contains($"href=\"/runs/{prepareFrom}?dir=outputs#artifacts\">output files</a>", html);
        Assert.Contains("<code>raw</code> = ", html);
    }

    [Fact]
    public async Task RunPages_OfAPipelineRunAndOfAStepRun_LinkToThePipelineRunPage()
    {
        var run = pipelines.Failed;
        var (_, html) = await GetAsync($"/runs/{run.PipelineRunId}");
        Assert.Contains($"class=\"pipeline-link\" href=\"/pipelines/runs/{run.PipelineRunId}\"", html);
        (_, html) = await GetAsync($"/runs/{pipelines.StepRunId(run, "train")}");
        Assert.Contains($"class=\"pipeline-link\" href=\"/pipelines/runs/{run.PipelineRunId}\"", html);
        Assert.Contains("step train of", html);
    }

    [Fact]
    public async Task PipelineRunPage_OfAStepRunOrAnUnknownRun_SaysSoWithA4xx()
    {
        var (status, html) = await GetAsync($"/pipelines/runs/{pipelines.StepRunId(pipelines.Failed, "train")}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("is not a pipeline run", html);
        (status, html) = await GetAsync("/pipelines/runs/0123456789abcdef0123456789abcdef");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("   at ", html);
    }
}
