using System.Diagnostics;
using System.Text;
using Cairn.Server;
using Cairn.Storage.Local;
using Cairn.Storage.Sqlite;
using Cairn.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;

namespace Cairn.Bench;

/// <summary>
/// The web UI on a large store: 100,000 runs (the search benchmark's seed) and one run with a
/// 100,000-point metric. Timed over HTTP on a real server: the experiments list with each
/// experiment's run count, against the JSON experiments/search call (which has no counts); the
/// first page of the runs table as HTML, against the JSON runs/search call for the same page; and
/// the run page that charts the 100,000 points, against the JSON get-history call that returns them.
/// </summary>
public static class UiBenchmark
{
    private const int Repeats = 20;
    private const int Points = 100_000;

    public static async Task RunAsync(Report report)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-ui-");
        try
        {
            var database = Path.Combine(folder.FullName, "cairn.db");
            using var store = new SqliteTrackingStore(database);
            var seedClock = Stopwatch.StartNew();
            var experimentId = await SearchBenchmark.SeedAsync(store);
            var bigRun = await store.CreateRunAsync(new NewRun(experimentId, "bench", 1_800_000_000_000, "long-curve"));
            for (var offset = 0; offset < Points; offset += 1000)
                await store.LogBatchAsync(bigRun.Info.RunId, new LogBatch(Enumerable.Range(offset, 1000)
                    .Select(s => new Metric("loss", 1.0 / (1 + s) + Math.Sin(s) * 0.01, 1_800_000_000_000 + s, s)).ToList()));
            Console.Error.WriteLine($"  seeded 100,000 runs and a {Points:N0}-point metric in {seedClock.Elapsed.TotalSeconds:F0} s");

            using var stores = new SqliteStores(database);
            var app = CairnServer.Build(new CairnServerOptions(store, new LocalArtifactStore(Path.Combine(folder.FullName, "artifacts")), stores.Registry, stores.Datasets) { Port = 0 });
            await app.StartAsync();
            using var http = new HttpClient { BaseAddress = app.BoundAddress() };

            var experimentsHtml = await TimeGetAsync(http, () => http.GetAsync("/"));
            var experimentsJson = await TimeGetAsync(http, () => http.PostAsync("/api/2.0/mlflow/experiments/search",
                new StringContent("""{"max_results":200}""", Encoding.UTF8, "application/json")));
            var tableHtml = await TimeGetAsync(http, () => http.GetAsync($"/experiments/{experimentId}"));
            var searchBody = $$"""{"experiment_ids":["{{experimentId}}"],"max_results":50,"order_by":["attributes.start_time DESC"]}""";
            var searchJson = await TimeGetAsync(http, () => http.PostAsync("/api/2.0/mlflow/runs/search", new StringContent(searchBody, Encoding.UTF8, "application/json")));
            var chartHtml = await TimeGetAsync(http, () => http.GetAsync($"/runs/{bigRun.Info.RunId}"));
            var historyJson = await TimeGetAsync(http, () => http.GetAsync($"/api/2.0/mlflow/metrics/get-history?run_id={bigRun.Info.RunId}&metric_key=loss"));
            await app.StopAsync();

            report.Add("UI: experiments list with run counts (100k runs), HTML over HTTP", $"{experimentsHtml.Ms:F1} ms median ({experimentsHtml.Bytes / 1024:N0} KiB)",
                $"{experimentsJson.Ms:F1} ms JSON experiments/search, same page", $"{experimentsHtml.Ms / experimentsJson.Ms:F2}x", "< 1 s", experimentsHtml.Ms < 1000);
            report.Add("UI: runs table, first page of 50 (100k runs), HTML over HTTP", $"{tableHtml.Ms:F1} ms median ({tableHtml.Bytes / 1024:N0} KiB)",
                $"{searchJson.Ms:F1} ms JSON runs/search, same page", $"{tableHtml.Ms / searchJson.Ms:F2}x", "< 1 s", tableHtml.Ms < 1000);
            report.Add("UI: run page charting a 100,000-point metric, HTML over HTTP", $"{chartHtml.Ms:F1} ms median ({chartHtml.Bytes / 1024:N0} KiB)",
                $"{historyJson.Ms:F1} ms JSON get-history ({historyJson.Bytes / 1024:N0} KiB)", $"{chartHtml.Ms / historyJson.Ms:F2}x", "< 1 s, at most 1,000 points drawn", chartHtml.Ms < 1000);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(double Ms, long Bytes)> TimeGetAsync(HttpClient http, Func<Task<HttpResponseMessage>> send)
    {
        long bytes = 0;
        async Task Once()
        {
            using var response = await send();
            response.EnsureSuccessStatusCode();
            bytes = (await response.Content.ReadAsByteArrayAsync()).LongLength;
        }
        for (var i = 0; i < 3; i++) await Once();
        var times = new List<double>();
        for (var i = 0; i < Repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            await Once();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return (Report.Median(times), bytes);
    }
}
