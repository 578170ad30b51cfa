using System.Text;

namespace Cairn.Features;

/// <summary>
/// The feature views' freshness as Prometheus gauges, read at each scrape from the online store's
/// view states (one small read per online view): <c>cairn_feature_view_freshness_seconds{view}</c>,
/// the age of the newest event time materialized or pushed, and
/// <c>cairn_feature_view_materialized_until_timestamp_seconds{view}</c>, the end of the latest
/// materialization (Unix seconds). A view with nothing recorded has no sample. An online store that
/// cannot be read gives <c>cairn_feature_online_store_up 0</c> rather than failing the scrape.
/// </summary>
public sealed class FeatureFreshnessMetrics(IFeatureDefinitionStore definitions, IOnlineFeatureStore online, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The exposition text as of now.</summary>
    public async Task<string> RenderAsync(CancellationToken ct = default)
    {
        var freshness = new PrometheusGauge("cairn_feature_view_freshness_seconds", "Age of the newest event time written online for the feature view (materialized or pushed).");
        var until = new PrometheusGauge("cairn_feature_view_materialized_until_timestamp_seconds", "End of the feature view's latest materialization (Unix seconds).");
        var up = new PrometheusGauge("cairn_feature_online_store_up", "1 when the online store's view states could be read at this scrape, else 0.");
        try
        {
            var repository = await definitions.GetRepositoryAsync(ct).ConfigureAwait(false);
            var now = _clock.GetUtcNow();
            foreach (var view in repository.Views.Where(v => v.Online).OrderBy(v => v.Name, StringComparer.Ordinal))
            {
                if (await online.GetViewStateAsync(view.Name, ct).ConfigureAwait(false) is not { } state) continue;
                if (state.NewestEventTime is { } newest) freshness.Add([("view", view.Name)], (now - newest).TotalSeconds);
                if (state.MaterializedUntil is { } end) until.Add([("view", view.Name)], (end - DateTimeOffset.UnixEpoch).TotalSeconds);
            }
            up.Add([], 1);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.TemporarilyUnavailable)
        {
            up.Add([], 0);
        }
        var text = new StringBuilder();
        foreach (var gauge in new[] { freshness, until, up }) gauge.WriteTo(text);
        return text.ToString();
    }
}
