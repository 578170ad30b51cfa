using System.Text.Json.Nodes;
using Cairn.Protocol;
using Cairn.Tracking;
using Cairn.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Endpoints;

/// <summary>
/// The metric histories of several runs at once, as MLflow's web UI charts them:
/// <c>GET /api/2.0/mlflow/metrics/get-history-bulk-interval</c> (sampled steps) and
/// <c>GET /ajax-api/2.0/mlflow/metrics/get-history-bulk</c> (MLflow serves that one under /ajax-api only).
/// </summary>
internal static class MetricHistoryBulkApi
{
    private const int MaxBulkRuns = 100;
    private const int MaxBulkResults = 25_000;

    public static IEndpointRouteBuilder MapMetricHistoryBulkApi(this IEndpointRouteBuilder app, ITrackingStore store)
    {
        app.MapGet("/api/2.0/mlflow/metrics/get-history-bulk-interval", async (HttpContext http) =>
        {
            var runIds = http.Request.Query["run_ids"].Where(r => !string.IsNullOrEmpty(r)).Select(r => r!).ToList();
            if (runIds.Count == 0) throw JsonFieldErrors.Missing("run_ids");
            if (runIds.Count > MetricStepSampling.MaxRuns)
                throw CairnException.InvalidParameter($"GetMetricHistoryBulkInterval request must specify at most {MetricStepSampling.MaxRuns} run_ids. Received {runIds.Count} run_ids.");
            var key = ApiIo.Require(ApiIo.Query(http, "metric_key"), "metric_key");
            var start = QueryLong(http, "start_step");
            var end = QueryLong(http, "end_step");
            var maxResults = QueryLong(http, "max_results") ?? MetricStepSampling.MaxResultsPerRun;
            if (maxResults < 1 || maxResults > MetricStepSampling.MaxResultsPerRun)
                throw CairnException.InvalidParameter($"max_results must be between 1 and {MetricStepSampling.MaxResultsPerRun}.");
            (long, long)? range = (start, end) switch
            {
                ({ } s, { } e) when s > e => throw CairnException.InvalidParameter($"end_step must be greater than start_step. Found start_step={s} and end_step={e}."),
                ({ } s, { } e) => (s, e),
                (null, null) => null,
                _ => throw CairnException.InvalidParameter("If either start step or end step are specified, both must be specified."),
            };

            var histories = new List<IReadOnlyList<Metric>>();
            foreach (var runId in runIds) histories.Add(await FullHistoryAsync(store, runId, key, http.RequestAborted));
            var steps = MetricStepSampling.SampleSteps(histories.Select(h => (IReadOnlyList<long>)h.Select(m => m.Step).ToList()).ToList(), range, (int)maxResults).ToHashSet();
            var points = runIds.Zip(histories).SelectMany(run => run.Second.Where(m => steps.Contains(m.Step)).OrderBy(m => m.Step)
                .Take(MetricStepSampling.MaxPointsPerRun).Select(m => WithRunId(m, run.First))).ToList();
            return ApiIo.Json(new MetricHistoryBulkResponse(points));
        }).Requires(Access.Run(Need.Read, Field.Query("run_ids").List())).WithTags("Runs").Produces<MetricHistoryBulkResponse>();

        app.MapGet("/api/2.0/mlflow/metrics/get-history-bulk", async (HttpContext http) =>
        {
            if (!AjaxApi.IsAjax(http)) return AjaxApi.NotFound(http);
            var runIds = http.Request.Query["run_id"].Where(r => !string.IsNullOrEmpty(r)).Select(r => r!).ToList();
            if (runIds.Count == 0) throw CairnException.InvalidParameter("GetMetricHistoryBulk request must specify at least one run_id.");
            if (runIds.Count > MaxBulkRuns)
                throw CairnException.InvalidParameter($"GetMetricHistoryBulk request cannot specify more than {MaxBulkRuns} run_ids. Received {runIds.Count} run_ids.");
            var key = ApiIo.Query(http, "metric_key") ?? throw CairnException.InvalidParameter("GetMetricHistoryBulk request must specify a metric_key.");
            var maxResults = (int)Math.Min(QueryLong(http, "max_results") ?? MaxBulkResults, MaxBulkResults);
            var points = new List<MetricWithRunId>();
            foreach (var runId in runIds.Order(StringComparer.Ordinal))
            {
                var page = await store.GetMetricHistoryAsync(runId, key, Math.Max(maxResults, 1), null, http.RequestAborted);
                points.AddRange(page.Items.OrderBy(m => m.Timestamp).ThenBy(m => m.Step).ThenBy(m => m.Value).Select(m => WithRunId(m, runId)));
            }
            return ApiIo.Json(new MetricHistoryBulkResponse(points.Take(Math.Max(maxResults, 0)).ToList()));
        }).Requires(Access.Run(Need.Read, Field.Query("run_ids").List())).ExcludeFromDescription();

        return app;
    }

    private static async Task<IReadOnlyList<Metric>> FullHistoryAsync(ITrackingStore store, string runId, string key, CancellationToken ct)
    {
        var all = new List<Metric>();
        string? token = null;
        do
        {
            var page = await store.GetMetricHistoryAsync(runId, key, null, token, ct).ConfigureAwait(false);
            all.AddRange(page.Items);
            token = page.NextPageToken;
        } while (token is not null);
        return all;
    }

    private static MetricWithRunId WithRunId(Metric m, string runId) => new(m.Key, m.Value, m.Timestamp, m.Step, runId);

    private static long? QueryLong(HttpContext http, string name)
    {
        var text = ApiIo.Query(http, name);
        if (string.IsNullOrEmpty(text)) return null;
        return long.TryParse(text, out var value) ? value : throw JsonFieldErrors.InvalidValue(name, JsonValue.Create(text));
    }
}
