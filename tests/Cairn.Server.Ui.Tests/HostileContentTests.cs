using System.Net;
using System.Text.RegularExpressions;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// Stored script: what users write (descriptions, sources, params, tags) is shown as text or as
/// a link to a web or mail address, never as markup or a script link, and every page forbids
/// inline script by its Content-Security-Policy.
/// </summary>
public sealed partial class HostileContentTests(HostileContentServer hostile) : IClassFixture<HostileContentServer>
{
    private static readonly string[] SafeSchemes = ["http", "https", "mailto"];

    private HttpClient Http => hostile.Server.Http;

    private async Task<string> PageAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {html}");
        return html;
    }

    [GeneratedRegex("""\s(href|src|action|formaction)\s*=\s*"(?<url>[^"]*)"|\s(href|src|action|formaction)\s*=\s*'(?<url>[^']*)'""", RegexOptions.IgnoreCase)]
    private static partial Regex UrlAttribute();

    /// <summary>Every URL the page links to or loads, as the browser reads it (entities decoded; tabs, newlines and leading spaces ignored).</summary>
    private static IEnumerable<string> Urls(string html) => UrlAttribute().Matches(html)
        .Select(m => Regex.Replace(WebUtility.HtmlDecode(m.Groups["url"].Value), @"[\t\n\r]", "").TrimStart('\0', ' ', '\f', '\u0001'));

    private static void AssertOnlySafeUrls(string html)
    {
        // "data:," is the layout's empty favicon, which keeps the browser from asking for /favicon.ico.
        foreach (var url in Urls(html).Where(u => u != "data:,"))
        {
            var scheme = Regex.Match(url, "^([A-Za-z][A-Za-z0-9+.-]*):").Groups[1].Value;
            Assert.True(scheme.Length == 0 || SafeSchemes.Contains(scheme, StringComparer.OrdinalIgnoreCase), $"unsafe URL in the page: {url}");
        }
    }

    private static void AssertNoInjectedMarkup(string html)
    {
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img src=x", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>bold</b>", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch("(?i)<h[1-6][^>]*>heading from a tag", html);
        Assert.DoesNotContain("alert(", Urls(html).Aggregate("", string.Concat));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("2")]
    public async Task ModelVersionPage_ScriptLinksAndHtmlInCardValues_AreShownAsText(string version)
    {
        var html = await PageAsync($"/models/{HostileContentServer.Model}/versions/{version}");

        AssertOnlySafeUrls(html);
        AssertNoInjectedMarkup(html);
        Assert.Contains("&lt;script&gt;alert(", html); // the raw HTML is shown, as text
        foreach (var text in new[] { "click me", "shout", "entity link", "vb link", "data link", "reference link", "param link", "commit link" })
        {
            Assert.Contains(text, html);
            Assert.DoesNotMatch($"<a [^>]*>{text}</a>", html);
        }
    }

    [Fact]
    public async Task ModelVersionPage_WebMailAndRelativeLinks_StayLinks()
    {
        var html = await PageAsync($"/models/{HostileContentServer.Model}/versions/1");

        Assert.Contains("""<a href="https://example.com/docs">the docs</a>""", html);
        Assert.Contains("""<a href="/models">the models</a>""", html);
        Assert.Contains("""<a href="mailto:team@example.com">mail us</a>""", html);
        Assert.Contains("""src="https://127.0.0.1:9/plot.png" """.TrimEnd(), html);
    }

    [Fact]
    public async Task ModelVersionPage_SourceClosingItsElement_IsShownAsText()
    {
        var html = await PageAsync($"/models/{HostileContentServer.Model}/versions/1");

        Assert.Contains("<code>&quot;&gt;&lt;script&gt;alert(", html);
        AssertNoInjectedMarkup(html);
    }

    [Fact]
    public async Task ModelVersionPage_SourceClosingItsCodeSpan_StaysInOneCodeSpan()
    {
        var html = await PageAsync($"/models/{HostileContentServer.Model}/versions/2");

        Assert.DoesNotMatch("<a [^>]*>source link</a>", html);
        // In the card's provenance table the whole source is one code span, as written.
        Assert.Contains("<code>" + WebUtility.HtmlEncode(HostileContentServer.CodeSpanBreakingSource).Replace("&#39;", "'") + "</code>", html.Replace("&#39;", "'"));
    }

    [Theory]
    [InlineData("/models")]
    [InlineData("/models/hostile")]
    [InlineData("/")]
    public async Task ListPages_HostileValues_AreShownAsText(string path)
    {
        var html = await PageAsync(path);

        AssertOnlySafeUrls(html);
        AssertNoInjectedMarkup(html);
    }

    [Theory]
    [InlineData("/", 200)]
    [InlineData("/models/hostile/versions/1", 200)]
    [InlineData("/models/no-such-model", 404)]
    [InlineData("/experiments/987654", 404)]
    [InlineData("/ui/assets/cairn.css", 200)]
    [InlineData("/no/such/page", 404)]
    public async Task UiResponses_CarryAPolicyWithoutInlineScript_NosniffAndFrameDeny(string path, int status)
    {
        using var response = await Http.GetAsync(path);
        Assert.Equal(status, (int)response.StatusCode);

        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        var directives = policy.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d.Split(' ').Skip(1).ToArray());
        Assert.Equal(["'none'"], directives["script-src"]); // the pages have no script
        Assert.Equal(["'self'"], directives["default-src"]);
        Assert.Equal(["'none'"], directives["frame-ancestors"]);
        Assert.Equal(["'none'"], directives["base-uri"]);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task RawArtifact_KeepsItsSandboxPolicy()
    {
        var run = await hostile.Server.Store.GetRunAsync(hostile.RunId);
        await hostile.Server.Artifacts.PutAsync(Artifacts.ArtifactPath.FromUri(run.Info.ArtifactUri) + "/x.svg", new MemoryStream("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert('svg')</script></svg>"u8.ToArray()));

        using var response = await Http.GetAsync($"/ui/runs/{run.Info.RunId}/artifact?path=x.svg");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("sandbox", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }
}
