using System.Net;
using System.Text.RegularExpressions;
using Cairn.Deployments;
using Cairn.Testing;

namespace Cairn.Server.Ui.Tests;

/// <summary>The endpoint pages over plain HTTP, on the endpoints, history and inference log of <see cref="EndpointServer"/>.</summary>
[Collection(EndpointServerCollection.Name)]
public sealed partial class EndpointPageTests(EndpointServer endpoints)
{
    private static readonly string DelayLink = "/endpoints/" + EndpointServer.Delay;

    private async Task<(HttpStatusCode Status, string Html)> GetAsync(string path)
    {
        using var response = await endpoints.Server.Http.GetAsync(path);
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

    private static string Section(string html, string titleId) => Around(html, $"id=\"{titleId}\"", "<section", "</section>");

    [Fact]
    public async Task EndpointsPage_ListsEachEndpoint_WithVariantsRolloutReplicasRevisionAndUpdateTime()
    {
        var (status, html) = await GetAsync("/endpoints");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("""<a href="/endpoints">Endpoints</a>""", html); // in the navigation
        Assert.Equal(5, Regex.Count(html, "<tr data-endpoint="));

        var delay = Around(html, $"data-endpoint=\"{EndpointServer.Delay}\"", "<tr", "</tr>");
        Assert.Contains($"<a href=\"{DelayLink}\">{EndpointServer.Delay}</a>", delay);
        Assert.Contains("<li>stable=models:/delay/3 (75%)</li>", delay);
        Assert.Contains("<li>v4=models:/delay/4 (25%)</li>", delay);
        Assert.Contains("<li>s5=models:/delay/5 (shadow 50%)</li>", delay);
        Assert.Contains("canary v4 at 25% (step 2 of 4); shadow s5 50%", delay);
        Assert.Contains(">1–3<", delay);
        Assert.Contains(">7<", delay);
        Assert.Contains("2025-11-24 12:10:00", delay);

        Assert.Contains("A/B on conversion (control a)", Around(html, $"data-endpoint=\"{EndpointServer.Checkout}\"", "<tr", "</tr>"));
        Assert.Contains($"canary v4 rolled back: {EndpointServer.RollbackReason}", Around(html, $"data-endpoint=\"{EndpointServer.Legacy}\"", "<tr", "</tr>"));
        Assert.Contains("<td class=\"rollout\">-</td>", Around(html, $"data-endpoint=\"{EndpointServer.BrokenLog}\"", "<tr", "</tr>"));
    }

    [GeneratedRegex("""<span class="split-part c\d" style="width: (?<weight>\d+)%" title="(?<title>[^"]*)">""")]
    private static partial Regex SplitPart();

    [Fact]
    public async Task EndpointPage_ShowsTheSplitOfLiveVariants_TheAliasFollowed_AndEachVariantsModel()
    {
        var (status, html) = await GetAsync(DelayLink);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Flight delay predictions for the booking site.", html);
        var variants = Section(html, "variants-title");
        // The shadow answers no request: it has no part of the bar.
        Assert.Equal([("75", "stable 75%"), ("25", "v4 25%")], SplitPart().Matches(variants).Select(m => (m.Groups["weight"].Value, m.Groups["title"].Value)).ToList());
        Assert.Contains("""<a href="/models/delay/versions/4"><code>models:/delay/4</code></a>""", Around(variants, "data-variant=\"v4\"", "<tr", "</tr>"));
        Assert.Contains("copies of 50%", Around(variants, "data-variant=\"s5\"", "<tr", "</tr>"));
        Assert.Contains("restores stable=models:/delay/3 (100%)", variants);
        Assert.Contains("""<a href="/models/delay"><code>@champion</code></a>""", Around(html, "class=\"alias\"", "<dd", "</dd>"));
        Assert.Contains("1–3", html);
    }

    [GeneratedRegex("""<path class="series s\d" d="(?<d>[^"]*)"><title>(?<name>[^<]*)</title>""")]
    private static partial Regex SeriesPath();

    [Fact]
    public async Task EndpointPage_LiveFigures_PerVariant_OverTheLastHourOfTheInferenceLog()
    {
        var (_, html) = await GetAsync(DelayLink);
        var live = Section(html, "live-title");
        Assert.Contains("2025-11-24 11:30:00 – 2025-11-24 12:30:00", live);
        void Row(string variant, int requests, int rows, double? p50, double? p99)
        {
            var row = Around(live, $"data-variant=\"{variant}\"", "<tr", "</tr>");
            Assert.Contains($"<td class=\"num requests\">{requests}</td>", row);
            Assert.Contains($"<td class=\"num rows\">{rows}</td>", row);
            if (p50 is not null) Assert.Contains($"<td class=\"num p50\">{p50}</td>", row);
            if (p99 is not null) Assert.Contains($"<td class=\"num p99\">{p99}</td>", row);
        }
        // The requests just before and at the end of the hour do not count.
        Row("stable", EndpointServer.StableRequests, EndpointServer.StableRows, EndpointServer.StableP50, EndpointServer.StableP99);
        Row("v4", EndpointServer.CanaryRequests, EndpointServer.CanaryRows, EndpointServer.CanaryP50, EndpointServer.CanaryP99);
        Row("s5", EndpointServer.ShadowRequests, EndpointServer.ShadowRows, 5, 5);
        // In the endpoint's order, so that a variant has the same colour in the split bar and the chart.
        Assert.Equal(["stable", "v4", "s5"], Regex.Matches(live, "<tr data-variant=\"([^\"]*)\"").Select(m => m.Groups[1].Value));

        // Requests per minute: one line per variant, a point per minute of the hour.
        var chart = Around(live, "id=\"chart-requests_per_minute\"", "<figure", "</figure>");
        var lines = SeriesPath().Matches(chart).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["d"].Value);
        Assert.Equal(["stable", "v4", "s5"], lines.Keys);
        Assert.All(lines.Values, d => Assert.Equal(60, d.Count(c => c is 'M' or 'L')));
    }

