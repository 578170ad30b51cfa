using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Cairn.Testing;
using Microsoft.Data.Sqlite;

namespace Cairn.Server.Tests;

/// <summary>Concurrent writers lose nothing; a server killed with SIGKILL keeps every write it acknowledged.</summary>
public partial class DurabilityTests
{
    [Fact]
    public async Task SixteenConcurrentWriters_ThousandMetricsEach_AllStoredWithSteps()
    {
        await using var server = await RunningServer.StartAsync();
        var runId = Json.Str((await Json.OkAsync(Json.PostAsync(server.Http, "/api/2.0/mlflow/runs/create", """{"experiment_id": "0"}""")))["run"]!["info"]!["run_id"]);

        await Task.WhenAll(Enumerable.Range(0, 16).Select(writer => Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = server.BaseUri };
            for (var step = 0; step < 1000; step++)
            {
                await Json.OkAsync(Json.PostAsync(http, "/api/2.0/mlflow/runs/log-metric",
                    $$"""{"run_id": "{{runId}}", "key": "writer{{writer}}", "value": {{step * 0.5}}, "timestamp": {{step}}, "step": {{step}}}"""));
            }
        })));

        for (var writer = 0; writer < 16; writer++)
        {
            var history = await Json.OkAsync(Json.GetAsync(server.Http, $"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=writer{writer}"));
            var steps = history["metrics"]!.AsArray().Select(m => m!["step"]!.GetValue<long>()).ToList();
            Assert.Equal(Enumerable.Range(0, 1000).Select(s => (long)s), steps);
        }
    }

    [Fact]
    public async Task ServerKilledWithSigkill_KeepsEveryAcknowledgedBatch_AndOpensCleanly()
    {
        using var folder = new TempFolder();
        var database = folder.File("cairn.db");
        string[] ServerArgs() => ["server", "--port", "0", "--backend-store-uri", $"sqlite:///{database}", "--artifacts-destination", folder.File("artifacts")];

        Uri baseUri;
        string runId;
        var acknowledged = new ConcurrentBag<int>();
        using (var server = ChildProcess.StartDll("cairn.dll", ServerArgs()))
        {
            baseUri = await ListeningAddress(server);
            using var http = new HttpClient { BaseAddress = baseUri };
            runId = Json.Str((await Json.OkAsync(Json.PostAsync(http, "/api/2.0/mlflow/runs/create", """{"experiment_id": "0"}""")))["run"]!["info"]!["run_id"]);

            var batchNumber = 0;
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var batch = Interlocked.Increment(ref batchNumber);
                    var metrics = string.Join(',', Enumerable.Range(0, 1000).Select(i => $$"""{"key": "m", "value": {{i}}, "timestamp": {{batch}}, "step": {{batch * 1000 + i}}}"""));
                    try
                    {
                        using var response = await http.PostAsync("/api/2.0/mlflow/runs/log-batch",
                            new StringContent($$"""{"run_id": "{{runId}}", "metrics": [{{metrics}}]}""", Encoding.UTF8, "application/json"));
                        if (response.IsSuccessStatusCode) acknowledged.Add(batch);
                    }
                    catch (HttpRequestException)
                    {
                        return; // the server died mid-request: that batch was not acknowledged
                    }
                }
            })).ToList();

            while (acknowledged.Count < 20) await Task.Delay(10);
            server.Kill(); // SIGKILL while batches are in flight
            stop.Cancel();
            await Task.WhenAll(writers);
        }

        using (var restarted = ChildProcess.StartDll("cairn.dll", ServerArgs()))
        {
            var uri = await ListeningAddress(restarted);
            using var http = new HttpClient { BaseAddress = uri };
            var history = await Json.OkAsync(Json.GetAsync(http, $"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=m"));
            var stored = history["metrics"]!.AsArray().GroupBy(m => m!["timestamp"]!.GetValue<long>()).ToDictionary(g => (int)g.Key, g => g.Count());
            foreach (var batch in acknowledged)
                Assert.True(stored.TryGetValue(batch, out var count) && count == 1000, $"acknowledged batch {batch} has {stored.GetValueOrDefault(batch)} of 1000 metrics");
            Assert.All(stored.Values, count => Assert.Equal(1000, count)); // no partial batch either
        }

        using var connection = new SqliteConnection($"Data Source={database};Pooling=false");
        connection.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", check.ExecuteScalar());
    }

    private static async Task<Uri> ListeningAddress(ChildProcess server)
    {
        var line = await server.WaitForLineAsync(l => l.Contains("listening on"), TimeSpan.FromSeconds(60));
        var match = ListeningPattern().Match(line);
        Assert.True(match.Success, $"unexpected first line: {line}\n{server.StandardError}");
        return new Uri(match.Groups[1].Value);
    }

    [GeneratedRegex(@"listening on (http://[^\s]+)")]
    private static partial Regex ListeningPattern();
}
