using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Cairn.Server.Ui.Components;

/// <summary>
/// Markdown written by users (a model card quotes descriptions, params, tags and sources) as HTML
/// that cannot run script: raw HTML is shown as text, and a link keeps its address only when it
/// is relative, http(s) or mailto (an image: relative or http(s)). Any other address
/// (<c>javascript:</c>, <c>data:</c>, <c>vbscript:</c>...) is dropped and its text shown as text.
/// </summary>
public static class SafeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().DisableHtml().Build();

    public static string ToHtml(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        // Both lists are taken before the tree changes, so that no change hides a link from them.
        var links = document.Descendants<LinkInline>().ToList();
        var autolinks = document.Descendants<AutolinkInline>().ToList();
        foreach (var link in links)
        {
            if (!IsAllowed(link.GetDynamicUrl?.Invoke() ?? link.Url, link.IsImage)) Unwrap(link);
        }
        foreach (var autolink in autolinks)
        {
            if (!autolink.IsEmail && !IsAllowed(autolink.Url, isImage: false)) autolink.ReplaceBy(new LiteralInline(autolink.Url));
        }
        return document.ToHtml(Pipeline);
    }

    public static bool IsAllowed(string? url, bool isImage)
    {
        if (string.IsNullOrEmpty(url)) return true;
        // Read the scheme as a browser does: it drops tabs and newlines anywhere and leading
        // controls and spaces, so "\tjava\nscript:" is "javascript:".
        var cleaned = string.Concat(url.Where(c => c is not ('\t' or '\n' or '\r'))).TrimStart(LeadingIgnored);
        var colon = cleaned.IndexOf(':', StringComparison.Ordinal);
        var pathStart = cleaned.IndexOfAny(['/', '?', '#']);
        if (colon < 0 || (pathStart >= 0 && pathStart < colon)) return true; // relative: no scheme
        var scheme = cleaned[..colon];
        return scheme.Equals("https", StringComparison.OrdinalIgnoreCase) || scheme.Equals("http", StringComparison.OrdinalIgnoreCase)
            || (!isImage && scheme.Equals("mailto", StringComparison.OrdinalIgnoreCase));
    }

    private static readonly char[] LeadingIgnored = [.. Enumerable.Range(0, 0x21).Select(c => (char)c)];

    /// <summary>Puts the link's text (an image's alt text) where the link was.</summary>
    private static void Unwrap(LinkInline link)
    {
        // Last child first, each inserted right after the link: Markdig's InsertBefore leaves the
        // inserted inline without a previous sibling, which breaks later walks of the tree.
        while (link.LastChild is { } child)
        {
            child.Remove();
            link.InsertAfter(child);
        }
        link.Remove();
    }
}
