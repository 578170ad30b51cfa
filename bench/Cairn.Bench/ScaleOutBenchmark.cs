using System.Diagnostics;
using Cairn.Artifacts;
using Cairn.Storage.Local;
using Cairn.Storage.Postgres;
using Cairn.Storage.Sql;
using Cairn.Storage.Sqlite;
using Cairn.Testing;
using Cairn.Tracking;
using Microsoft.Data.Sqlite;

namespace Cairn.Bench;

/// <summary>
/// The foundation figures on PostgreSQL beside SQLite (a throwaway PostgreSQL 15 cluster on
/// 127.0.0.1, fsync on), and artifact throughput to an S3-compatible server (s3rver) beside the
/// local content-addressed store, for 1 MB and 200 MB files. All in one run.
/// </summary>
public static class ScaleOutBenchmark
{
    public static async Task RunAsync(Report report)
    {
        var postgres = PostgresServer.Start(fsync: true);
        var folder = Directory.CreateTempSubdirectory("cairn-bench-scale-");
        try
        {
            // Ingest: the same HTTP load on each backend.
            double sqliteIngest, postgresIngest;
            using (var stores = new SqliteStores(Path.Combine(folder.FullName, "ingest.db")))
                sqliteIngest = await IngestBenchmark.HttpMetricsPerSecond(stores.Tracking, stores.Registry, stores.Datasets, folder.FullName);
            using (var stores = await PostgresStores.OpenAsync(postgres.NewDatabase()))
                postgresIngest = await IngestBenchmark.HttpMetricsPerSecond(stores.Tracking, stores.Registry, stores.Datasets, folder.FullName);
            report.Add("ingest on PostgreSQL: log-batch 1,000 metrics x 4 HTTP clients", $"{postgresIngest:N0} metrics/s", $"{sqliteIngest:N0} metrics/s on SQLite",
                $"{postgresIngest / sqliteIngest:P0} of SQLite", ">= 200,000/s", postgresIngest >= 200_000);

            // Search: 100k runs seeded in SQLite, moved to PostgreSQL with `cairn migrate`'s copier.
            var seedClock = Stopwatch.StartNew();
            using var sqlite = SqliteDatabase.OpenMigrated(Path.Combine(folder.FullName, "search.db"));
            var sqliteTracking = new SqlTrackingStore(sqlite);
            var experimentId = await SearchBenchmark.SeedAsync(sqliteTracking);
            using var pg = await PostgresDatabase.OpenAsync(postgres.NewDatabase());
            var copyClock = Stopwatch.StartNew();
            await MetadataCopier.CopyAsync(sqlite, pg);
            Console.Error.WriteLine($"  seeded in {seedClock.Elapsed.TotalSeconds - copyClock.Elapsed.TotalSeconds:F0} s, copied to PostgreSQL in {copyClock.Elapsed.TotalSeconds:F0} s");
            using (var analyze = pg.Open()) SqlCommands.Exec(analyze, null, "ANALYZE");
            var pgTracking = new SqlTrackingStore(pg);
            var query = new RunQuery([experimentId], SearchBenchmark.Filter, MaxResults: 100, OrderBy: SearchBenchmark.OrderBy);
            var onSqlite = await SearchBenchmark.TimeAsync(() => sqliteTracking.SearchRunsAsync(query));
            var onPostgres = await SearchBenchmark.TimeAsync(() => pgTracking.SearchRunsAsync(query));
            var page = await pgTracking.SearchRunsAsync(query);
            if (page.Items.Count != 100) throw new InvalidOperationException("PostgreSQL returned an unexpected page");
            report.Add("search on PostgreSQL: 100k runs, filter + order by metric, first 100", $"{onPostgres:F1} ms median", $"{onSqlite:F1} ms on SQLite",
                $"{onPostgres / onSqlite:F2}x", "< 50 ms median", onPostgres < 50);

            // Artifacts: S3 (s3rver) against the local store.
            var local = new LocalArtifactStore(Path.Combine(folder.FullName, "artifacts-bench"));
            using var s3 = S3Server.Instance.NewStore();
            foreach (var (label, size, count) in new[] { ("1 MB", 1 << 20, 20), ("200 MB", 200 << 20, 1) })
            {
                var (localUp, localDown) = await Throughput(local, size, count);
                var (s3Up, s3Down) = await Throughput(s3, size, count);
                report.Add($"artifacts {label} upload, S3 (s3rver) vs local", $"{s3Up:F0} MB/s", $"{localUp:F0} MB/s local", $"{s3Up / localUp:P0} of local", "report", true);
                report.Add($"artifacts {label} download, S3 (s3rver) vs local", $"{s3Down:F0} MB/s", $"{localDown:F0} MB/s local", $"{s3Down / localDown:P0} of local", "report", true);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    private static async Task<(double Upload, double Download)> Throughput(IArtifactStore store, int size, int count)
    {
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        var prefix = Guid.NewGuid().ToString("N");
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) await store.PutAsync($"{prefix}/{i}.bin", new MemoryStream(bytes, writable: false));
        var upload = (double)size * count / (1 << 20) / clock.Elapsed.TotalSeconds;
        clock.Restart();
        var buffer = new byte[1 << 16];
        for (var i = 0; i < count; i++)
        {
            await using var stream = await store.OpenReadAsync($"{prefix}/{i}.bin");
            long read = 0;
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0) read += n;
            if (read != size) throw new InvalidOperationException($"read {read} of {size} bytes");
        }
        var download = (double)size * count / (1 << 20) / clock.Elapsed.TotalSeconds;
        return (upload, download);
    }
}
