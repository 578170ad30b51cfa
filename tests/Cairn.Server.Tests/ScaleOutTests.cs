using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Cairn.Cli;
using Cairn.Storage.Postgres;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>
/// Several stateless server processes on one PostgreSQL database and one S3 bucket; a PostgreSQL
/// restart under load; moving an embedded store onto that infrastructure. One class, so these
/// run one after another (one of them restarts the shared PostgreSQL server).
/// </summary>
public partial class ScaleOutTests
{
    private static ChildProcess StartServer(string database, string artifacts) =>
        ChildProcess.StartDll("cairn.dll", ["server", "--port", "0", "--backend-store-uri", database, "--artifacts-destination", artifacts],
            S3Server.Instance.Environment());

    private static async Task<HttpClient> Connect(ChildProcess server)
    {
        var line = await server.WaitForLineAsync(l => l.Contains("listening on"), TimeSpan.FromSeconds(60));
        return new HttpClient { BaseAddress = new Uri(Listening().Match(line).Groups[1].Value), Timeout = TimeSpan.FromSeconds(90) };
    }

    private static string Batch(string runId, int batch, int size = 1000) =>
        $$"""{"run_id": "{{runId}}", "metrics": [{{string.Join(',', Enumerable.Range(0, size).Select(i => $$"""{"key": "m", "value": {{i}}, "timestamp": {{batch}}, "step": {{batch * size + i}}}"""))}}]}""";

