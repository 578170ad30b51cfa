using Cairn.Models.Explain;

namespace Cairn.Serving;

/// <summary>
/// Logs a sampled share of scored requests with their SHAP values, as extra outputs
/// <c>shap_&lt;feature&gt;</c> and <c>shap_base_value</c> (Parquet columns <c>output_shap_...</c>).
/// The explanation runs on the thread pool after the request was answered, one per model at a
/// time: a request picked while another is being explained is logged without SHAP values, so
/// explanations never queue up, delay or fail a response.
/// </summary>
internal static class ExplainedInferenceLog
{
    /// <summary>The extra output holding the base value (the features' values are <c>shap_&lt;feature&gt;</c>).</summary>
    public const string BaseValueOutput = "shap_base_value";

    /// <summary>True when the entry will be logged (with SHAP values, or without them if the explainer fails) by a background explanation; false: log it now.</summary>
    public static bool TryAppendExplained(ServedModel model, InferenceLog log, InferenceEntry entry)
    {
        if (model.Explainer is not { } explainer || model.ExplainLogRate <= 0 || entry.Inputs.Count > ServingApi.MaxExplainRows) return false;
        if (model.ExplainLogRate < 1 && Random.Shared.NextDouble() >= model.ExplainLogRate) return false;
        if (Interlocked.CompareExchange(ref model.LoggedExplanationRunning, 1, 0) != 0) return false;
        ThreadPool.UnsafeQueueUserWorkItem(state =>
        {
            var logged = state.entry;
            try
            {
                logged = state.entry with { Outputs = WithShapValues(state.entry.Outputs, state.explainer.Explain(state.entry.Inputs)) };
            }
            catch (Exception)
            {
                // The request itself was answered; it is logged as any other (no SHAP columns).
            }
            finally
            {
                Volatile.Write(ref state.model.LoggedExplanationRunning, 0);
            }
            state.log.Append(logged);
        }, (model, log, entry, explainer), preferLocal: false);
        return true;
    }

    /// <summary>Each result row with <c>shap_&lt;feature&gt;</c> and <see cref="BaseValueOutput"/> added.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> WithShapValues(IReadOnlyList<IReadOnlyDictionary<string, object?>> results, Explanation explanation)
    {
        var rows = new List<IReadOnlyDictionary<string, object?>>(results.Count);
        for (var r = 0; r < results.Count; r++)
        {
            var row = new Dictionary<string, object?>(results[r]);
            for (var i = 0; i < explanation.Features.Count; i++) row["shap_" + explanation.Features[i]] = explanation.Values[r][i];
            row[BaseValueOutput] = explanation.BaseValue;
            rows.Add(row);
        }
        return rows;
    }
}
