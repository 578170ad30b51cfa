using System.Diagnostics;
using System.Net.Http.Headers;
using Cairn.Features;
using Cairn.Server;
using Cairn.Storage.Local;
using Cairn.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;

namespace Cairn.Bench;

/// <summary>
/// Online features over HTTP: a real CairnServer on 127.0.0.1 serving a SQLite online store of
/// 100,000 entities × 10 features on Feast's <c>/get-online-features</c> route. Single-entity
/// lookups/s from wrk (a separate process, keep-alive connections) beside GET /health on the same
/// server (the HTTP ceiling on these cores) and the lookup in process; a 100-entity batch's p99 one at
/// a time beside the same lookup in process. Needs wrk on the PATH. Bounded: fixed durations and counts.
/// </summary>
public static class FeatureHttpBenchmark
{
    private const int Entities = 100_000;
    private const int Clients = 16;
    private static readonly TimeSpan LoadTime = TimeSpan.FromSeconds(10);
    private const int WrkSeconds = 10;
    private const int BatchLookups = 2_000;
    private const string View = "airport_delays";
    private const string Service = "delay_v1";

    private static readonly FeatureField[] Features =
        [.. Enumerable.Range(0, 8).Select(i => new FeatureField($"avg_delay_{i}", FeatureType.Double)), new("flights_7d", FeatureType.Int64), new("state", FeatureType.String)];

    public static async Task RunAsync(Report report)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-features-http-");
        try
        {
            var database = Path.Combine(folder.FullName, "cairn.db");
            using var tracking = new SqliteTrackingStore(database);
            using var stores = new SqliteStores(database);
            await stores.Features.ApplyAsync(new FeatureRepository(
                [new EntityDefinition("airport", [new FeatureField("Origin", FeatureType.String)])],
                [new FeatureSourceDefinition("delays", FeatureSourceKinds.File, "event_time", Path: "delays.parquet")],
                [new FeatureViewDefinition(View, ["airport"], "delays", Features)],
                [new FeatureServiceDefinition(Service, [.. Features.Select(f => new FeatureReference(View, f.Name))])]));
            await using var online = new SqliteOnlineFeatureStore(Path.Combine(folder.FullName, "online.db"));
            await WriteAsync(online);
            var service = new LocalOnlineFeatureService(stores.Features, online, Path.Combine(folder.FullName, "push"));

            var app = CairnServer.Build(new CairnServerOptions(tracking, new LocalArtifactStore(Path.Combine(folder.FullName, "artifacts")), stores.Registry, stores.Datasets)
                { Port = 0, OnlineFeatures = service });
            await app.StartAsync();
            try
            {
                var url = new Uri(app.BoundAddress(), "get-online-features");
                using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan });
                var random = new Random(11);

                var inProcessSingle = await RateAsync(_ => service.GetOnlineFeaturesAsync(Request(Keys(random, 1))));
                var script = RandomKeyScript(folder.FullName);
                var health = new Uri(app.BoundAddress(), "health").ToString();
                Wrk.Rate(url.ToString(), script, 3, Clients); // warm-up
                var ceiling = Wrk.Rate(health, Wrk.GetScript(folder.FullName), WrkSeconds, Clients);
                var httpSingle = Wrk.Rate(url.ToString(), script, WrkSeconds, Clients);
                report.Add($"features-http: 1 entity x 10 features over HTTP, wrk ({Clients} connections, its own process)", $"{httpSingle:N0} lookups/s",
                    $"{ceiling:N0} GET /health/s; {inProcessSingle:N0} lookups/s in process", $"{httpSingle / ceiling:P0} of /health", ">= 20,000/s", httpSingle >= 20_000);

                var inProcessBatch = await P99Async(() => service.GetOnlineFeaturesAsync(Request(Keys(random, 100))));
                var httpBatch = await P99Async(() => PostAsync(http, url, Body(Keys(random, 100))));
                report.Add("features-http: 100-entity batch x 10 features over HTTP, p99", $"{httpBatch:F2} ms",
                    $"{inProcessBatch:F2} ms in process", $"{httpBatch / inProcessBatch:F1}x", "p99 < 5 ms", httpBatch < 5);
            }
            finally
            {
                await app.StopAsync();
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    /// <summary>A wrk script that looks up one random entity of the store per request, in the body <see cref="Body"/> writes.</summary>
    private static string RandomKeyScript(string folder)
    {
        var script = Path.Combine(folder, "random-key.lua");
        File.WriteAllText(script, $$$"""
            wrk.method = "POST"
            wrk.headers["Content-Type"] = "application/json"
            math.randomseed(11)
            request = function()
              local key = string.format("A%06d", math.random(0, {{{Entities - 1}}}))
              return wrk.format(nil, nil, nil, '{"feature_service": "{{{Service}}}", "entities": {"Origin": ["' .. key .. '"]}}')
            end
            """);
        return script;
    }

    private static string[] Keys(Random random, int count)
    {
        lock (random) return [.. Enumerable.Range(0, count).Select(_ => $"A{random.Next(Entities):D6}")];
    }

    private static OnlineFeatureRequest Request(string[] keys) =>
        new(null, Service, new Dictionary<string, IReadOnlyList<object?>> { ["Origin"] = keys });

    private static string Body(string[] keys) =>
        "{\"feature_service\": \"" + Service + "\", \"entities\": {\"Origin\": [" + string.Join(",", keys.Select(k => $"\"{k}\"")) + "]}}";

    private static async Task PostAsync(HttpClient http, Uri url, string body)
    {
        using var content = new StringContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(url, content);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"lookup failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        await response.Content.CopyToAsync(Stream.Null);
    }

    /// <summary>Calls per second with <see cref="Clients"/> loops at once for <see cref="LoadTime"/>, after a one-second warm-up.</summary>
    private static async Task<double> RateAsync(Func<Random, Task> lookup)
    {
        long done = 0;
        async Task Loop(int seed, TimeSpan duration, bool count)
        {
            var random = new Random(seed);
            var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < until)
            {
                await lookup(random);
                if (count) Interlocked.Increment(ref done);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(i => Task.Run(() => Loop(i, TimeSpan.FromSeconds(1), false))));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(i => Task.Run(() => Loop(100 + i, LoadTime, true))));
        return done / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The 99th percentile (ms) of <see cref="BatchLookups"/> calls one after another, after a warm-up.</summary>
    private static async Task<double> P99Async(Func<Task> lookup)
    {
        for (var i = 0; i < BatchLookups / 10; i++) await lookup();
        var millis = new double[BatchLookups];
        for (var i = 0; i < BatchLookups; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await lookup();
            millis[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return Report.Percentile(millis, 0.99);
    }

    private static async Task WriteAsync(IOnlineFeatureStore store)
    {
        var random = new Random(42);
        var time = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        for (var start = 0; start < Entities; start += 10_000)
        {
            var rows = Enumerable.Range(start, 10_000).Select(e =>
            {
                var values = new Dictionary<string, object?>();
                for (var i = 0; i < 8; i++) values[$"avg_delay_{i}"] = random.NextDouble() * 60;
                values["flights_7d"] = (long)random.Next(10_000);
                values["state"] = e % 2 == 0 ? "WA" : "NY";
                return new OnlineFeatureRow([$"A{e:D6}"], time, values);
            }).ToList();
            await store.WriteAsync(View, Features, rows);
        }
    }
}