    [Fact]
    public async Task TwoServers_OnePostgresAndBucket_VersionsGapless_BatchesComplete_ArtifactsShared()
    {
        var database = PostgresServer.Instance.NewDatabase();
        var artifacts = $"s3://{S3Server.Bucket}/{Guid.NewGuid():N}";
        using var a = StartServer(database, artifacts);
        using var b = StartServer(database, artifacts);
        using var httpA = await Connect(a);
        using var httpB = await Connect(b);
        HttpClient Pick(int i) => i % 2 == 0 ? httpA : httpB;

        var versions = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            var body = await Json.OkAsync(Json.PostAsync(Pick(i), "/api/2.0/mlflow/model-versions/create", """{"name": "shared", "source": "mlflow-artifacts:/0/x/artifacts/model"}"""));
            return int.Parse(Json.Str(body["model_version"]!["version"]));
        }));
        Assert.Equal(Enumerable.Range(1, 50), versions.Order());

        var runId = Json.Str((await Json.OkAsync(Json.PostAsync(httpA, "/api/2.0/mlflow/runs/create", """{"experiment_id": "0"}""")))["run"]!["info"]!["run_id"]);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async writer =>
        {
            for (var i = 0; i < 10; i++) await Json.OkAsync(Json.PostAsync(Pick(writer + i), "/api/2.0/mlflow/runs/log-batch", Batch(runId, writer * 10 + i)));
        }));
        var history = await Json.OkAsync(Json.GetAsync(httpB, $"/api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=m"));
        Assert.Equal(80_000, history["metrics"]!.AsArray().Count);

        using (var put = await httpA.PutAsync($"/api/2.0/mlflow-artifacts/artifacts/0/{runId}/artifacts/notes.txt", new StringContent("written through A")))
            Assert.True(put.IsSuccessStatusCode);
        Assert.Equal("written through A", await httpB.GetStringAsync($"/api/2.0/mlflow-artifacts/artifacts/0/{runId}/artifacts/notes.txt"));
    }

    [Fact]
    public async Task PostgresRestartedUnderLoad_ClientsSeeNoErrors_AndEveryBatchIsStored()
    {
        var database = PostgresServer.Instance.NewDatabase();
        using var server = StartServer(database, $"s3://{S3Server.Bucket}/{Guid.NewGuid():N}");
        using var http = await Connect(server);
        var runId = Json.Str((await Json.OkAsync(Json.PostAsync(http, "/api/2.0/mlflow/runs/create", """{"experiment_id": "0"}""")))["run"]!["info"]!["run_id"]);

        var acknowledged = new ConcurrentBag<int>();
        var errors = new ConcurrentBag<string>();
        var next = 0;
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var batch = Interlocked.Increment(ref next);
                using var response = await http.PostAsync("/api/2.0/mlflow/runs/log-batch", new StringContent(Batch(runId, batch, 200), Encoding.UTF8, "application/json"));
                if (response.IsSuccessStatusCode) acknowledged.Add(batch);
                else errors.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        })).ToList();

        while (acknowledged.Count < 30) await Task.Delay(10);
        PostgresServer.Instance.Restart(); // sessions cut mid-transaction
        var afterRestart = acknowledged.Count;
        while (acknowledged.Count < afterRestart + 30) await Task.Delay(10);
        stop.Cancel();
        await Task.WhenAll(writers);

        Assert.Empty(errors);
        Assert.Contains("retrying", server.StandardError); // the server absorbed the restart with retries
        using var stores = await PostgresStores.OpenAsync(database);
        var stored = (await stores.Tracking.GetMetricHistoryAsync(runId, "m")).Items.GroupBy(m => m.Timestamp).ToDictionary(g => (int)g.Key, g => g.Count());
        foreach (var batch in acknowledged)
            Assert.True(stored.GetValueOrDefault(batch) >= 200, $"acknowledged batch {batch} has {stored.GetValueOrDefault(batch)} of 200 metrics");
    }

    [Fact]
    public async Task Migrate_EmbeddedStoreIntoPostgresAndS3_KeepsRunsRegistryAndArtifacts()
    {
        using var folder = new TempFolder();
        string runId;
        using (var cairn = CairnClient.Open(folder.File("embedded")))
        {
            using (var run = cairn.StartRun("delay", runName: "to-migrate"))
            {
                runId = run.RunId;
                run.LogParam("lr", 0.1);
                run.SetTag("note", "tab\there\nnew line, back\\slash, 'quote'");
                for (var step = 0; step < 500; step++) run.LogMetric("loss", 1.0 / (step + 1), step);
                run.LogMetric("edge", double.PositiveInfinity, 0);
                run.LogText("feature,gain\n", "model/importance.csv");
            }
            await cairn.Registry.CreateModelVersionAsync(new Registry.NewModelVersion("delay", $"runs:/{runId}/model", runId));
            await cairn.Registry.SetAliasAsync("delay", "champion", "1");
            await cairn.Registry.AddTransitionAsync(new Registry.ModelTransition(Ids.NewId(), "delay", "1", "champion", Registry.TransitionAction.AliasMoved, "ada", 1, "why", null, null));
            await cairn.Datasets.CreateVersionAsync(new Data.NewDatasetVersion("flights", "blake3:" + new string('a', 64), "file", 10, 1, "data/flights.csv", null,
                new Data.TableSummary("csv", 3, [new Data.TableColumn("delay", "int64")]), null, "ada"));
        }
        var database = PostgresServer.Instance.NewDatabase();
        var artifacts = $"s3://{S3Server.Bucket}/{Guid.NewGuid():N}";
        foreach (var (key, value) in S3Server.Instance.Environment()) Environment.SetEnvironmentVariable(key, value);

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["migrate", "--from", folder.File("embedded"), "--to", database, "--to-artifacts", artifacts], stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        var again = await CairnCli.RunAsync(["migrate", "--from", folder.File("embedded"), "--to", database, "--to-artifacts", artifacts], new StringWriter(), stderr);
        Assert.NotEqual(0, again); // a non-empty target is refused
        Assert.Contains("migrate into an empty store", stderr.ToString());

        using var server = StartServer(database, artifacts);
        using var http = await Connect(server);
        using var client = CairnClient.Open(http.BaseAddress!.ToString());
        var migrated = await client.Tracking.GetRunAsync(runId);
        Assert.Equal("to-migrate", migrated.Info.RunName);
        Assert.Equal("0.1", migrated.Data.Params.Single().Value);
        Assert.Equal(500, (await client.Tracking.GetMetricHistoryAsync(runId, "loss")).Items.Count);
        Assert.Equal("tab\there\nnew line, back\\slash, 'quote'", migrated.Data.Tags.Single(t => t.Key == "note").Value);
        Assert.Equal(double.PositiveInfinity, migrated.Data.Metrics.Single(m => m.Key == "edge").Value);
        Assert.Equal("1", (await client.Registry.GetModelVersionByAliasAsync("delay", "champion")).Version);
        Assert.Single(await client.Registry.ListTransitionsAsync("delay"));
        var written = await client.DownloadArtifactsAsync(RunUri.Parse($"runs:/{runId}/model/importance.csv"), folder.File("out.csv"));
        Assert.Equal("feature,gain\n", await File.ReadAllTextAsync(written.Single()));
        var flights = await client.Datasets.GetVersionAsync("flights", "1");
        Assert.Equal(3, flights.Table!.Rows);
        Assert.Equal(2, (await client.Datasets.CreateVersionAsync(new Data.NewDatasetVersion("flights", "blake3:" + new string('b', 64), "file", 11, 1,
            "data/flights.csv", null, null, null, "ada"))).Version);
        // New ids continue after the migrated ones.
        Assert.Equal("2", (await client.Registry.CreateModelVersionAsync(new Registry.NewModelVersion("delay", "mlflow-artifacts:/x"))).Version);
        Assert.NotEqual("0", await client.Tracking.CreateExperimentAsync("after-migration"));
    }

    [Fact]
    public async Task DbUpgrade_OnAFreshPostgres_ReportsTheLatestSchema()
    {
        var stdout = new StringWriter();
        var exit = await CairnCli.RunAsync(["db", "upgrade", "--backend-store-uri", PostgresServer.Instance.NewDatabase()], stdout, new StringWriter());
        Assert.Equal(0, exit);
        Assert.Contains($"schema version {PostgresSchema.LatestVersion}", stdout.ToString());
    }

    [Fact]
    public async Task Server_UnreachablePostgres_ExitsWithAMessage()
    {
        var stderr = new StringWriter();
        Environment.SetEnvironmentVariable("CAIRN_DB_RETRY_SECONDS", "2"); // give up after ~2 s instead of 30
        int exit;
        try
        {
            exit = await CairnCli.RunAsync(["db", "upgrade", "--backend-store-uri", "postgresql://cairn@127.0.0.1:1/none"], new StringWriter(), stderr);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CAIRN_DB_RETRY_SECONDS", null);
        }
        Assert.NotEqual(0, exit);
        Assert.Contains("Cannot use the PostgreSQL database", stderr.ToString());
    }

    [GeneratedRegex(@"listening on (http://[^\s]+)")]
    private static partial Regex Listening();
}