    [Fact]
    public async Task EndpointPage_AnUnreadableLogFile_IsNamed_AndThePageStillShows()
    {
        var (status, html) = await GetAsync("/endpoints/" + EndpointServer.BrokenLog);
        Assert.Equal(HttpStatusCode.OK, status);
        var live = Section(html, "live-title");
        Assert.Contains("Could not read 1 log file(s): part-0-broken.parquet.", live);
        Assert.Contains("No request in the inference log over the last hour", live);
    }

    [Fact]
    public async Task EndpointPage_AbTest_MetricControlAndStart_WithTheReportCommand()
    {
        var (_, html) = await GetAsync("/endpoints/" + EndpointServer.Checkout);
        var ab = Section(html, "ab-title");
        Assert.Contains("<span class=\"status status-running\">running</span>", ab);
        Assert.Contains("<dt>Metric</dt><dd>conversion (proportion)</dd>", ab);
        Assert.Contains("<dt>Control</dt><dd>a</dd>", ab);
        Assert.Contains("alpha 0.05, minimum detectable effect 0.05", ab);
        Assert.Contains("<dt>Started (UTC)</dt><dd>2025-11-23 12:30:00</dd>", ab);
        Assert.Contains("<code>cairn deploy ab-report checkout-ab</code>", ab);
        Assert.Contains("sticky by header:X-User-Id", html);
        Assert.DoesNotContain("id=\"canary-title\"", html);
        Assert.DoesNotContain("id=\"shadow-title\"", html);
    }

    [GeneratedRegex("""<li class="(?<state>step-[a-z]+)"(?<current> aria-current="step")?>\s*<span class="step-number">step (?<n>\d)</span>\s*<span class="step-weight">(?<weight>\d+)%</span>""")]
    private static partial Regex Step();

