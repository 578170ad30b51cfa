using Cairn.Server.Security;
using Cairn.Tracking;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Endpoints;

/// <summary>
/// A search page holding only what the caller may read. Pages left short by what was left out
/// are topped up from the following ones, asking each time for just what is missing, so that the
/// page token returned resumes after the last result looked at and nothing is skipped.
/// </summary>
internal static class VisibleSearch
{
    public static async Task<Page<T>> SearchAsync<T>(HttpContext http, string resourceType, Func<T, string> idOf,
        int maxResults, string? pageToken, Func<int, string?, Task<Page<T>>> search)
    {
        var readable = await http.ReadableAsync(resourceType);
        if (readable is null) return await search(maxResults, pageToken);
        var kept = new List<T>();
        var token = pageToken;
        do
        {
            var page = await search(maxResults - kept.Count, token);
            kept.AddRange(page.Items.Where(item => readable(idOf(item))));
            token = page.NextPageToken;
        } while (kept.Count < maxResults && !string.IsNullOrEmpty(token));
        return new Page<T>(kept, token);
    }
}
