using System.Diagnostics;
using Cairn.Features;
using Cairn.Storage.Redis;
using Cairn.Storage.Sqlite;
using Cairn.Testing;
using Microsoft.Data.Sqlite;
using StackExchange.Redis;

namespace Cairn.Bench;

/// <summary>
/// The online stores in process: materializing 100,000 entities × 10 features into SQLite (a real
/// file, WAL) and into a local redis-server (pipelined), each beside a raw bulk insert of the same
/// rows (one plain SQLite INSERT transaction; plain pipelined HSET); then single-entity and
/// 100-entity lookups, beside a raw primary-key SELECT and a raw HMGET of the same data.
/// </summary>
public static class FeatureOnlineBenchmark
{
    private const int Entities = 100_000;
    private const int WriteBatch = 10_000;
    private const int SingleLookups = 20_000;
    private const int BatchLookups = 1_000;
    private const string View = "airport_delays";

    private static readonly FeatureField[] Features =
    [
        .. Enumerable.Range(0, 6).Select(i => new FeatureField($"avg_delay_{i}", FeatureType.Double)),
        new("flights_7d", FeatureType.Int64), new("cancelled_7d", FeatureType.Int64), new("state", FeatureType.String), new("hub", FeatureType.Bool),
    ];

    private static readonly string[] Names = Features.Select(f => f.Name).ToArray();

