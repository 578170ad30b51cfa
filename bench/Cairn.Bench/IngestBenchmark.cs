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
/// log-batch of 1,000 metrics per request from 4 concurrent HTTP clients to a real server, against
/// the raw SQLite insert speed of the same rows (prepared statement bound by position, 1,000 rows per transaction,
/// the same table and index, SQLite's C API) measured in the same run.
/// </summary>
public static class IngestBenchmark
{
    private const int Clients = 4;
    private const int BatchesPerClient = 150;
    private const int MetricsPerBatch = 1000;

    public static async Task RunAsync(Report report)
    {
        var raw = RawSqliteRowsPerSecond();
        var http = await HttpMetricsPerSecond();
        report.Add("ingest: log-batch 1,000 metrics x 4 HTTP clients", $"{http:N0} metrics/s", $"{raw:N0} rows/s raw SQLite insert",
            $"{http / raw:P0} of raw", ">= 200,000/s and >= 30% of raw", http >= 200_000 && http / raw >= 0.30);
    }

    private static async Task<double> HttpMetricsPerSecond()
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-ingest-");
        try
        {
            using var stores = new SqliteStores(Path.Combine(folder.FullName, "cairn.db"));
            return await HttpMetricsPerSecond(stores.Tracking, stores.Registry, stores.Datasets, folder.FullName);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The ingest load against a server over the given stores.</summary>
    public static async Task<double> HttpMetricsPerSecond(ITrackingStore store, Cairn.Registry.IRegistryStore registry, Cairn.Data.IDatasetStore datasets, string scratch)
    {
        {
            var app = CairnServer.Build(new CairnServerOptions(store, new LocalArtifactStore(Path.Combine(scratch, "artifacts")), registry, datasets) { Port = 0 });
            await app.StartAsync();
            var baseUri = app.BoundAddress();
            var runIds = new List<string>();
            for (var c = 0; c < Clients; c++) runIds.Add((await store.CreateRunAsync(new NewRun("0"))).Info.RunId);

            // Bodies are built before timing: the figure is the server's, not the JSON writer's.
            var bodies = runIds.Select(runId => Enumerable.Range(0, BatchesPerClient).Select(b => Body(runId, b)).ToArray()).ToArray();
            using var warm = new HttpClient { BaseAddress = baseUri };
            await Post(warm, Body(runIds[0], 999_999));

            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
            {
                using var http = new HttpClient { BaseAddress = baseUri };
                foreach (var body in bodies[c]) await Post(http, body);
            })));
            var seconds = clock.Elapsed.TotalSeconds;

            var stored = 0;
            foreach (var runId in runIds) stored += (await store.GetMetricHistoryAsync(runId, "loss")).Items.Count;
            if (stored < Clients * BatchesPerClient * MetricsPerBatch) throw new InvalidOperationException($"only {stored} metrics stored");
            await app.StopAsync();
            return Clients * BatchesPerClient * MetricsPerBatch / seconds;
        }
    }

    private static async Task Post(HttpClient http, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");
        using var response = await http.PostAsync("/api/2.0/mlflow/runs/log-batch", content);
        response.EnsureSuccessStatusCode();
    }

    private static byte[] Body(string runId, int batch)
    {
        var sb = new StringBuilder($$"""{"run_id": "{{runId}}", "metrics": [""");
        for (var i = 0; i < MetricsPerBatch; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append($$"""{"key": "loss", "value": {{0.5 + i * 1e-6}}, "timestamp": 1700000000000, "step": {{batch * MetricsPerBatch + i}}}""");
        }
        return Encoding.UTF8.GetBytes(sb.Append("]}").ToString());
    }

    private static double RawSqliteRowsPerSecond()
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-raw-");
        try
        {
            using var connection = new SqliteConnection($"Data Source={Path.Combine(folder.FullName, "raw.db")};Pooling=false");
            connection.Open();
            Exec(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            Exec(connection, """
                CREATE TABLE metrics (run_id INTEGER NOT NULL, key TEXT NOT NULL, value REAL NOT NULL, timestamp INTEGER NOT NULL, step INTEGER NOT NULL, is_nan INTEGER NOT NULL);
                CREATE INDEX ix_metrics_history ON metrics (run_id, key, step, timestamp);
                """);
            var total = Clients * BatchesPerClient;
            // The fastest plain way to insert these rows: SQLite's C API, a prepared statement
            // bound by position, 1,000 rows per transaction (what the store itself does).
            var db = connection.Handle!;
            SQLitePCL.raw.sqlite3_prepare_v2(db, "INSERT INTO metrics VALUES (?1, ?2, ?3, ?4, ?5, 0)", out var insert);
            var key = "loss"u8.ToArray();
            var clock = Stopwatch.StartNew();
            for (var batch = 0; batch < total; batch++)
            {
                Exec(connection, "BEGIN IMMEDIATE");
                for (var i = 0; i < MetricsPerBatch; i++)
                {
                    SQLitePCL.raw.sqlite3_bind_int64(insert, 1, batch % Clients);
                    SQLitePCL.raw.sqlite3_bind_text(insert, 2, key);
                    SQLitePCL.raw.sqlite3_bind_double(insert, 3, 0.5 + i * 1e-6);
                    SQLitePCL.raw.sqlite3_bind_int64(insert, 4, 1700000000000L);
                    SQLitePCL.raw.sqlite3_bind_int64(insert, 5, (long)batch * MetricsPerBatch + i);
                    if (SQLitePCL.raw.sqlite3_step(insert) != SQLitePCL.raw.SQLITE_DONE) throw new InvalidOperationException("insert failed");
                    SQLitePCL.raw.sqlite3_reset(insert);
                }
                Exec(connection, "COMMIT");
            }
            SQLitePCL.raw.sqlite3_finalize(insert);
            return total * MetricsPerBatch / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    private static void Exec(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
