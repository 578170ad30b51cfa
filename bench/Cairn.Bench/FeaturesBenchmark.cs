using System.Diagnostics;
using Cairn.Features;
using DuckDB.NET.Data;

namespace Cairn.Bench;

/// <summary>
/// The point-in-time join: 1,000,000 entity rows (10% with keys the source lacks) against
/// 3,000,000 feature rows of 5,000 keys spread over a year, written out of time order, two
/// features and a 1-day TTL. Cairn's joiner (checks, tie rule, entity order kept) beside DuckDB's
/// own ASOF JOIN of the same files written by hand, interleaved, median of 3; both outputs are
/// compared value by value afterwards.
/// </summary>
public static class FeaturesBenchmark
{
    private const int Runs = 3;

    public static async Task RunAsync(Report report)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-features-").FullName;
        try
        {
            var (entities, features) = (Path.Combine(folder, "entities.parquet"), Path.Combine(folder, "features.parquet"));
            // Timestamps are a permutation of 3M distinct seconds (7919 is prime to 3,000,000), so no ties: DuckDB's
            // own ASOF join picks an arbitrary row among ties, and the comparison must not depend on that.
            Execute($"""
                SET TimeZone = 'UTC';
                COPY (SELECT i % 5000 AS sensor_id, TIMESTAMPTZ '2024-01-01' + to_seconds((i * 7919) % 3000000 * 10) AS ts,
                             (i % 1000) / 10.0 AS reading, i % 97 AS events
                      FROM range(3000000) t(i)) TO '{features}' (FORMAT parquet);
                COPY (SELECT j AS row_id, CAST(hash(j) % 5500 AS BIGINT) AS sensor_id,
                             TIMESTAMPTZ '2024-01-01' + to_seconds(CAST(hash(j * 31) % 31000000 AS BIGINT)) AS event_timestamp
                      FROM range(1000000) t(j)) TO '{entities}' (FORMAT parquet);
                """);
            var repository = new FeatureRepository(
                [new EntityDefinition("sensor", [new FeatureField("sensor_id", FeatureType.Int64)])],
                [new FeatureSourceDefinition("readings", FeatureSourceKinds.File, "ts", Path: features)],
                [new FeatureViewDefinition("sensor_stats", ["sensor"], "readings",
                    [new FeatureField("reading", FeatureType.Double), new FeatureField("events", FeatureType.Int64)], Ttl: TimeSpan.FromDays(1))], []);
            var byHand = $"""
                SET TimeZone = 'UTC';
                COPY (SELECT e.*, CASE WHEN e.event_timestamp - f.ts <= INTERVAL 1 DAY THEN f.reading END AS reading,
                                  CASE WHEN e.event_timestamp - f.ts <= INTERVAL 1 DAY THEN f.events END AS events
                      FROM read_parquet('{entities}') e ASOF LEFT JOIN read_parquet('{features}') f
                      ON e.sensor_id = f.sensor_id AND e.event_timestamp >= f.ts) TO '{Path.Combine(folder, "by-hand.parquet")}' (FORMAT parquet);
                """;

            var (cairnRuns, duckRuns) = (new List<double>(), new List<double>());
            TrainingSetResult? result = null;
            for (var run = 0; run < Runs; run++)
            {
                duckRuns.Add(Time(() => Execute(byHand)));
                var clock = Stopwatch.StartNew();
                result = await PointInTimeJoiner.JoinAsync(repository, [new("sensor_stats", "reading"), new("sensor_stats", "events")], entities, Path.Combine(folder, "cairn.parquet"));
                cairnRuns.Add(clock.Elapsed.TotalSeconds);
            }
            var differences = Scalar($"""
                SELECT count(*) FROM read_parquet('{Path.Combine(folder, "cairn.parquet")}') c JOIN read_parquet('{Path.Combine(folder, "by-hand.parquet")}') h USING (row_id)
                WHERE c.reading IS DISTINCT FROM h.reading OR c.events IS DISTINCT FROM h.events
                """);
            var (cairn, duck) = (Report.Median(cairnRuns), Report.Median(duckRuns));
            report.Add($"features: point-in-time join, 1,000,000 entity rows x 3,000,000 feature rows, 2 features, TTL 1 day (median of {Runs}; {result!.Features[0].Nulls:N0} null, {differences} values differ from DuckDB's)",
                $"{cairn:F2} s", $"DuckDB ASOF JOIN by hand {duck:F2} s", $"{cairn / duck:F2}x", "< 5 s", cairn < 5 && differences == 0);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    private static void Execute(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
