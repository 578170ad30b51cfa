using System.Net;
using System.Text.RegularExpressions;
using Cairn.Testing;

namespace Cairn.Server.Ui.Tests;

/// <summary>The monitor pages over plain HTTP, on the monitors, runs and alerts of <see cref="MonitorServer"/>.</summary>
[Collection(MonitorServerCollection.Name)]
public sealed partial class MonitorPageTests(MonitorServer monitors)
{
    private static readonly string DriftLink = "/monitors/" + MonitorServer.Drift;

    private async Task<(HttpStatusCode Status, string Html)> GetAsync(string path)
    {
        using var response = await monitors.Server.Http.GetAsync(path);
        return (response.StatusCode, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>The HTML of the element that starts with <paramref name="open"/> up to <paramref name="close"/>, around <paramref name="marker"/>.</summary>
    private static string Around(string html, string marker, string open, string close)
    {
        var at = html.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"not in the page: {marker}");
        var start = html.LastIndexOf(open, at, StringComparison.Ordinal);
        return html[start..html.IndexOf(close, at, StringComparison.Ordinal)];
    }

    [GeneratedRegex("""<path class="series s\d" d="(?<d>[^"]*)">""")]
    private static partial Regex SeriesPath();

    /// <summary>The points the chart of <paramref name="key"/> draws: the moves and lines of its path.</summary>
    private static int ChartPoints(string html, string key)
    {
        var figure = Around(html, $"id=\"chart-{key}\"", "<figure", "</figure>");
        var d = SeriesPath().Match(figure).Groups["d"].Value;
        return d.Count(c => c is 'M' or 'L');
    }

    [Fact]
    public async Task MonitorsPage_ListsEachMonitor_WithItsLastRunDriftShareAndFiringAlerts()
    {
        var (status, html) = await GetAsync("/monitors");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("""<a href="/monitors">Monitors</a>""", html); // in the navigation
        Assert.Equal(3, Regex.Count(html, "<tr data-monitor="));

        var drift = Around(html, $"data-monitor=\"{MonitorServer.Drift}\"", "<tr", "</tr>");
        Assert.Contains($"<a href=\"{DriftLink}\">{MonitorServer.Drift}</a>", drift);
        Assert.Contains("""<a href="/models/delay">models:/delay@champion</a>""", drift);
        Assert.Contains("0 * * * *", drift);
        Assert.Contains("failed", drift); // the newest run failed
        Assert.Contains(">0.75<", drift); // the drift share of the newest run that has one
        Assert.Matches("""<span class="firing-count">2</span>\s*<span class="severity severity-critical"[^>]*>critical</span>""", drift);

        var quiet = Around(html, $"data-monitor=\"{MonitorServer.Quiet}\"", "<tr", "</tr>");
        Assert.Contains("never run", quiet);
        Assert.Contains("<td>no</td>", quiet);
        Assert.Contains("""<a href="/models/delay/versions/3">""", quiet);

        // Firing alerts of every monitor, the critical one first; the resolved one is not among them.
        var firing = Around(html, "id=\"firing-title\"", "<section", "</section>");
        Assert.True(firing.IndexOf("drift_share 0.75 > 0.3", StringComparison.Ordinal) < firing.IndexOf("auc 0.66 < 0.7", StringComparison.Ordinal));
        Assert.DoesNotContain("p99_latency_ms 35", firing);
        Assert.Contains("drift_share 0.5 > 0.3", Around(html, "id=\"events-title\"", "<section", "</section>"));
    }

    [Fact]
    public async Task MonitorPage_ChartsDriftAndPerformanceOverTime_OnePointPerRun()
    {
        var (status, html) = await GetAsync(DriftLink);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(MonitorServer.SucceededRuns, ChartPoints(html, "drift_share"));
        Assert.Equal(MonitorServer.SucceededRuns, ChartPoints(html, "auc"));
        Assert.Equal(MonitorServer.SucceededRuns, ChartPoints(html, "p99_latency_ms"));
        Assert.Contains($"{MonitorServer.SucceededRuns} points", Around(html, "id=\"chart-drift_share\"", "<figure", "</figure>"));
        Assert.DoesNotContain("id=\"chart-rmse\"", html); // no run has it
        Assert.Contains("wall time (UTC)", html);
    }

    [Fact]
    public async Task MonitorPage_ShowsTheSpec_WithoutTheWebhookSecret()
    {
        var (_, html) = await GetAsync(DriftLink);
        Assert.Contains("Drift of the delay model's inputs, hourly.", html);
        Assert.Contains("0 * * * * (UTC)", html);
        Assert.Contains("the data the model version was trained on", html);
        Assert.Contains("webhook, https://hooks.slack.com/…, format slack", html);
        Assert.DoesNotContain("SECRETTOKEN", html);
        var rules = Around(html, "id=\"rules-title\"", "<section", "</section>");
        Assert.Contains("<code>drift_share > 0.3</code>", rules);
        Assert.Contains("""<span class="alert-state alert-firing">firing</span>""", Around(rules, "auc < 0.7", "<tr", "</tr>"));
        Assert.Contains("""<span class="alert-state alert-resolved">resolved</span>""", Around(rules, "p99_latency_ms > 50", "<tr", "</tr>"));
    }

    [Fact]
    public async Task MonitorPage_FeatureTable_OfTheLatestSucceededRun_DriftedFirst_LinkingEachColumnAndTheReport()
    {
        var (_, html) = await GetAsync(DriftLink);
        var features = Around(html, "id=\"features-title\"", "<section", "</section>");
        var rows = Regex.Matches(features, "<th scope=\"row\"><a href=\"(?<href>[^\"]*)\">(?<column>[^<]*)</a></th>").Select(m => (m.Groups["column"].Value, m.Groups["href"].Value)).ToList();
        Assert.Equal(
            [("Distance", DriftLink + "/features?column=Distance"), ("DepDelay", DriftLink + "/features?column=DepDelay"), ("Origin", DriftLink + "/features?column=Origin")],
            rows);
        var distance = Around(features, "column=Distance", "<tr", "</tr>");
        Assert.Contains("class=\"drifted\"", distance);
        Assert.Contains("<td>yes</td>", distance);
        Assert.Contains(">0.2<", distance); // drift score of the latest succeeded run
        Assert.Contains(">0.3<", distance); // PSI
        Assert.Contains(">0.03<", Around(features, "column=Origin", "<tr", "</tr>")); // missing rate

        var report = $"/ui/runs/{monitors.TrackingRuns[^1]}/artifact?path=report.html";
        Assert.Contains($"<a class=\"report-link\" href=\"{report}\">", features);
        using var response = await monitors.Server.Http.GetAsync(report);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Content.Headers.ContentDisposition); // shown, not downloaded
        Assert.StartsWith("sandbox", response.Headers.GetValues("Content-Security-Policy").Single()); // and its script cannot run
        Assert.Equal(MonitorServer.Report, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MonitorPage_ListsRunsNewestFirst_WithTheirErrors_AndTheAlerts()
    {
        var (_, html) = await GetAsync(DriftLink);
        var runs = Around(html, "id=\"runs-title\"", "<section", "</section>");
        var statuses = Regex.Matches(runs, "<span class=\"status status-[a-z]+\">([a-z]+)</span>").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["failed", "succeeded", "succeeded", "succeeded", "succeeded"], statuses);
        Assert.Contains("The inference log has no file in this window.", runs);
        Assert.Contains(">0.75<", runs);
        Assert.Contains($"href=\"/runs/{monitors.TrackingRuns[0]}\"", runs);

        var alerts = Around(html, "id=\"alerts-title\"", "<section", "</section>");
        Assert.Equal(3, Regex.Count(alerts[..alerts.IndexOf("Recent events", StringComparison.Ordinal)], "<th scope=\"row\">"));
        Assert.Contains("""<span class="severity severity-critical">critical</span>""", alerts);
        Assert.Contains("2025-11-24", alerts); // since
    }

    [Fact]
    public async Task FeaturePage_ChartsTheColumnsValuesOverTime()
    {
        var (status, html) = await GetAsync(DriftLink + "/features?column=Distance");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(MonitorServer.SucceededRuns, ChartPoints(html, "drift_score(Distance)"));
        Assert.Equal(MonitorServer.SucceededRuns, ChartPoints(html, "psi(Distance)"));
        Assert.Contains("id=\"chart-drift(Distance)\"", html);
        Assert.DoesNotContain("id=\"chart-drift_score(Origin)\"", html);
        Assert.Equal(MonitorServer.SucceededRuns, Regex.Count(Around(html, "id=\"feature-runs-title\"", "<section", "</section>"), "<tr>") - 1);
    }

    [Theory]
    [InlineData("/monitors/nope", 404, "No monitor named 'nope'.")]
    [InlineData("/monitors/nope/features?column=Distance", 404, "No monitor named 'nope'.")]
    [InlineData("/monitors/delay-drift/features?column=Nope", 404, "No run of monitor 'delay-drift' recorded a value for the column 'Nope'.")]
    [InlineData("/monitors/delay-drift/features", 400, "Name the column to show")]
    public async Task UnknownMonitorOrColumn_IsTheNotFoundState(string path, int expected, string message)
    {
        var (status, html) = await GetAsync(path);
        Assert.Equal(expected, (int)status);
        Assert.Contains("role=\"alert\"", html);
        Assert.Contains(message, html);
        Assert.DoesNotContain("   at ", html); // no stack trace
    }

    [GeneratedRegex("""\s(?:href|src|action|formaction)\s*=\s*"(?<url>[^"]*)"|\s(?:href|src|action|formaction)\s*=\s*'(?<url>[^']*)'""", RegexOptions.IgnoreCase)]
    private static partial Regex UrlAttribute();

    [Fact]
    public async Task HostileMonitor_IsShownAsText_OnEveryMonitorPage()
    {
        var name = Uri.EscapeDataString(MonitorServer.HostileName);
        foreach (var path in new[] { "/monitors", $"/monitors/{name}", $"/monitors/{name}/features?column={name}" })
        {
            using var response = await monitors.Server.Http.GetAsync(path);
            var raw = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            Assert.DoesNotContain("<script", raw, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img src=x", raw, StringComparison.OrdinalIgnoreCase);
            foreach (var url in UrlAttribute().Matches(raw).Select(m => WebUtility.HtmlDecode(m.Groups["url"].Value).Trim()))
                Assert.True(url.StartsWith('/') || url.StartsWith('#') || url == "data:,", $"{path}: unexpected URL in the page: {url}");
            Assert.Contains("&lt;script&gt;alert(&#x27;monitor&#x27;)&lt;/script&gt;", raw); // shown, as text
            Assert.DoesNotContain("severity-&lt;", raw); // stored text never names a class
        }
    }

    [Fact]
    public async Task WithoutAMonitorStore_ThePagesSayMonitoringIsNotConfigured()
    {
        await using var server = await RunningServer.StartAsync(o => o with { Monitors = null });
        using var list = await server.Http.GetAsync("/monitors");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains("Monitoring is not configured", await list.Content.ReadAsStringAsync());
        using var one = await server.Http.GetAsync("/monitors/" + MonitorServer.Drift);
        Assert.Equal(HttpStatusCode.NotFound, one.StatusCode);
        Assert.Contains("Monitoring is not configured", await one.Content.ReadAsStringAsync());
    }
}
