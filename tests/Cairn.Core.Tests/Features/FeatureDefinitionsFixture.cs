using Cairn.Features;

namespace Cairn.Core.Tests.Features;

/// <summary>A small valid repository (an airport entity, a file source, one view, one service) for tests to vary.</summary>
internal static class Airports
{
    public static EntityDefinition Entity(FeatureType keyType = FeatureType.String) => new("airport", [new FeatureField("Origin", keyType)]);

    public static FeatureSourceDefinition Source() => new("flights", FeatureSourceKinds.File, "event_time", Path: "data/flights.parquet");

    public static FeatureViewDefinition View(params FeatureField[] features) => new("airport_delays", ["airport"], "flights",
        features.Length > 0 ? features : [new FeatureField("avg_delay_7d", FeatureType.Double), new FeatureField("flights_7d", FeatureType.Int64)],
        Ttl: TimeSpan.FromDays(7));

    public static FeatureServiceDefinition Service(params string[] features) =>
        new("delay_v1", [.. (features.Length > 0 ? features : ["airport_delays:avg_delay_7d"]).Select(FeatureReference.Parse)]);

    public static FeatureRepository Repository(FeatureViewDefinition? view = null, FeatureServiceDefinition? service = null, EntityDefinition? entity = null) =>
        new([entity ?? Entity()], [Source()], [view ?? View()], [service ?? Service()]);
}