    public static async Task RunAsync(Report report)
    {
        var rows = Rows();
        var folder = Directory.CreateTempSubdirectory("cairn-bench-features-");
        try
        {
            await using (var sqlite = new SqliteOnlineFeatureStore(Path.Combine(folder.FullName, "online.db")))
                await Measure(report, "SQLite", sqlite, rows, new RawSqlite(Path.Combine(folder.FullName, "raw.db")));
            SqliteConnection.ClearAllPools();

            if (RedisServer.Unavailable is { } why) { Console.Error.WriteLine($"  Redis figures skipped: {why}"); return; }
            await using var redis = await RedisOnlineFeatureStore.ConnectAsync(RedisServer.Instance.Uri);
            using var raw = await ConnectionMultiplexer.ConnectAsync(RedisConnectionUri.Parse(RedisServer.Instance.Uri));
            await Measure(report, "Redis", redis, rows, new RawRedis(raw.GetDatabase()));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task Measure(Report report, string backend, IOnlineFeatureStore store, List<OnlineFeatureRow> rows, IRawBaseline raw)
    {
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < rows.Count; start += WriteBatch)
            await store.WriteAsync(View, Features, rows.GetRange(start, Math.Min(WriteBatch, rows.Count - start)));
        var storeRate = rows.Count / clock.Elapsed.TotalSeconds;
        clock.Restart();
        await raw.InsertAsync(rows);
        var rawRate = rows.Count / clock.Elapsed.TotalSeconds;
        report.Add($"features-online: materialize {Entities:N0} entities x 10 features into {backend}", $"{storeRate:N0} rows/s",
            $"{rawRate:N0} rows/s raw {raw.Name}", $"{storeRate / rawRate:P0} of raw", "(ratio reported)", true);

        var random = new Random(7);
        var single = await Latencies(SingleLookups, async () => await store.ReadAsync(View, [Key(random.Next(Entities))], Names));
        var rawSingle = await Latencies(SingleLookups, () => raw.ReadAsync([Key(random.Next(Entities))]));
        report.Add($"features-online: 1 entity x 10 features from {backend}, p50 / p99", $"{single.P50:F0} / {single.P99:F0} µs",
            $"{rawSingle.P50:F0} / {rawSingle.P99:F0} µs raw {raw.ReadName}", $"{single.P99 / rawSingle.P99:F1}x at p99", "p99 < 1 ms", single.P99 < 1000);

        var batch = await Latencies(BatchLookups, async () => await store.ReadAsync(View, Batch(random), Names));
        var rawBatch = await Latencies(BatchLookups, () => raw.ReadAsync(Batch(random)));
        report.Add($"features-online: 100-entity batch x 10 features from {backend}, p50 / p99", $"{batch.P50:F0} / {batch.P99:F0} µs",
            $"{rawBatch.P50:F0} / {rawBatch.P99:F0} µs raw {raw.ReadName}", $"{batch.P99 / rawBatch.P99:F1}x at p99", "p99 < 5 ms", batch.P99 < 5000);
    }

    private static IReadOnlyList<object> Key(int entity) => [$"A{entity:D6}"];

    private static List<IReadOnlyList<object>> Batch(Random random) => Enumerable.Range(0, 100).Select(_ => Key(random.Next(Entities))).ToList();

    private static async Task<(double P50, double P99)> Latencies(int count, Func<Task> lookup)
    {
        for (var i = 0; i < count / 10; i++) await lookup(); // warm-up: connections, prepared statements, JIT
        var micros = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await lookup();
            micros[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        return (Report.Percentile(micros, 0.50), Report.Percentile(micros, 0.99));
    }

    private static List<OnlineFeatureRow> Rows()
    {
        var random = new Random(42);
        var time = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        return Enumerable.Range(0, Entities).Select(e =>
        {
            var values = new Dictionary<string, object?>();
            for (var i = 0; i < 6; i++) values[$"avg_delay_{i}"] = random.NextDouble() * 60;
            values["flights_7d"] = (long)random.Next(10_000);
            values["cancelled_7d"] = (long)random.Next(100);
            values["state"] = e % 2 == 0 ? "WA" : "NY";
            values["hub"] = e % 3 == 0;
            return new OnlineFeatureRow(Key(e), time.AddSeconds(e), values);
        }).ToList();
    }

    private interface IRawBaseline
    {
        string Name { get; }
        string ReadName { get; }
        Task InsertAsync(List<OnlineFeatureRow> rows);
        Task ReadAsync(IReadOnlyList<IReadOnlyList<object>> keys);
    }

    /// <summary>A plain table with one column per feature: one INSERT transaction, then SELECT by primary key.</summary>
    private sealed class RawSqlite(string path) : IRawBaseline
    {
        private readonly string _connectionString = $"Data Source={path}";
        private SqliteConnection? _reader;
        private SqliteCommand? _select;

        public string Name => "SQLite INSERT (1 transaction)";
        public string ReadName => "SELECT by primary key";

        public Task InsertAsync(List<OnlineFeatureRow> rows)
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            Run(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            Run(connection, $"CREATE TABLE raw (entity_key TEXT PRIMARY KEY, event_time INTEGER, {string.Join(", ", Features.Select(f => f.Name))}) WITHOUT ROWID");
            using var transaction = connection.BeginTransaction();
            using var insert = new SqliteCommand($"INSERT INTO raw VALUES ($key, $time, {string.Join(", ", Features.Select(f => "$" + f.Name))})", connection, transaction);
            var key = insert.Parameters.Add("$key", SqliteType.Text);
            var time = insert.Parameters.Add("$time", SqliteType.Integer);
            var parameters = Features.Select(f => insert.Parameters.Add("$" + f.Name, SqliteType.Text)).ToArray();
            insert.Prepare();
            foreach (var row in rows)
            {
                key.Value = row.Key[0];
                time.Value = row.EventTime.ToUnixTimeMilliseconds();
                for (var f = 0; f < parameters.Length; f++) parameters[f].Value = row.Values[Features[f].Name];
                insert.ExecuteNonQuery();
            }
            transaction.Commit();
            _reader = new SqliteConnection(_connectionString);
            _reader.Open();
            _select = new SqliteCommand($"SELECT event_time, {string.Join(", ", Names)} FROM raw WHERE entity_key = $key", _reader);
            _select.Parameters.Add("$key", SqliteType.Text);
            _select.Prepare();
            return Task.CompletedTask;
        }

        public Task ReadAsync(IReadOnlyList<IReadOnlyList<object>> keys)
        {
            foreach (var k in keys)
            {
                _select!.Parameters[0].Value = k[0];
                using var reader = _select.ExecuteReader();
                if (reader.Read()) for (var c = 0; c < reader.FieldCount; c++) reader.GetValue(c);
            }
            return Task.CompletedTask;
        }

        private static void Run(SqliteConnection connection, string sql)
        {
            using var command = new SqliteCommand(sql, connection);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Plain HSET of the same fields, pipelined in the same chunks; reads by HMGET.</summary>
    private sealed class RawRedis(IDatabase database) : IRawBaseline
    {
        private static readonly RedisValue[] Fields = ["ts", .. Names.Select(n => (RedisValue)n)];

        public string Name => "pipelined HSET";
        public string ReadName => "HMGET";

        public async Task InsertAsync(List<OnlineFeatureRow> rows)
        {
            for (var start = 0; start < rows.Count; start += WriteBatch)
            {
                var batch = database.CreateBatch();
                var pending = rows.Skip(start).Take(WriteBatch).Select(row => batch.HashSetAsync("raw:" + row.Key[0],
                    [new HashEntry("ts", row.EventTime.ToUnixTimeMilliseconds()), .. Features.Select(f => new HashEntry(f.Name, ToRedis(row.Values[f.Name])))])).ToArray();
                batch.Execute();
                await Task.WhenAll(pending);
            }
        }

        public async Task ReadAsync(IReadOnlyList<IReadOnlyList<object>> keys)
        {
            if (keys.Count == 1) { await database.HashGetAsync("raw:" + keys[0][0], Fields); return; }
            var batch = database.CreateBatch();
            var pending = keys.Select(k => batch.HashGetAsync("raw:" + k[0], Fields)).ToArray();
            batch.Execute();
            await Task.WhenAll(pending);
        }

        private static RedisValue ToRedis(object? value) => value switch
        {
            double d => d, long l => l, bool b => b, string s => s, _ => RedisValue.Null,
        };
    }
}
