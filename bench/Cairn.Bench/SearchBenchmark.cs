using System.Diagnostics;
using Cairn.Rest;
using Cairn.Server;
using Cairn.Storage.Local;
using Cairn.Storage.Sqlite;
using Cairn.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;

namespace Cairn.Bench;

/// <summary>
/// 100,000 runs x 10 metrics x 10 params, seeded through the store's own API. The query
/// <c>metrics.m1 &gt; 0.5 and params.p2 = 'x'</c> ordered by <c>metrics.m3 DESC</c>, first page of
/// 100 runs with all their data, timed in process and over HTTP; baseline: the straightforward SQL
/// (join every filter, then sort) for the same 100 run ids on the same file.
/// </summary>
public static class SearchBenchmark
{
    private const int Runs = 100_000;
    private const int Repeats = 30;
    public const string Filter = "metrics.m1 > 0.5 and params.p2 = 'x'";
    public static readonly string[] OrderBy = ["metrics.m3 DESC"];

    public static async Task RunAsync(Report report)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-search-");
        try
        {
            var database = Path.Combine(folder.FullName, "cairn.db");
            using var store = new SqliteTrackingStore(database);
            var seedClock = Stopwatch.StartNew();
            var experimentId = await SeedAsync(store);
            Console.Error.WriteLine($"  seeded {Runs:N0} runs in {seedClock.Elapsed.TotalSeconds:F0} s");

            var query = new RunQuery([experimentId], Filter, MaxResults: 100, OrderBy: OrderBy);
            var inProcess = await TimeAsync(() => store.SearchRunsAsync(query));

            using var stores = new SqliteStores(database);
            var app = CairnServer.Build(new CairnServerOptions(store, new LocalArtifactStore(Path.Combine(folder.FullName, "artifacts")), stores.Registry, stores.Datasets) { Port = 0 });
            await app.StartAsync();
            using var transport = new RestTransport(app.BoundAddress());
            var rest = new RestTrackingStore(transport);
            var overHttp = await TimeAsync(() => rest.SearchRunsAsync(query));
            await app.StopAsync();

            var baseline = TimeRawSql(database, experimentId);
            var page = await store.SearchRunsAsync(query);
            if (page.Items.Count != 100 || page.Items.Any(r => r.Data.Metrics.Count != 10 || r.Data.Params.Count != 10))
                throw new InvalidOperationException("the search returned an unexpected page");

            report.Add("search: 100k runs, filter + order by metric, first 100 (in process)", $"{inProcess:F1} ms median",
                $"{baseline:F1} ms naive join-then-sort SQL (ids only)", $"{inProcess / baseline:F2}x", "< 50 ms median", inProcess < 50);
            report.Add("search: same, over HTTP with the REST client", $"{overHttp:F1} ms median",
                $"{baseline:F1} ms naive join-then-sort SQL (ids only)", $"{overHttp / baseline:F2}x", "< 50 ms median", overHttp < 50);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    public static async Task<string> SeedAsync(ITrackingStore store)
    {
        var experimentId = await store.CreateExperimentAsync("search-bench");
        var random = new Random(42);
        string[] choices = ["x", "y", "z"];
        for (var i = 0; i < Runs; i++)
        {
            var run = await store.CreateRunAsync(new NewRun(experimentId, "bench", 1_700_000_000_000 + i));
            await store.LogBatchAsync(run.Info.RunId, new LogBatch(
                Enumerable.Range(0, 10).Select(m => new Metric($"m{m}", random.NextDouble(), 1, 0)).ToList(),
                Enumerable.Range(0, 10).Select(p => new Param($"p{p}", choices[random.Next(3)])).ToList()));
        }
        return experimentId;
    }

    public static async Task<double> TimeAsync(Func<Task> search)
    {
        for (var i = 0; i < 3; i++) await search();
        var times = new List<double>();
        for (var i = 0; i < Repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            await search();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return Report.Median(times);
    }

    private static double TimeRawSql(string database, string experimentId)
    {
        using var connection = new SqliteConnection($"Data Source={database}");
        connection.Open();
        var times = new List<double>();
        for (var i = 0; i < Repeats + 3; i++)
        {
            var clock = Stopwatch.StartNew();
            using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT r.run_uuid FROM runs r
                JOIN latest_metrics m1 ON m1.run_id = r.id AND m1.key = 'm1' AND m1.value > 0.5
                JOIN params p2 ON p2.run_id = r.id AND p2.key = 'p2' AND p2.value = 'x'
                JOIN latest_metrics m3 ON m3.run_id = r.id AND m3.key = 'm3'
                WHERE r.experiment_id = $e AND r.lifecycle_stage = 'active'
                ORDER BY m3.value DESC LIMIT 100
                """;
            command.Parameters.AddWithValue("$e", long.Parse(experimentId));
            using var reader = command.ExecuteReader();
            var count = 0;
            while (reader.Read()) count++;
            if (i >= 3) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return Report.Median(times);
    }
}