    [Fact]
    public async Task EndpointPage_RunningCanary_StepsAsAStrip_TheCurrentOneHighlighted_WithIntervalAndLimits()
    {
        var (_, html) = await GetAsync(DelayLink);
        var canary = Section(html, "canary-title");
        Assert.Contains("<span class=\"status status-running\">running</span>", canary);
        var steps = Step().Matches(canary).Select(m => (m.Groups["state"].Value, m.Groups["current"].Success, m.Groups["weight"].Value)).ToList();
        Assert.Equal([("step-done", false, "10"), ("step-current", true, "25"), ("step-next", false, "50"), ("step-next", false, "100")], steps);
        Assert.Contains("v4, compared with stable", canary);
        Assert.Contains("2 of 4: 25% of traffic, since 2025-11-24 12:10:00 UTC", canary);
        Assert.Contains("<dt>Interval</dt><dd>2 min per step</dd>", canary);
        Assert.Contains("error rate ≤ 0.01, p99 ≤ 250 ms; at least 20 canary requests per step", canary);
        Assert.DoesNotContain("Reason", canary);
    }

    [Fact]
    public async Task EndpointPage_RolledBackCanary_SaysWhy()
    {
        var (status, html) = await GetAsync("/endpoints/" + EndpointServer.Legacy);
        Assert.Equal(HttpStatusCode.OK, status);
        var canary = Section(html, "canary-title");
        Assert.Contains("<span class=\"status status-failed\">rolled back</span>", canary);
        Assert.Contains($"<dd class=\"canary-reason\">{EndpointServer.RollbackReason}</dd>", canary);
        Assert.Contains("<dt>Interval</dt><dd>1 min per step</dd>", canary);
        Assert.Contains("<span class=\"event event-bad\">canary rolled back</span>", Section(html, "history-title"));
    }

    [Fact]
    public async Task EndpointPage_Shadow_VariantPercentAndStart()
    {
        var (_, html) = await GetAsync(DelayLink);
        var shadow = Section(html, "shadow-title");
        Assert.Contains("<dt>Variant</dt><dd>s5</dd>", shadow);
        Assert.Contains("50% of live requests", shadow);
        Assert.Contains("2025-11-24 10:30:00", shadow);
        Assert.Contains("cairn deploy shadow-report delay-api", shadow);
    }

    [Fact]
    public async Task EndpointPage_History_NewestFirst_WithRevisionKindActorAndMessage()
    {
        var (_, html) = await GetAsync(DelayLink);
        var history = Section(html, "history-title");
        var rows = Regex.Matches(history, """<tr><td>(?<time>[^<]*)</td>\s*<td class="num">(?<rev>\d+)</td>\s*<td><span class="[^"]*">(?<kind>[^<]*)</span></td>\s*<td>(?<actor>[^<]*)</td>\s*<td class="event-message">(?<message>[^<]*)</td>""")
            .Select(m => (m.Groups["time"].Value, m.Groups["rev"].Value, m.Groups["kind"].Value, m.Groups["actor"].Value)).ToList();
        Assert.Equal(
            [("2025-11-24 12:10:00", "7", "canary step", "cairn"), ("2025-11-24 11:50:00", "6", "canary started", "bob"),
             ("2025-11-24 10:30:00", "5", "shadow started", "alice"), ("2025-11-21 12:30:00", "1", "created", "alice")],
            rows);
        Assert.Contains("step 2 of 4: v4 at 25% (error rate 0, p99 88 ms over 64 requests)", history);
    }

    [Fact]
    public async Task UnknownEndpoint_IsTheNotFoundState()
    {
        var (status, html) = await GetAsync("/endpoints/nope");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("role=\"alert\"", html);
        Assert.Contains("No endpoint named 'nope'.", html);
        Assert.DoesNotContain("   at ", html); // no stack trace
    }

    [GeneratedRegex("""\s(?:href|src|action|formaction|style)\s*=\s*"(?<url>[^"]*)"|\s(?:href|src|action|formaction|style)\s*=\s*'(?<url>[^']*)'""", RegexOptions.IgnoreCase)]
    private static partial Regex UrlAttribute();

