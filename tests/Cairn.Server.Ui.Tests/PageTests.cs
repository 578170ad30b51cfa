using System.Net;

namespace Cairn.Server.Ui.Tests;

/// <summary>The pages over plain HTTP: what they render, and how they answer bad input (a message and a 4xx, never a stack trace).</summary>
[Collection(SeededServerCollection.Name)]
public sealed class PageTests(SeededServer seeded)
{
    private HttpClient Http => seeded.Server.Http;

    private async Task<(HttpStatusCode Status, string Html)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static void AssertNoStackTrace(string html)
    {
        Assert.DoesNotContain("   at ", html);
        Assert.DoesNotContain("Exception", html);
    }

    [Fact]
    public async Task ExperimentsPage_ListsTheExperiment_WithALinkToItsRuns()
    {
        var (status, html) = await GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(SeededServer.Experiment, html);
        Assert.Contains($"/experiments/{seeded.ExperimentId}", html);
    }

    [Fact]
    public async Task RunsPage_FilterAndOrder_ShowsOnlyMatchingRunsInOrder()
    {
        var (status, html) = await GetAsync($"/experiments/{seeded.ExperimentId}?filter={Uri.EscapeDataString("params.trainer = 'LightGbm'")}&order={Uri.EscapeDataString("metrics.auc ASC")}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("fasttree-", html);
        var first = html.IndexOf("lightgbm-00", StringComparison.Ordinal);
        var later = html.IndexOf("lightgbm-28", StringComparison.Ordinal);
        Assert.True(first > 0 && later > first, "runs are in ascending AUC order");
        Assert.Contains("aria-sort=\"ascending\"", html);
    }

    [Theory]
    [InlineData("attributes.run_name ASC")]
    [InlineData("attributes.status DESC")]
    [InlineData("attributes.user_id ASC")]
    [InlineData("attributes.start_time ASC")]
    [InlineData("params.leaves DESC")]
    [InlineData("tags.team ASC")]
    public async Task RunsPage_EverySortableHeader_SortsWithoutError(string order)
    {
        var (status, html) = await GetAsync($"/experiments/{seeded.ExperimentId}?order={Uri.EscapeDataString(order)}&cols=params.leaves&cols=tags.team");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains($"{SeededServer.Runs} runs on this page", html);
    }

    [Fact]
    public async Task RunPage_DamagedParquet_SaysSoInsteadOfFailing()
    {
        var run = await seeded.Server.Store.GetRunAsync(seeded.RunIds[0]);
        var root = Artifacts.ArtifactPath.FromUri(run.Info.ArtifactUri);
        await seeded.Server.Artifacts.PutAsync(root + "/broken.parquet", new MemoryStream("not parquet at all"u8.ToArray()));
        var (status, html) = await GetAsync($"/runs/{seeded.RunIds[0]}?file=broken.parquet");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Could not read this file as Parquet", html);
    }

    [Fact]
    public async Task RunsPage_Paging_FollowsTheNextPageToken()
    {
        var (_, html) = await GetAsync($"/experiments/{seeded.ExperimentId}?size=10");
        Assert.Contains("10 runs on this page", html);
        var next = System.Text.RegularExpressions.Regex.Match(html, "href=\"([^\"]*page=[^\"]*)\" rel=\"next\"").Groups[1].Value;
        Assert.NotEmpty(next);
        var (status, second) = await GetAsync(WebUtility.HtmlDecode(next));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("First page", second);
    }

    [Fact]
    public async Task RunsPage_ChosenColumns_AreShown()
    {
        var (_, html) = await GetAsync($"/experiments/{seeded.ExperimentId}?cols=tags.team&cols=params.leaves");
        Assert.Contains(">tags.team", html);
        Assert.Contains(">params.leaves", html);
        Assert.DoesNotContain(">metrics.auc<", html.Replace(" ▲", "").Replace(" ▼", ""));
    }

    [Fact]
    public async Task RunsPage_BadFilter_ShowsTheParserMessageInlineWith400()
    {
        var (status, html) = await GetAsync($"/experiments/{seeded.ExperimentId}?filter={Uri.EscapeDataString("metrics.auc >>> 1")}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("id=\"filter-error\"", html);
        Assert.Contains("value=\"metrics.auc &gt;&gt;&gt; 1\"", html);
        AssertNoStackTrace(html);
    }

    [Fact]
    public async Task RunsPage_GarbagePageToken_Says400AndHowToRecover()
    {
        var (status, html) = await GetAsync($"/experiments/{seeded.ExperimentId}?page=not-a-token");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Invalid page token", html);
        AssertNoStackTrace(html);
    }

    [Fact]
    public async Task RunsPage_UnknownExperiment_Says404()
    {
        var (status, html) = await GetAsync("/experiments/987654");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("role=\"alert\"", html);
        AssertNoStackTrace(html);
    }

    [Fact]
    public async Task RunPage_UnknownRun_Says404()
    {
        var (status, html) = await GetAsync("/runs/0123456789abcdef0123456789abcdef");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("role=\"alert\"", html);
        AssertNoStackTrace(html);
    }

    [Fact]
    public async Task RunPage_ShowsParamsInputsOutputsSignatureAndCharts()
    {
        var (status, html) = await GetAsync($"/runs/{seeded.ShowcaseRunId}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("learning_rate", html);
        Assert.Contains("flights-sample", html);
        Assert.Contains($"/models/{SeededServer.Model}/versions/1", html);
        Assert.Contains("Hour", html);
        Assert.Contains("<svg", html);
    }

    [Fact]
    public async Task RunPage_100kPointMetric_IsDrawnFromAtMostAThousandPoints()
    {
        var (status, html) = await GetAsync($"/runs/{seeded.ShowcaseRunId}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("100,000 points, drawn as min/max of 500 buckets", html);
        // Every chart together stays small enough for a browser to draw at once.
        Assert.True(html.Length < 3_000_000, $"the page is {html.Length:N0} characters");
    }

    [Fact]
    public async Task RunPage_BadChartSettings_Says400AndStillShowsTheRun()
    {
        var (status, html) = await GetAsync($"/runs/{seeded.ShowcaseRunId}?smooth=7");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Invalid smoothing", html);
        Assert.Contains("learning_rate", html);
    }

    [Theory]
    [InlineData("notes.txt", "Second line.")]
    [InlineData("config.json", "&quot;leaves&quot;: 64")]
    [InlineData("importance.csv", "Hour, local")]
    [InlineData("predictions.parquet", "SEA")]
    [InlineData("plots/roc.png", "<img")]
    public async Task RunPage_ArtifactPreview_ShowsEachKind(string file, string expected)
    {
        var (status, html) = await GetAsync($"/runs/{seeded.ShowcaseRunId}?file={Uri.EscapeDataString(file)}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(expected, html);
    }

    [Fact]
    public async Task RunPage_ArtifactPathEscapingTheRun_Says400()
    {
        var (status, html) = await GetAsync($"/runs/{seeded.ShowcaseRunId}?file={Uri.EscapeDataString("../../x")}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not allowed", html);
    }

    [Fact]
    public async Task RawArtifact_ServesTheImageInline()
    {
        using var response = await Http.GetAsync($"/ui/runs/{seeded.ShowcaseRunId}/artifact?path=plots/roc.png");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ComparePage_ThreeRuns_HighlightsDifferingRows()
    {
        var query = string.Join('&', seeded.RunIds.Take(3).Select(id => "runs=" + id));
        var (status, html) = await GetAsync("/compare?" + query);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Compare 3 runs", html);
        Assert.Contains("class=\"diff\"", html);
        Assert.Contains("Parallel coordinates", html);
    }

    [Fact]
    public async Task ComparePage_OneRun_Says400WithWhatToDo()
    {
        var (status, html) = await GetAsync("/compare?runs=" + seeded.RunIds[0]);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Select 2 to 20 runs", html);
    }

    [Fact]
    public async Task ModelVersionPage_ShowsLineageCardAndApprovals()
    {
        var (status, html) = await GetAsync($"/models/{SeededServer.Model}/versions/1");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("class=\"lineage\"", html);
        Assert.Contains("flights-sample", html);
        Assert.Contains($"<a class=\"node-name\" href=\"/datasets/{SeededServer.Dataset}\">data:/{SeededServer.Dataset}@1</a>", html);
        Assert.Contains("AUC gate waived for the demo", html);
        Assert.Contains("GateFailed", html);
        Assert.Contains("<h1>flight-delay, version 1</h1>", html);
    }

    /// <summary>The header texts of the runs table, in order (sort arrows left out).</summary>
    private static List<string> RunsTableHeaders(string html)
    {
        var head = html[html.IndexOf("<thead>", html.IndexOf("aria-label=\"Runs\"", StringComparison.Ordinal), StringComparison.Ordinal)..];
        head = head[..head.IndexOf("</thead>", StringComparison.Ordinal)];
        return System.Text.RegularExpressions.Regex.Matches(head, "<th[^>]*>(.*?)</th>", System.Text.RegularExpressions.RegexOptions.Singleline)
            .Select(m => WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(m.Groups[1].Value, "<[^>]+>", "")).Replace(" ▲", "").Replace(" ▼", "").Trim())
            .ToList();
    }

    [Fact]
    public async Task RunsPage_DefaultColumns_ShowTheParamsAndMetricsThatDifferFirst()
    {
        var (status, html) = await GetAsync($"/experiments/{seeded.ExperimentId}");
        Assert.Equal(HttpStatusCode.OK, status);
        var headers = RunsTableHeaders(html);
        // trainer and trees differ between the runs; dataset, label... are the same in all of them.
        Assert.Contains("params.trainer", headers);
        Assert.Contains("params.trees", headers);
        Assert.DoesNotContain("params.minimum_example_count_per_leaf", headers);
        Assert.DoesNotContain("metrics.epochs", headers);
        var firstConstant = headers.IndexOf("params.dataset");
        Assert.True(firstConstant < 0 || firstConstant > headers.IndexOf("params.trees"), string.Join(", ", headers));
        Assert.Equal(["metrics.accuracy", "metrics.auc", "metrics.f1", "metrics.grad_norm", "metrics.log_loss"], headers.Where(h => h.StartsWith("metrics.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RunPage_ChartTicks_AreRoundNumbers()
    {
        var (_, html) = await GetAsync($"/runs/{seeded.ShowcaseRunId}");
        var chart = html[html.IndexOf("id=\"chart-loss\"", StringComparison.Ordinal)..];
        chart = chart[..chart.IndexOf("</figure>", StringComparison.Ordinal)];
        // loss runs from 0.0185 to 0.2: ticks every 0.05 (1, 2 or 5 × 10^k), from 0 to 0.2.
        var yTicks = System.Text.RegularExpressions.Regex.Matches(chart, "<g class=\"tick y\"[^>]*>.*?<text[^>]*>([^<]*)</text>", System.Text.RegularExpressions.RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["0", "0.05", "0.1", "0.15", "0.2"], yTicks);
        var xTicks = System.Text.RegularExpressions.Regex.Matches(chart, "<g class=\"tick x\"[^>]*>.*?<text[^>]*>([^<]*)</text>", System.Text.RegularExpressions.RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["0", "10", "20", "30", "40"], xTicks);
    }

    [Fact]
    public async Task ModelVersionPage_DatasetLoggedWithADigest_ShowsItsNameAndAShortDigest()
    {
        var (_, html) = await GetAsync($"/models/{SeededServer.Model}/versions/1");
        var lineage = html[html.IndexOf("<ol class=\"lineage\"", StringComparison.Ordinal)..];
        lineage = lineage[..lineage.IndexOf("</ol>", StringComparison.Ordinal)];
        var text = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(lineage, "<[^>]+>", " "));
        Assert.Contains("<span class=\"node-name\">flights-sample</span>", lineage);
        Assert.Contains($"{SeededServer.SampleDigest[..8]}…", text);
        Assert.DoesNotContain(SeededServer.SampleDigest, text);
        Assert.Contains($"title=\"{SeededServer.SampleDigest}\"", lineage);
        Assert.DoesNotContain(new string('9', 20), text);
    }

    [Fact]
    public async Task ModelVersionPage_Signature_IsShownOnce()
    {
        var (_, html) = await GetAsync($"/models/{SeededServer.Model}/versions/1");
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, ">Signature<"));
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(html, "<td>input</td>").Count);
    }

    [Fact]
    public async Task ExperimentsPage_ShowsEachExperimentsRunCountAndLastRun()
    {
        var (status, html) = await GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, status);
        var row = System.Text.RegularExpressions.Regex.Match(html, $"<tr>(?:(?!</tr>).)*>{SeededServer.Experiment}</a>.*?</tr>", System.Text.RegularExpressions.RegexOptions.Singleline).Value;
        Assert.Contains($"<td class=\"num runs\">{SeededServer.Runs}</td>", row);
        var lastStart = DateTimeOffset.FromUnixTimeMilliseconds(SeededServer.FirstStart + (SeededServer.Runs - 1) * 60_000L).UtcDateTime;
        Assert.Contains(lastStart.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), row);
        var defaultRow = System.Text.RegularExpressions.Regex.Match(html, "<tr>(?:(?!</tr>).)*>Default</a>.*?</tr>", System.Text.RegularExpressions.RegexOptions.Singleline).Value;
        Assert.Contains("<td class=\"num runs\">0</td>", defaultRow);
    }

    [Fact]
    public async Task ModelPage_UnknownModel_Says404()
    {
        var (status, html) = await GetAsync("/models/no-such-model");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("role=\"alert\"", html);
        AssertNoStackTrace(html);
    }

    [Fact]
    public async Task Stylesheets_AreServed()
    {
        foreach (var sheet in new[] { "mudblazor.min.css", "cairn.css" })
        {
            using var response = await Http.GetAsync(CairnUi.AssetsPrefix + sheet);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/css", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task UnknownApiPath_StillAnswersMlflowJson404()
    {
        using var response = await Http.GetAsync("/api/2.0/mlflow/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("ENDPOINT_NOT_FOUND", await response.Content.ReadAsStringAsync());
    }
}
