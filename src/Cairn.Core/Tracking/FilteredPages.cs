namespace Cairn.Tracking;

/// <summary>
/// A search page holding only the items a filter keeps (what a caller may read). Pages left short
/// are topped up from the following ones, asking each time for just what is missing, so that the
/// page token returned resumes after the last item looked at and nothing is skipped.
/// </summary>
public static class FilteredPages
{
    /// <param name="keep">Whether an item stays; null keeps everything (one plain search).</param>
    /// <param name="search">The search for at most that many items from that page token.</param>
    public static async Task<Page<T>> SearchAsync<T>(Func<T, bool>? keep, int maxResults, string? pageToken, Func<int, string?, Task<Page<T>>> search)
    {
        if (keep is null) return await search(maxResults, pageToken).ConfigureAwait(false);
        var kept = new List<T>();
        var token = pageToken;
        do
        {
            var page = await search(maxResults - kept.Count, token).ConfigureAwait(false);
            kept.AddRange(page.Items.Where(keep));
            token = page.NextPageToken;
        } while (kept.Count < maxResults && !string.IsNullOrEmpty(token));
        return new Page<T>(kept, token);
    }
}
