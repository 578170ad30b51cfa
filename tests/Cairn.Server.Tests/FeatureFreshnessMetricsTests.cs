using System.Globalization;
using Cairn.Features;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Server.Tests;

/// <summary>The feature views' freshness gauges on a real server's /metrics, over a SQLite online store.</summary>
public sealed class FeatureFreshnessMetricsTests
{
    private static readonly DateTimeOffset Now = new(2024, 3, 2, 0, 0, 0, TimeSpan.Zero);

    private static FeatureRepository Repository(string csv) => new(
        [new EntityDefinition("origin", [new FeatureField("Origin", FeatureType.String)])],
        [new FeatureSourceDefinition("flights", FeatureSourceKinds.File, "event_time", Path: csv)],
        [
            new FeatureViewDefinition("delays", ["origin"], "flights", [new FeatureField("avg_delay", FeatureType.Double)]),
            new FeatureViewDefinition("never_loaded", ["origin"], "flights", [new FeatureField("avg_delay", FeatureType.Double)]),
        ],
        []);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>The value of <paramref name="metric"/> for <paramref name="view"/> in a Prometheus text exposition, or null.</summary>
    private static double? Sample(string exposition, string metric, string view) =>
        exposition.Split('\n').Where(l => l.StartsWith($"{metric}{{view=\"{view}\"}} ", StringComparison.Ordinal))
            .Select(l => (double?)double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)).SingleOrDefault();

    [Fact]
    public async Task Metrics_AfterMaterializeAndPush_ExportEachViewsFreshnessAndMaterializedUntil()
    {
        using var folder = new TempFolder();
        var csv = folder.File("flights.csv");
        await File.WriteAllTextAsync(csv, "Origin,event_time,avg_delay\nSEA,2024-03-01 10:00:00,4.5\nJFK,2024-03-01 18:00:00,7.5\n");
        await using var online = new SqliteOnlineFeatureStore(folder.File("online.db"));
        await using var server = await RunningServer.StartAsync(o => o with
        {
            OnlineFeatures = new LocalOnlineFeatureService(o.Features!, online, folder.File("push")),
            FeatureFreshness = new FeatureFreshnessMetrics(o.Features!, online, new FixedClock(Now)),
        });
        using var client = server.Client();
        var repository = Repository(csv);
        await client.Features.ApplyAsync(repository);
        var before = await server.Http.GetStringAsync("/metrics");

        await FeatureMaterializer.MaterializeAsync(repository, online, ["delays"], Now.AddDays(-7), Now.AddHours(-1));
        var materialized = await server.Http.GetStringAsync("/metrics");
        await client.OnlineFeatures.PushAsync("delays", [new Dictionary<string, object?> { ["Origin"] = "SEA", ["event_time"] = "2024-03-01T23:00:00Z", ["avg_delay"] = 1.0 }]);
        var pushed = await server.Http.GetStringAsync("/metrics");

        Assert.Contains("# TYPE cairn_feature_view_freshness_seconds gauge", before);
        Assert.Null(Sample(before, "cairn_feature_view_freshness_seconds", "delays"));
        Assert.Equal(6.0 * 3600, Sample(materialized, "cairn_feature_view_freshness_seconds", "delays")); // newest event 18:00, now midnight
        Assert.Equal((Now.AddHours(-1) - DateTimeOffset.UnixEpoch).TotalSeconds, Sample(materialized, "cairn_feature_view_materialized_until_timestamp_seconds", "delays"));
        Assert.Null(Sample(materialized, "cairn_feature_view_freshness_seconds", "never_loaded"));
        Assert.Contains("cairn_feature_online_store_up 1", materialized);
        Assert.Equal(3600.0, Sample(pushed, "cairn_feature_view_freshness_seconds", "delays"));
        Assert.Equal((Now.AddHours(-1) - DateTimeOffset.UnixEpoch).TotalSeconds, Sample(pushed, "cairn_feature_view_materialized_until_timestamp_seconds", "delays"));
    }
}
