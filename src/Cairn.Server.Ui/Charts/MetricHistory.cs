using Cairn.Tracking;

namespace Cairn.Server.Ui.Charts;

/// <summary>Reads a metric's whole history page by page; charts downsample it afterwards.</summary>
public static class MetricHistory
{
    private const int PageSize = 25_000;

    public static async Task<IReadOnlyList<Metric>> ReadAllAsync(ITrackingStore store, string runId, string key, CancellationToken ct)
    {
        var all = new List<Metric>();
        string? token = null;
        do
        {
            var page = await store.GetMetricHistoryAsync(runId, key, PageSize, token, ct).ConfigureAwait(false);
            all.AddRange(page.Items);
            token = page.NextPageToken;
        } while (token is not null);
        return all;
    }
}
