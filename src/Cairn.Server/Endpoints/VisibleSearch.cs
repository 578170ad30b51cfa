using Cairn.Server.Security;
using Cairn.Tracking;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Endpoints;

/// <summary>A search page holding only what the caller may read (<see cref="FilteredPages"/>).</summary>
internal static class VisibleSearch
{
    public static async Task<Page<T>> SearchAsync<T>(HttpContext http, string resourceType, Func<T, string> idOf,
        int maxResults, string? pageToken, Func<int, string?, Task<Page<T>>> search)
    {
        var readable = await http.ReadableAsync(resourceType);
        return await FilteredPages.SearchAsync(readable is null ? null : item => readable(idOf(item)), maxResults, pageToken, search);
    }
}
