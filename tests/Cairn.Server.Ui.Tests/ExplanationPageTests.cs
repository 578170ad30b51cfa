using System.Net;
using System.Text.RegularExpressions;

namespace Cairn.Server.Ui.Tests;

/// <summary>The "Feature importance" section of a model version page, over plain HTTP on <see cref="ExplanationServer"/>.</summary>
public sealed partial class ExplanationPageTests(ExplanationServer explained) : IClassFixture<ExplanationServer>
{
    private static string VersionLink(string version, string query = "") => $"/models/{ExplanationServer.Model}/versions/{version}{query}";

    private async Task<(HttpStatusCode Status, string Raw)> GetAsync(string path)
    {
        using var response = await explained.Server.Http.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Section(string html, string titleId = "importance-title")
    {
        var at = html.IndexOf($"id=\"{titleId}\"", StringComparison.Ordinal);
        Assert.True(at >= 0, $"no section {titleId}");
        return html[html.LastIndexOf("<section", at, StringComparison.Ordinal)..html.IndexOf("</section>", at, StringComparison.Ordinal)];
    }

    [GeneratedRegex("""<g class="bar(?: other)?" (?:data-feature="(?<feature>[^"]*)" )?transform""")]
    private static partial Regex Bar();

    [GeneratedRegex("""<circle class="point (?:raises|lowers)" cx="(?<x>[^"]*)" cy="[^"]*" r="3"><title>(?<title>[^<]*)</title>""")]
    private static partial Regex Point();

    [Fact]
    public async Task StoredExplanation_BarsMostImportantFirst_WithMethodLinkOutputAndBaseValue()
    {
        var (status, raw) = await GetAsync(VersionLink("1"));
        Assert.Equal(HttpStatusCode.OK, status);
        var section = WebUtility.HtmlDecode(Section(raw));
        Assert.Equal(["Origin", "Distance"], Bar().Matches(section).Select(m => m.Groups["feature"].Value));
        Assert.Contains("4 sample rows; method <code>tree_interventional</code>, link <code>identity</code>, output <code>Score</code>, base value 0.25", section);
        Assert.Contains("No finite value for: Broken.", section);
        // Each bar's label opens its feature's dependence plot.
        Assert.Contains($"<a href=\"{VersionLink("1", "?feature=Distance")}#dependence-title\"><text class=\"bar-label\"", section);
        Assert.DoesNotContain("no-explanation", section);
    }

    [Fact]
    public async Task DependencePlot_OfTheMostImportantFeatureByDefault_TextValuesInBands()
    {
        var (_, raw) = await GetAsync(VersionLink("1"));
        var section = WebUtility.HtmlDecode(Section(raw));
        Assert.Contains("aria-label=\"Dependence plot of Origin\"", section);
        Assert.Contains("aria-current=\"true\">Origin</a>", section);
        Assert.Equal(["SEA: 0.5", "JFK: -0.7", "SEA: 0.6", "SEA: 0.4"], Point().Matches(section).Select(m => m.Groups["title"].Value));
        Assert.Contains("one band per value", section);
    }

    [Fact]
    public async Task DependencePlot_OfAChosenNumericFeature_PlacesNumbers_AndCountsTheMissingValue()
    {
        var (status, raw) = await GetAsync(VersionLink("1", "?feature=Distance"));
        Assert.Equal(HttpStatusCode.OK, status);
        var section = WebUtility.HtmlDecode(Section(raw));
        Assert.Contains("aria-label=\"Dependence plot of Distance\"", section);
        var points = Point().Matches(section).ToList();
        Assert.Equal(["100: -0.2", "300: 0.3", "200: 0.1"], points.Select(m => m.Groups["title"].Value));
        // x grows with the value: 100 < 200 < 300.
        var x = points.Select(m => double.Parse(m.Groups["x"].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(x[0] < x[2] && x[2] < x[1]);
        Assert.Contains("3 sample rows, 1 without a value to place", section);
        Assert.DoesNotContain("one band per value", section);
    }

    [Fact]
    public async Task UnknownFeature_IsANotFound_SaidInTheSection_AndTheBarsStillShow()
    {
        var (status, raw) = await GetAsync(VersionLink("1", "?feature=Nope"));
        Assert.Equal(HttpStatusCode.NotFound, status);
        var section = WebUtility.HtmlDecode(Section(raw));
        Assert.Contains("This explanation has no feature named 'Nope'.", section);
        Assert.Equal(2, Bar().Matches(section).Count);
        Assert.DoesNotContain("<circle", section);
    }

    [Fact]
    public async Task NoStoredExplanation_SaysWhichCommandComputesOne()
    {
        var (status, raw) = await GetAsync(VersionLink("2"));
        Assert.Equal(HttpStatusCode.OK, status);
        var section = WebUtility.HtmlDecode(Section(raw));
        Assert.Contains("<code>cairn models explain-global models:/explained/2</code>", section);
        Assert.DoesNotContain("<svg", section);
    }

    [Fact]
    public async Task DamagedExplanation_IsSaidInline_AndTheRestOfThePageShows()
    {
        var (status, raw) = await GetAsync(VersionLink("3"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("The stored explanation could not be read", Section(raw));
        Assert.Contains("id=\"card-title\"", raw);
        Assert.DoesNotContain("   at ", raw); // no stack trace
    }

    [Fact]
    public async Task HostileFeatureNamesAndValues_AreText_InTheBarsAndTheDependencePlot()
    {
        var (status, raw) = await GetAsync(VersionLink("4"));
        Assert.Equal(HttpStatusCode.OK, status);
        var section = Section(raw);
        Assert.DoesNotContain("<img", section, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", section, StringComparison.OrdinalIgnoreCase);
        // Shown, escaped: in the bar's label, the plot's band and a point's title.
        Assert.Contains("&quot;&gt;&lt;img src=x onerror=alert(&#x27;feature&#x27;)&gt;", section);
        Assert.Contains("&lt;script&gt;alert(&#x27;value&#x27;)&lt;/script&gt;", section);
        var decoded = WebUtility.HtmlDecode(section);
        Assert.Contains($"<title>{ExplanationServer.HostileValue}: 1</title>", decoded);
        Assert.Contains($"aria-label=\"Dependence plot of {ExplanationServer.HostileFeature}\"", decoded);
    }

    [GeneratedRegex("""<tr data-request="(?<request>[^"]*)"(?<selected> class="selected" aria-current="true")?>""")]
    private static partial Regex ExplainedRow();

    [GeneratedRegex("""<g class="step (?<dir>raises|lowers)" data-feature="[^"]*" transform="[^"]*"><title>(?<title>[^<]*)</title>""")]
    private static partial Regex Step();

    [Fact]
    public async Task ExplainedRequests_NewestFirst_OnlyThisVersionsExplainedRowsOfTheLastDay_WithTheUnreadableFileNamed()
    {
        var (status, raw) = await GetAsync(VersionLink("1"));
        Assert.Equal(HttpStatusCode.OK, status);
        var section = WebUtility.HtmlDecode(Section(raw, "explained-title"));
        // r-plain was not explained, r-v2 is another version's, r-old is older than a day.
        Assert.Equal([("r-new", true), ("r-two", false), ("r-two", false)],
            ExplainedRow().Matches(section).Select(m => (m.Groups["request"].Value, m.Groups["selected"].Success)));
        Assert.Contains("<td class=\"num output\">0.5</td>", section);
        Assert.Contains("Distance = 400: +0.2", section);
        Assert.Contains("Could not read 1 log file(s): part-3-broken.parquet.", section);
        Assert.Contains($"<a href=\"{VersionLink("1", "?request=r-two&row=1")}#explained-title\"><code>r-two</code></a>", section);
    }

    [Fact]
    public async Task Waterfall_OfTheNewestByDefault_LargestFirst_FromTheBaseValueToTheOutput()
    {
        var (_, raw) = await GetAsync(VersionLink("1"));
        var section = WebUtility.HtmlDecode(Section(raw, "explained-title"));
        Assert.Contains("aria-label=\"Waterfall of request r-new, row 0\"", section);
        Assert.Equal([("raises", "Distance = 400: +0.2"), ("raises", "Origin = BOS: +0.05")],
            Step().Matches(section).Select(m => (m.Groups["dir"].Value, m.Groups["title"].Value)));
        Assert.Contains("base value 0.25 + SHAP values = output 0.5", section);
        // The axis is titled with the output the stored explanation names.
        Assert.Contains(">Score</text>", section);
    }

    [Fact]
    public async Task Waterfall_OfAChosenRow_MarksItInTheList()
    {
        var (status, raw) = await GetAsync(VersionLink("1", "?request=r-two&row=1"));
        Assert.Equal(HttpStatusCode.OK, status);
        var section = WebUtility.HtmlDecode(Section(raw, "explained-title"));
        Assert.Equal([false, false, true], ExplainedRow().Matches(section).Select(m => m.Groups["selected"].Success));
        Assert.Equal([("lowers", "Origin = JFK: -0.7"), ("raises", "Distance = 900: +0.3")],
            Step().Matches(section).Select(m => (m.Groups["dir"].Value, m.Groups["title"].Value)));
        Assert.Contains("output -0.15", section);
    }

    [Fact]
    public async Task UnknownRequest_IsANotFound_SaidInTheSection()
    {
        var (status, raw) = await GetAsync(VersionLink("1", "?request=nope"));
        Assert.Equal(HttpStatusCode.NotFound, status);
        var section = WebUtility.HtmlDecode(Section(raw, "explained-title"));
        Assert.Contains("No explained row 0 of request 'nope' in this window.", section);
        Assert.Empty(Step().Matches(section));
        Assert.Equal(3, ExplainedRow().Matches(section).Count);
    }

    [Fact]
    public async Task NoExplainedRequest_SaysHowServingLogsThem()
    {
        var (status, raw) = await GetAsync(VersionLink("3"));
        Assert.Equal(HttpStatusCode.OK, status);
        var section = WebUtility.HtmlDecode(Section(raw, "explained-title"));
        Assert.Contains("<code>cairn serve models:/explained/3 --explain --explain-log-rate 0.1</code>", section);
        Assert.DoesNotContain("<svg", section);
    }

    [Fact]
    public async Task HostileFeatureNamesAndValues_AreText_InTheExplainedRequestsAndTheirWaterfall()
    {
        var (_, raw) = await GetAsync(VersionLink("4"));
        var section = Section(raw, "explained-title");
        Assert.DoesNotContain("<img", section, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", section, StringComparison.OrdinalIgnoreCase);
        var decoded = WebUtility.HtmlDecode(section);
        Assert.Contains($"<title>{ExplanationServer.HostileFeature} = {ExplanationServer.HostileValue}: +2</title>", decoded);
        Assert.Contains("&lt;script&gt;alert(&#x27;value&#x27;)&lt;/script&gt;", section);
    }
}
