using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Cairn.Security;
using Cairn.Server;
using Cairn.Server.Security;
using Cairn.Storage.Local;
using Cairn.Storage.Sqlite;
using Cairn.Tracking;

namespace Cairn.Bench;

/// <summary>
/// Tracking ingest with --auth and a bearer API token (a user who is not an admin, with EDIT on the
/// experiment, so every request is signed in and its permission checked) against the same load
/// with auth off, in the same run: log-batch of 1,000 metrics, and single log-metric requests,
/// where the per-request cost of sign-in shows most. Rounds alternate; each side keeps its best.
/// </summary>
public static class AuthIngestBenchmark
{
    private const int Clients = 4;
    private const int Rounds = 3;

    public static async Task RunAsync(Report report)
    {
        foreach (var (name, requests, perRequest) in new[] { ("log-batch 1,000 metrics", 100, 1000), ("log-metric, one per request", 2_500, 1) })
        {
            double off = 0, on = 0;
            for (var round = 0; round < Rounds; round++)
            {
                off = Math.Max(off, await MetricsPerSecondAsync(auth: false, requests, perRequest));
                on = Math.Max(on, await MetricsPerSecondAsync(auth: true, requests, perRequest));
            }
            report.Add($"security: ingest with a bearer token, {name} x {Clients} clients", $"{on:N0} metrics/s", $"{off:N0} metrics/s with auth off",
                $"{on / off:P0} of auth off", ">= 90% of auth off", on / off >= 0.90);
        }
    }

    private static async Task<double> MetricsPerSecondAsync(bool auth, int requestsPerClient, int metricsPerRequest)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-auth-");
        try
        {
            using var stores = new SqliteStores(Path.Combine(folder.FullName, "cairn.db"));
            var options = new CairnServerOptions(stores.Tracking, new LocalArtifactStore(Path.Combine(folder.FullName, "artifacts")), stores.Registry, stores.Datasets) { Port = 0 };
            AuthenticationHeaderValue? credentials = null;
            if (auth)
            {
                var accounts = new AccountService(stores.Identity);
                await accounts.CreateUserAsync("ci", "a password nobody uses 1");
                await stores.Identity.SetPermissionAsync(new ResourcePermission(ResourceTypes.Experiment, "0", Principals.User("ci"), Permission.Edit));
                credentials = new("Bearer", (await accounts.IssueTokenAsync("ci", "bench", null)).Secret);
                options = options with { Authentication = new ServerAuthentication(accounts, stores.Identity) };
            }
            var app = CairnServer.Build(options);
            await app.StartAsync();
            try
            {
                var runIds = new List<string>();
                for (var c = 0; c < Clients; c++) runIds.Add((await stores.Tracking.CreateRunAsync(new NewRun("0"))).Info.RunId);
                // Bodies are built before timing: the figure is the server's, not the JSON writer's.
                var bodies = runIds.Select(run => Enumerable.Range(0, requestsPerClient).Select(r => Body(run, r, metricsPerRequest)).ToArray()).ToArray();
                var path = metricsPerRequest == 1 ? "/api/2.0/mlflow/runs/log-metric" : "/api/2.0/mlflow/runs/log-batch";
                HttpClient Client() => new() { BaseAddress = app.BoundAddress(), DefaultRequestHeaders = { Authorization = credentials } };
                using (var warm = Client()) await PostAsync(warm, path, Body(runIds[0], 999_999, metricsPerRequest));

                var clock = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
                {
                    using var http = Client();
                    foreach (var body in bodies[c]) await PostAsync(http, path, body);
                })));
                var seconds = clock.Elapsed.TotalSeconds;
                var stored = 0;
                foreach (var run in runIds) stored += (await stores.Tracking.GetMetricHistoryAsync(run, "loss", 100_000)).Items.Count;
                if (stored < Clients * requestsPerClient * metricsPerRequest) throw new InvalidOperationException($"only {stored} metrics stored");
                return Clients * requestsPerClient * metricsPerRequest / seconds;
            }
            finally
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    private static async Task PostAsync(HttpClient http, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await http.PostAsync(path, content);
        response.EnsureSuccessStatusCode();
    }

    private static byte[] Body(string runId, int request, int metrics)
    {
        if (metrics == 1)
            return Encoding.UTF8.GetBytes($$"""{"run_id": "{{runId}}", "key": "loss", "value": 0.5, "timestamp": 1700000000000, "step": {{request}}}""");
        var sb = new StringBuilder($$"""{"run_id": "{{runId}}", "metrics": [""");
        for (var i = 0; i < metrics; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append($$"""{"key": "loss", "value": {{0.5 + i * 1e-6}}, "timestamp": 1700000000000, "step": {{request * metrics + i}}}""");
        }
        return Encoding.UTF8.GetBytes(sb.Append("]}").ToString());
    }
}
