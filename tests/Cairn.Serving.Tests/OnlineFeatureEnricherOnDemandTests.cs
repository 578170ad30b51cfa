using Cairn.Features;
using Cairn.Storage.Sqlite;
using Cairn.Testing;

namespace Cairn.Serving.Tests;

/// <summary>The enricher of <c>cairn serve --feature-service</c> with on-demand features: request fields from the row, the value from the function.</summary>
public sealed class OnlineFeatureEnricherOnDemandTests
{
    /// <summary>avg_delay per scheduled minute.</summary>
    private sealed class PerMinute : IOnDemandFeatureFunction
    {
        public string Name => "per_minute";

        public IReadOnlyList<IReadOnlyDictionary<string, object?>> Compute(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows) =>
            [.. rows.Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["delay_per_minute"] = (double?)r["avg_delay"] / (long)r["scheduled_minutes"]! })];
    }

    // The on-demand feature comes first in the service, but after the stored one in the answer: the enricher must go by name.
    private static readonly FeatureRepository Features = new(
        [new EntityDefinition("airport", [new FeatureField("Origin", FeatureType.String)])],
        [new FeatureSourceDefinition("delays", FeatureSourceKinds.File, "event_time", Path: "delays.csv")],
        [new FeatureViewDefinition("airport_delays", ["airport"], "delays", [new FeatureField("avg_delay", FeatureType.Double)])],
        [new FeatureServiceDefinition("delay_v2", [new FeatureReference("per_minute", "delay_per_minute"), new FeatureReference("airport_delays", "avg_delay")])])
    {
        OnDemandViews = [new OnDemandFeatureViewDefinition("per_minute", [new FeatureField("scheduled_minutes", FeatureType.Int64)],
            [new FeatureReference("airport_delays", "avg_delay")], [new FeatureField("delay_per_minute", FeatureType.Double)], "per_minute")],
    };

    [Fact]
    public async Task Enrich_AddsTheComputedFeature_FromTheRowsRequestField_AndRefusesARowWithoutIt()
    {
        using var folder = new TempFolder();
        using var cairn = CairnClient.Open(folder.File("store"));
        await cairn.Features.ApplyAsync(Features);
        await using var sqlite = new SqliteOnlineFeatureStore(folder.File("online.db"));
        var service = new LocalOnlineFeatureService(cairn.Features, sqlite, folder.File("push"), functions: new OnDemandFeatureFunctions([new PerMinute()]));
        await service.PushAsync("airport_delays", [new Dictionary<string, object?> { ["Origin"] = "SEA", ["event_time"] = "2024-03-01T00:00:00Z", ["avg_delay"] = 30.0 }]);
        var enricher = OnlineFeatureEnricher.Create(service, Features, "delay_v2");

        var rows = await enricher.EnrichAsync([new Dictionary<string, object?> { ["Origin"] = "SEA", ["scheduled_minutes"] = 60L }]);
        var error = await Assert.ThrowsAsync<CairnException>(() => enricher.EnrichAsync([new Dictionary<string, object?> { ["Origin"] = "SEA" }]));

        Assert.Equal(["Origin", "scheduled_minutes"], enricher.JoinKeys);
        Assert.Equal(0.5, rows[0]["delay_per_minute"]);
        Assert.Equal(30.0, rows[0]["avg_delay"]);
        Assert.Contains("Row 0 has no request field 'scheduled_minutes'", error.Message);
    }
}
