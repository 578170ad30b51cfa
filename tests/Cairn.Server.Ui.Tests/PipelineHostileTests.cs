using System.Net;
using System.Text.RegularExpressions;
using Cairn.Pipelines;
using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// Pipeline runs written by an attacker straight to the store (the REST API takes any tag): script
/// in the pipeline's name, the step names, errors, outputs, the cached-from run and a definition
/// that does not parse. The pages show it all as text, in the SVG as in the tables.
/// </summary>
public sealed partial class PipelineHostileTests
{
    private const string PipelineName = "<script>alert('pipeline')</script>";
    private const string ScriptStep = "<script>alert('step')</script>";
    private const string AttributeBreakingStep = "\"><a href=\"javascript:alert('attr')\">x</a><svg onload=alert('svg')>";
    private const string HostileError = "<img src=x onerror=alert('error')>";
    private const string HostileOutputs = """{"o":"<script>alert('output')</script>","<b>bold</b>":"x"}""";

    [GeneratedRegex("""\s(?:href|src|action|formaction)\s*=\s*"(?<url>[^"]*)"|\s(?:href|src|action|formaction)\s*=\s*'(?<url>[^']*)'""", RegexOptions.IgnoreCase)]
    private static partial Regex UrlAttribute();

    private static void AssertSafe(string html)
    {
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img src=x", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<svg onload", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>bold</b>", html, StringComparison.OrdinalIgnoreCase);
        foreach (var url in UrlAttribute().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups["url"].Value).Trim()))
            Assert.True(url.StartsWith('/') || url.StartsWith('#') || url == "data:,", $"unexpected URL in the page: {url}");
    }

    [Fact]
    public async Task HostilePipelineRun_IsShownAsText_OnEveryPipelinePage()
    {
        await using var server = await RunningServer.StartAsync();
        var store = server.Store;
        var experiment = await store.CreateExperimentAsync(PipelineTags.ExperimentName(PipelineName));
        var pipelineRun = await store.CreateRunAsync(new NewRun(experiment, "mallory", 1_760_000_000_000L, PipelineName,
            [new(PipelineTags.Role, "pipeline"), new(PipelineTags.Pipeline, PipelineName), new(PipelineTags.Error, HostileError),
                new(PipelineTags.Executor, ScriptStep), new(PipelineTags.DefinitionFile, ScriptStep)]));
        var runId = pipelineRun.Info.RunId;
        await store.LogBatchAsync(runId, new LogBatch(Params: [new Param("p", "<b>bold</b>" + ScriptStep)]));
        await server.Artifacts.PutAsync(Artifacts.ArtifactPath.FromUri(pipelineRun.Info.ArtifactUri) + "/" + PipelineTags.DefinitionArtifact,
            new MemoryStream("name: x\nsteps:\n  \"<script>alert('yaml')</script>\": {run: echo}\n"u8.ToArray()));
        var stepIds = new List<string>();
        foreach (var (step, status, cached) in new[] { (ScriptStep, RunStatus.Failed, "false"), (AttributeBreakingStep, RunStatus.Finished, "true") })
        {
            var run = await store.CreateRunAsync(new NewRun(experiment, "mallory", 1_760_000_001_000L, step,
            [
                new(PipelineTags.Role, "step"), new(PipelineTags.PipelineRun, runId), new(PipelineTags.ParentRun, runId), new(PipelineTags.Pipeline, PipelineName),
                new(PipelineTags.Step, step), new(PipelineTags.Cached, cached), new(PipelineTags.CachedFrom, "javascript:alert('from')"),
                new(PipelineTags.StepError, HostileError), new(PipelineTags.Attempts, ScriptStep), new(PipelineTags.Outputs, HostileOutputs),
            ]));
            await store.UpdateRunAsync(new RunUpdate(run.Info.RunId, status, 1_760_000_002_000L));
            stepIds.Add(run.Info.RunId);
        }
        await store.UpdateRunAsync(new RunUpdate(runId, RunStatus.Failed, 1_760_000_003_000L));

        foreach (var path in new[] { "/pipelines", $"/pipelines/runs/{runId}", $"/runs/{runId}", $"/runs/{stepIds[0]}", $"/runs/{stepIds[1]}" })
        {
            using var response = await server.Http.GetAsync(path);
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            AssertSafe(html);
            Assert.Contains("&lt;script&gt;alert(", html); // shown, as text
        }

        using var page = await server.Http.GetAsync($"/pipelines/runs/{runId}");
        var decoded = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        // Both steps are drawn (no definition parses, so without edges), named as the store names them.
        Assert.Contains($"data-step=\"{ScriptStep}\" data-state=\"failed\"", decoded);
        Assert.Contains($"data-step=\"{AttributeBreakingStep}\" data-state=\"cached\"", decoded);
        Assert.Contains("recorded no YAML definition", decoded);
        Assert.Contains($"<title>{ScriptStep}: failed", decoded);
        Assert.Contains(HostileError, decoded);
    }
}