    [Fact]
    public async Task HostileEndpoint_IsShownAsText_OnTheListAndItsPage()
    {
        foreach (var path in new[] { "/endpoints", "/endpoints/" + Uri.EscapeDataString(EndpointServer.HostileName) })
        {
            using var response = await endpoints.Server.Http.GetAsync(path);
            var raw = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            Assert.DoesNotContain("<script", raw, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img src=x", raw, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<strong>", raw, StringComparison.OrdinalIgnoreCase); // markdown is not rendered
            foreach (var url in UrlAttribute().Matches(raw).Select(m => WebUtility.HtmlDecode(m.Groups["url"].Value).Trim()))
                Assert.True(url.StartsWith('/') || url.StartsWith('#') || url == "data:," || url.StartsWith("width: ", StringComparison.Ordinal), $"{path}: unexpected URL or style in the page: {url}");
            Assert.Contains("&lt;script&gt;alert(&#x27;endpoint&#x27;)&lt;/script&gt;", raw); // shown, as text
            Assert.Contains("**bold** [click](javascript:alert(&#x27;md&#x27;))", raw);
            Assert.DoesNotContain("status-&lt;", raw); // stored text never names a class
            Assert.DoesNotContain("event-&lt;", raw);
        }
    }

    [Fact]
    public async Task WithoutAnEndpointStore_ThePagesSayEndpointsAreNotConfigured()
    {
        await using var server = await RunningServer.StartAsync(o => o with { Endpoints = null });
        using var list = await server.Http.GetAsync("/endpoints");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains("Endpoints are not configured", await list.Content.ReadAsStringAsync());
        using var one = await server.Http.GetAsync(DelayLink);
        Assert.Equal(HttpStatusCode.NotFound, one.StatusCode);
        Assert.Contains("Endpoints are not configured", await one.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WithoutAnInferenceLog_ThePageSaysLiveFiguresAreOff()
    {
        var store = new InMemoryEndpointStore();
        await store.CreateEndpointAsync(new EndpointSpec("solo", [new EndpointVariant("main", "models:/delay/3", 100)]), "alice");
        await using var server = await RunningServer.StartAsync(o => o with { Endpoints = store, InferenceLog = null });
        var html = WebUtility.HtmlDecode(await server.Http.GetStringAsync("/endpoints/solo"));
        Assert.Contains("Live figures are off", html);
        Assert.DoesNotContain("<table class=\"grid traffic\">", html);
        Assert.Contains("<span class=\"event event-good\">created</span>", html);
    }

    [Fact]
    public async Task SqliteEndpointStore_AnEndpointAndItsChanges_ShowAsStored_MarkupAsText()
    {
        await using var server = await RunningServer.StartAsync(); // the SQLite endpoint store
        var store = server.Stores.Endpoints;
        const string script = "<script>alert('sql')</script> **not bold**";
        var created = await store.CreateEndpointAsync(new EndpointSpec("fares", [new EndpointVariant("stable", "models:/fares/1", 100)], Description: script), "alice");
        await store.UpdateEndpointAsync(created.Spec with
        {
            Variants = [new EndpointVariant("stable", "models:/fares/1", 90), new EndpointVariant("v2", "models:/fares/2", 10)],
            Canary = new CanaryState("v2", "stable", [10, 50, 100], 300, MaxErrorRate: 0.02),
        }, created.Revision, new EndpointChange(EndpointEventKinds.CanaryStarted, script, "bob"));

        using var response = await server.Http.GetAsync("/endpoints/fares");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script", raw, StringComparison.OrdinalIgnoreCase);
        var html = WebUtility.HtmlDecode(raw);
        Assert.Contains($"<p class=\"description\">{script}</p>", html);
        Assert.Contains("<span class=\"step-weight\">10%</span>", Around(html, "aria-current=\"step\"", "<li", "</li>"));
        Assert.Contains("<dt>Interval</dt><dd>5 min per step</dd>", html);
        var history = Section(html, "history-title");
        Assert.Equal(2, Regex.Count(history, "<tr><td>"));
        Assert.Contains($"<td class=\"event-message\">{script}</td>", history);
        Assert.Contains(">bob<", history);

        using var unknown = await server.Http.GetAsync("/endpoints/nope");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("There is no endpoint named &#x27;nope&#x27;", await unknown.Content.ReadAsStringAsync());
    }
}
