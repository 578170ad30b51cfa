using System.Runtime.CompilerServices;
using Cairn.Tracking;

namespace Cairn;

/// <summary>
/// Searching an experiment's runs in one call, as MLflow's <c>search_runs</c>: by experiment name,
/// with MLflow's filter and order-by language, paged through the store as needed. Each call has a
/// synchronous form and an <c>Async</c> twin.
/// </summary>
public static class RunSearch
{
    /// <summary>
    /// The active runs of <paramref name="experiment"/> matching <paramref name="filter"/> (e.g.
    /// <c>params.trees = '40' and metrics.rmse &lt; 5</c>), in the order of <paramref name="orderBy"/>
    /// (e.g. <c>metrics.rmse</c> or <c>metrics.rmse DESC, start_time</c>), at most <paramref name="maxResults"/>.
    /// </summary>
    /// <exception cref="CairnException">Not found for an unknown experiment; invalid parameter for a bad filter or order.</exception>
    public static IReadOnlyList<RunSearchResult> SearchRuns(this CairnClient client, string experiment, string? filter = null, string? orderBy = null, int maxResults = 1000) =>
        client.SearchRunsAsync(experiment, filter, orderBy, maxResults).GetAwaiter().GetResult();

    /// <inheritdoc cref="SearchRuns"/>
    public static async Task<IReadOnlyList<RunSearchResult>> SearchRunsAsync(this CairnClient client, string experiment, string? filter = null, string? orderBy = null,
        int maxResults = 1000, CancellationToken ct = default)
    {
        if (maxResults < 1) throw CairnException.InvalidParameter($"maxResults must be at least 1, but got {maxResults}.");
        var found = new List<RunSearchResult>();
        await foreach (var run in RunsAsync(client, experiment, filter, SplitOrderBy(orderBy), maxResults, ct).ConfigureAwait(false))
        {
            found.Add(RunSearchResult.From(run));
            if (found.Count == maxResults) break;
        }
        return found;
    }

    /// <summary>
    /// The run of <paramref name="experiment"/> (matching <paramref name="filter"/>) with the lowest
    /// value of <paramref name="metric"/>, or the highest with <paramref name="higherIsBetter"/>;
    /// runs that did not log it are passed over. Null when no run logged it.
    /// </summary>
    public static RunSearchResult? GetBestRun(this CairnClient client, string experiment, string metric, bool higherIsBetter = false, string? filter = null) =>
        client.GetBestRunAsync(experiment, metric, higherIsBetter, filter).GetAwaiter().GetResult();

    /// <inheritdoc cref="GetBestRun"/>
    public static async Task<RunSearchResult?> GetBestRunAsync(this CairnClient client, string experiment, string metric, bool higherIsBetter = false, string? filter = null,
        CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(metric) || metric.Contains('`'))
            throw CairnException.InvalidParameter($"'{metric}' is not a metric key: give the key as logged, e.g. \"rmse\".");
        // The store sorts by the metric; runs without it are skipped wherever the store puts them.
        string[] order = [$"metrics.`{metric}` {(higherIsBetter ? "DESC" : "ASC")}"];
        await foreach (var run in RunsAsync(client, experiment, filter, order, RunQuery.DefaultMaxResults, ct).ConfigureAwait(false))
            if (run.Data.Metrics.Any(m => m.Key == metric)) return RunSearchResult.From(run);
        return null;
    }

    /// <summary>The experiment's matching runs, one store page at a time, until the last page.</summary>
    private static async IAsyncEnumerable<Run> RunsAsync(CairnClient client, string experiment, string? filter, IReadOnlyList<string> orderBy, int pageSize,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var found = await client.Tracking.GetExperimentByNameAsync(experiment, ct).ConfigureAwait(false)
            ?? throw CairnException.NotFound($"There is no experiment named '{experiment}'. List the experiments with: cairn experiments list");
        string? token = null;
        do
        {
            var page = await client.Tracking.SearchRunsAsync(new RunQuery([found.ExperimentId], filter, MaxResults: Math.Min(pageSize, RunQuery.MaxMaxResults),
                OrderBy: orderBy, PageToken: token), ct).ConfigureAwait(false);
            foreach (var run in page.Items) yield return run;
            token = page.NextPageToken;
        } while (token is not null);
    }

    /// <summary>"metrics.rmse DESC, start_time" as MLflow's list of clauses; commas inside `backticks` or quotes belong to a key.</summary>
    private static List<string> SplitOrderBy(string? orderBy)
    {
        var clauses = new List<string>();
        if (string.IsNullOrWhiteSpace(orderBy)) return clauses;
        var start = 0;
        char? quote = null;
        for (var i = 0; i < orderBy.Length; i++)
        {
            var c = orderBy[i];
            if (quote is not null) { if (c == quote) quote = null; }
            else if (c is '`' or '"' or '\'') quote = c;
            else if (c == ',') { clauses.Add(orderBy[start..i].Trim()); start = i + 1; }
        }
        clauses.Add(orderBy[start..].Trim());
        return clauses;
    }
}
