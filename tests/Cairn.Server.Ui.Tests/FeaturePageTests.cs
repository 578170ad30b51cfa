using System.Net;
using System.Text.RegularExpressions;
using Cairn.Features;
using Cairn.Server.Ui.Components;
using Cairn.Testing;

namespace Cairn.Server.Ui.Tests;

/// <summary>The feature pages over plain HTTP, on the definitions and versions of <see cref="FeatureServer"/>.</summary>
[Collection(FeatureServerCollection.Name)]
public sealed class FeaturePageTests(FeatureServer features)
{
    private static readonly string DelaysLink = "/features/views/" + FeatureServer.Delays;

    private async Task<(HttpStatusCode Status, string Html)> GetAsync(string path)
    {
        using var response = await features.Server.Http.GetAsync(path);
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

    private static string Heading(string html) => html[html.IndexOf("<h1", StringComparison.Ordinal)..html.IndexOf("</h1>", StringComparison.Ordinal)];

    private static string Section(string html, string titleId) => Around(html, $"id=\"{titleId}\"", "<section", "</section>");

    private async Task<string> ChangedAsync(string kind, string name) =>
        Format.Time((await features.Store.GetDefinitionAsync(kind, name, null)).CreationTime);

    [Fact]
    public async Task FeaturesPage_ListsViewsServicesEntitiesAndSources_AtTheirLatestVersions()
    {
        var (status, html) = await GetAsync("/features");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("""<a href="/features">Features</a>""", html); // in the navigation
        var views = Section(html, "views-title");
        Assert.Equal(3, Regex.Count(views, "<tr data-view="));
        Assert.DoesNotContain(FeatureServer.Retired, views); // removed by the second apply

        var delays = Around(views, $"data-view=\"{FeatureServer.Delays}\"", "<tr", "</tr>");
        Assert.Contains($"<a href=\"{DelaysLink}\">{FeatureServer.Delays}</a>", delays);
        Assert.Contains("<td class=\"entities\">origin_airport</td>", delays);
        Assert.Contains("<td class=\"source\">flights</td>", delays);
        Assert.Contains("<td class=\"num feature-count\">3</td>", delays);
        Assert.Contains("<td class=\"ttl\">1d</td>", delays);
        Assert.Contains("<td class=\"online\">no</td>", delays);
        Assert.Contains("features:/airport_delays@3", delays);
        Assert.Contains(await ChangedAsync(FeatureDefinitionKinds.View, FeatureServer.Delays), delays);
        var weather = Around(views, $"data-view=\"{FeatureServer.Weather}\"", "<tr", "</tr>");
        Assert.Contains("<td class=\"ttl\">none</td>", weather);
        Assert.Contains("features:/weather@1", weather);
        Assert.Contains("cairn features stats", views);

        var services = Section(html, "services-title");
        var v1 = Around(services, $"data-service=\"{FeatureServer.DelayV1}\"", "<tr", "</tr>");
        Assert.Contains("""<a href="/features/services/delay_v1">delay_v1</a>""", v1);
        Assert.Contains("airport_delays:avg_delay_7d, weather:temp_max, airport_delays:delay_share", v1);
        Assert.Contains("<td class=\"num version\">2</td>", v1);
        Assert.Contains("airport_delays:flights_7d", Around(services, $"data-service=\"{FeatureServer.DelayV2}\"", "<tr", "</tr>"));

        Assert.Contains("Origin (string)", Around(html, "data-entity=\"origin_airport\"", "<tr", "</tr>"));
        Assert.Contains("data/flights.parquet", Around(html, "data-source=\"flights\"", "<tr", "</tr>"));
        Assert.Contains("SELECT * FROM read_csv('weather.csv')", Around(html, "data-source=\"weather_daily\"", "<tr", "</tr>"));
    }

    [Fact]
    public async Task ViewPage_ShowsTheLatestDefinition_FeaturesWithTheServicesUsingThem_EntitiesSourceAndTransformation()
    {
        var (status, html) = await GetAsync(DelaysLink);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("version 3", Heading(html));
        Assert.Contains("Rolling delays per airport", html);
        Assert.Contains("<dd class=\"ttl\">1d</dd>", html);
        Assert.Contains("offline only", html);

        var table = Section(html, "features-title");
        var average = Around(table, "data-feature=\"avg_delay_7d\"", "<tr", "</tr>");
        Assert.Contains("<td class=\"type\">double</td>", average);
        Assert.Contains("Mean delay over 7 days", average);
        Assert.Contains("""<a href="/features/services/delay_v1">delay_v1</a>""", average);
        Assert.DoesNotContain("delay_v2", average);
        var count = Around(table, "data-feature=\"flights_7d\"", "<tr", "</tr>");
        Assert.Contains("<td class=\"type\">int64</td>", count);
        Assert.Contains("""<a href="/features/services/delay_v2">delay_v2</a>""", count);

        Assert.Contains("Origin (string)", Around(html, "data-entity=\"origin_airport\"", "<tr", "</tr>"));
        Assert.Contains("data/flights.parquet", Around(html, "class=\"source\"", "<dd", "</dd>"));
        Assert.Contains($"<pre tabindex=\"0\" class=\"transformation\">{FeatureServer.TransformationV2}</pre>", html);

        var versions = Section(html, "versions-title");
        Assert.Equal(3, Regex.Count(versions, "<tr data-version="));
        Assert.Contains("online true -> false", Around(versions, "data-version=\"3\"", "<tr", "</tr>"));
        Assert.Contains("created", Around(versions, "data-version=\"1\"", "<tr", "</tr>"));
    }

    [Fact]
    public async Task ViewPage_Diff_DefaultsToThePreviousVersionAgainstTheLatest()
    {
        var (_, html) = await GetAsync(DelaysLink);
        var diff = Section(html, "diff-title");
        Assert.Contains("features:/airport_delays@2</code> → <code>features:/airport_delays@3", diff);
        Assert.Equal(["online true -> false"], Regex.Matches(diff, "<li>(.*?)</li>").Select(m => m.Groups[1].Value));
        Assert.DoesNotContain("transformation-before", diff);
    }

    [Fact]
    public async Task ViewPage_Diff_BetweenChosenVersions_ListsEachChangeAndShowsBothTransformations()
    {
        var (status, html) = await GetAsync(DelaysLink + "?from=1&to=2");
        Assert.Equal(HttpStatusCode.OK, status);
        var diff = Section(html, "diff-title");
        var lines = Regex.Matches(diff, "<li>(.*?)</li>").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("+ feature delay_share (double)", lines);
        Assert.Contains("transformation changed", lines);
        Assert.Contains(lines, l => l.StartsWith("ttl ", StringComparison.Ordinal));
        Assert.Contains($"class=\"transformation-before\">{FeatureServer.TransformationV1}</pre>", diff);
        Assert.Contains($"class=\"transformation-after\">{FeatureServer.TransformationV2}</pre>", diff);
    }

    [Theory]
    [InlineData("?from=9")]
    [InlineData("?to=abc")]
    public async Task ViewPage_Diff_WithAVersionTheViewDoesNotHave_IsABadRequestThatNamesTheVersions(string query)
    {
        var (status, html) = await GetAsync(DelaysLink + query);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("use one of 1, 2, 3", Around(html, "diff-error", "<p", "</p>"));
    }

    [Fact]
    public async Task ViewPage_OfARemovedView_SaysSoAndShowsItsLastDefinition()
    {
        var (status, html) = await GetAsync("/features/views/" + FeatureServer.Retired);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Version 2 removed this view", html);
        Assert.Contains("features:/retired@1", html);
        Assert.Contains("data-feature=\"temp_min\"", html);
    }

    [Theory]
    [InlineData("/features/views/no_such_view", "no_such_view")]
    [InlineData("/features/services/no_such_service", "no_such_service")]
    public async Task UnknownNames_AreNotFound_WithAMessage(string path, string name)
    {
        var (status, html) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains($"'{name}' was never registered", Around(html, "error-banner", "<div", "</div>"));
    }

    [Fact]
    public async Task ServicePage_ListsItsFeatures_LinkingToTheirViews_AndItsVersions()
    {
        var (status, html) = await GetAsync("/features/services/" + FeatureServer.DelayV1);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("version 2", Heading(html));
        var table = Section(html, "features-title");
        Assert.Equal(3, Regex.Count(table, "<tr data-feature="));
        var share = Around(table, "data-feature=\"airport_delays:delay_share\"", "<tr", "</tr>");
        Assert.Contains($"<a href=\"{DelaysLink}\">{FeatureServer.Delays}</a>", share);
        Assert.Contains("<td class=\"type\">double</td>", share);
        Assert.Contains("""<a href="/features/views/weather">weather</a>""", Around(table, "data-feature=\"weather:temp_max\"", "<tr", "</tr>"));

        var versions = Section(html, "versions-title");
        Assert.Equal(2, Regex.Count(versions, "<tr data-version="));
        Assert.Contains("airport_delays:avg_delay_7d, weather:temp_max</td>", Around(versions, "data-version=\"1\"", "<tr", "</tr>"));
    }

    [Fact]
    public async Task ViewPage_ShowsTheLatestRecordedStatistics_WithWhenForWhichVersionAndAQuantileBar()
    {
        var recorded = (await features.Store.GetLatestStatisticsAsync(FeatureServer.Delays))!;
        var (_, html) = await GetAsync(DelaysLink);

        var section = Section(html, "statistics-title");
        Assert.Contains($"Recorded {Format.Time(recorded.RecordTime)} UTC for <code>features:/airport_delays@2</code> (the view is now at version 3)", section);
        Assert.Contains("over events from 2024-03-01 00:00:00: 1200 row(s), event times 2024-03-01 00:00:00 to 2024-03-08 10:30:00 UTC", section);
        var average = Around(section, "data-statistic=\"avg_delay_7d\"", "<tr", "</tr>");
        foreach (var cell in new[] { "count\">1200<", "nulls\">24<", "distinct\">950<", "min\">-10<", "max\">90<", "mean\">12.5<", "std\">8.25<" })
            Assert.Contains(cell, average);
        Assert.Contains("p5 0 · p25 10 · p50 20 · p75 40 · p95 80", average);
        // min -10 and max 90 span the bar: p5 at 10 %, the box from p25 (20 %) to p75 (50 %), the median at 30 %.
        Assert.Contains("<line x1=\"10\" x2=\"90\"", average);
        Assert.Contains("<rect x=\"20\" width=\"30\"", average);
        Assert.Contains("<line x1=\"30\" x2=\"30\"", average);
        var flights = Around(section, "data-statistic=\"flights_7d\"", "<tr", "</tr>");
        Assert.DoesNotContain("<svg", flights); // one value: no bar to draw
        Assert.DoesNotContain("statistics-hint", section);
    }

    [Fact]
    public async Task ViewPage_WithoutRecordedStatistics_SaysHowToRecordThem()
    {
        var (_, html) = await GetAsync("/features/views/" + FeatureServer.Weather);
        var section = Section(html, "statistics-title");
        Assert.Contains("No statistics recorded", section);
        Assert.Contains("cairn features stats weather --record", section);
        Assert.DoesNotContain("data-statistic=", section);
    }

    [Fact]
    public async Task ViewPage_ShowsFreshnessFromTheOnlineStore_WithTheAgeOfTheNewestEvent()
    {
        var (_, delays) = await GetAsync(DelaysLink);
        var freshness = Section(delays, "freshness-title");
        Assert.Contains("<dd class=\"newest-event\">2024-03-08 10:30:00 (1h 30m ago)</dd>", freshness);
        Assert.Contains("<dd class=\"materialized-until\">2024-03-08 00:00:00</dd>", freshness);

        var (_, weather) = await GetAsync("/features/views/" + FeatureServer.Weather);
        Assert.Contains("Nothing was materialized or pushed", Section(weather, "freshness-title"));
    }

    [Fact]
    public async Task ViewPage_OnAServerWithoutOnlineStore_SaysFreshnessIsNotShown()
    {
        await using var server = await RunningServer.StartAsync();
        await server.Stores.Features.ApplyAsync(new FeatureRepository([new EntityDefinition("city", [new FeatureField("city", FeatureType.String)])],
            [new FeatureSourceDefinition("daily", FeatureSourceKinds.File, "date", Path: "d.parquet")],
            [new FeatureViewDefinition("temps", ["city"], "daily", [new FeatureField("temp", FeatureType.Double)])], []));
        using var response = await server.Http.GetAsync("/features/views/temps");
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("This server has no online store", Section(html, "freshness-title"));
        Assert.DoesNotContain("newest-event", html);
    }

    [Fact]
    public async Task HostileRecordedStatistics_AreEscapedText()
    {
        using var response = await features.Server.Http.GetAsync("/features/views/" + FeatureServer.Notes);
        var raw = await response.Content.ReadAsStringAsync();
        var section = Section(WebUtility.HtmlDecode(raw), "statistics-title");
        Assert.Contains($"<td class=\"top-values\">{FeatureServer.HostileText} (2)</td>", section);
        Assert.Contains($"<td class=\"min\">{FeatureServer.HostileText}</td>", section);
        Assert.DoesNotContain("<script", raw, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/features/views/" + FeatureServer.Notes)]
    [InlineData("/features/services/" + FeatureServer.DelayV1)]
    public async Task HostileDescriptionsAndTransformations_AreEscapedText(string path)
    {
        using var response = await features.Server.Http.GetAsync(path);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("<script", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>bold</b>", raw, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(", raw);
        Assert.Contains(FeatureServer.HostileText, WebUtility.HtmlDecode(raw)); // shown, as text
    }

    [Fact]
    public async Task HostileTransformation_IsShownWholeInItsPreformattedBlock()
    {
        var (_, html) = await GetAsync("/features/views/" + FeatureServer.Notes);
        Assert.Contains("class=\"transformation\">SELECT city, date, length(note) AS note_length FROM source -- " + FeatureServer.HostileText + "</pre>", html);
    }

    [Fact]
    public async Task AMarkupName_IsRefusedAsText()
    {
        using var response = await features.Server.Http.GetAsync("/features/views/" + Uri.EscapeDataString("<script>alert(1)</script>"));
        var raw = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("<script>alert(1)", raw, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", raw);
    }

    [Fact]
    public async Task BeforeTheFirstApply_TheListSaysHowToRegisterDefinitions()
    {
        await using var server = await RunningServer.StartAsync();
        using var response = await server.Http.GetAsync("/features");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<code>cairn features apply</code>", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WithoutAFeatureStore_ThePagesSayItIsNotConfigured()
    {
        await using var server = await RunningServer.StartAsync(o => o with { Features = null });
        using var list = await server.Http.GetAsync("/features");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Contains("feature store is not configured", await list.Content.ReadAsStringAsync());
        using var one = await server.Http.GetAsync(DelaysLink);
        Assert.Equal(HttpStatusCode.NotFound, one.StatusCode);
        Assert.Contains("feature store is not configured", await one.Content.ReadAsStringAsync());
    }
}
