using Cairn.Features;

namespace Cairn.Core.Tests;

/// <summary>What the definition store and the CLI add on top of the rules and the planner: view diffs, and null entries (from JSON) refused.</summary>
public sealed class FeatureDefinitionEdgeTests
{
    private static readonly FeatureViewDefinition View = new("delays", ["airport"], "flights",
        [new FeatureField("avg", FeatureType.Double), new FeatureField("count", FeatureType.Int64)], TimeSpan.FromDays(7));

    private static readonly FeatureRepository Repository = new(
        [new EntityDefinition("airport", [new FeatureField("origin", FeatureType.String)])],
        [new FeatureSourceDefinition("flights", FeatureSourceKinds.File, "ts", Path: "f.parquet")],
        [View], [new FeatureServiceDefinition("delay_v1", [new FeatureReference("delays", "avg")])]);

    [Fact]
    public void DiffViews_ListsEachDifference()
    {
        var after = View with { Features = [new FeatureField("avg", FeatureType.Int64), new FeatureField("max", FeatureType.Double)], Ttl = null, Online = false };
        Assert.Equal(["feature avg: double -> int64", "+ feature max (double)", "- feature count", "ttl 7d -> none", "online true -> false"],
            FeaturePlanner.DiffViews(View, after));
        Assert.Empty(FeaturePlanner.DiffViews(View, View with { Description = "same columns" }));
    }

    [Fact]
    public void Validate_NullEntries_AreRefusedNotCrashed()
    {
        FeatureRepositoryRules.Validate(Repository);
        var cases = new[]
        {
            Repository with { Entities = [null!] },
            Repository with { Views = [View with { Entities = [null!] }] },
            Repository with { Views = [View with { Features = [null!] }] },
            Repository with { Services = [new FeatureServiceDefinition("s", [new FeatureReference(null!, "avg")])] },
            new FeatureRepository(null!, null!, null!, null!) with { Views = [View] },
        };
        foreach (var repository in cases)
            Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => FeatureRepositoryRules.Validate(repository)).ErrorCode);
        FeatureRepositoryRules.Validate(new FeatureRepository(null!, null!, null!, null!));
    }
}
