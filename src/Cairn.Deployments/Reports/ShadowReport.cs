using Cairn.Deployments.Routing;

namespace Cairn.Deployments.Reports;

/// <summary>
/// The shadow's predictions against the primary's, from the inference log: both are logged with
/// the same request id and row (the shadow under its variant name), joined here.
/// </summary>
public static class ShadowReport
{
    public static ShadowSnapshot Compare(IReadOnlyList<LoggedPrediction> rows, string shadowVariant, string shadowVersion)
    {
        var primary = new Dictionary<(string, long), LoggedPrediction>();
        foreach (var row in rows)
            if (row.Variant != shadowVariant) primary[(row.RequestId, row.Row)] = row;
        var comparison = new ShadowComparison();
        var requests = new HashSet<string>();
        foreach (var shadow in rows.Where(r => r.Variant == shadowVariant))
        {
            if (!primary.TryGetValue((shadow.RequestId, shadow.Row), out var p)) continue; // the primary's row was sampled out of the log
            if (requests.Add(shadow.RequestId)) comparison.AddRequest(p.LatencyMs, shadow.LatencyMs);
            comparison.AddRow(p.Value, shadow.Value, p.Label, shadow.Label);
        }
        return comparison.Snapshot(shadowVariant, shadowVersion, 0, 0);
    }
}
