using Cairn.Deployments.Experiments;
using Cairn.Monitoring;

namespace Cairn.Deployments.Reports;

/// <summary>
/// The A/B test's data: each logged request of the test's span counts as assigned to the variant
/// that answered it; its outcome is the feedback label sent for its request id (row 0, or the
/// mean of its rows' labels). Requests without feedback count as assigned, not as samples.
/// </summary>
public static class AbOutcomes
{
    /// <summary>Feedback is asked for in chunks of this many request ids (the REST API's bound).</summary>
    private const int Chunk = 10_000;

    public static async Task<IReadOnlyList<VariantOutcomes>> CollectAsync(IReadOnlyList<LoggedPrediction> logged, IReadOnlyList<string> variants,
        IMonitorStore feedback, CancellationToken ct = default)
    {
        var assigned = new Dictionary<string, string>(); // request id -> variant
        foreach (var row in logged)
            if (row.Variant is { } v && variants.Contains(v)) assigned.TryAdd(row.RequestId, v);
        var outcomes = variants.ToDictionary(v => v, _ => new List<double>());
        var ids = assigned.Keys.ToList();
        for (var start = 0; start < ids.Count; start += Chunk)
        {
            var labels = await feedback.GetFeedbackAsync(ids.GetRange(start, Math.Min(Chunk, ids.Count - start)), ct).ConfigureAwait(false);
            foreach (var request in labels.GroupBy(l => l.RequestId))
                if (assigned.TryGetValue(request.Key, out var variant))
                    outcomes[variant].Add(request.Average(l => l.Label));
        }
        return [.. variants.Select(v => new VariantOutcomes(v, assigned.Count(a => a.Value == v), outcomes[v]))];
    }
}
