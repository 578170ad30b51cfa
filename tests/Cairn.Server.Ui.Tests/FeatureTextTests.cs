using Cairn.Features;
using Cairn.Server.Ui.FeatureStore;

namespace Cairn.Server.Ui.Tests;

/// <summary>How the feature pages word TTLs, sources and the changes between two versions of a view.</summary>
public sealed class FeatureTextTests
{
    private static readonly FeatureViewDefinition View = new("delays", ["airport"], "flights", [new FeatureField("avg", FeatureType.Double, "mean")]);

    [Theory]
    [InlineData(null, "none")]
    [InlineData(7 * 86_400.0, "7d")]
    [InlineData(5_400.0, "1h30m")]
    [InlineData(90.0, "1m30s")]
    [InlineData(0.0, "0s")]
    public void Ttl_IsWrittenAsDefinitionsWriteIt(double? seconds, string expected) =>
        Assert.Equal(expected, FeatureText.Ttl(seconds is { } s ? TimeSpan.FromSeconds(s) : null));

    [Fact]
    public void Diff_AddsDescriptionChanges_ToThePlannersLines()
    {
        var after = View with { Description = "new", Features = [new FeatureField("avg", FeatureType.Double, "average")], Online = false };
        Assert.Equal(["online true -> false", "description changed", "description of feature avg changed"], FeatureText.Diff(View, after));
        Assert.Empty(FeatureText.Diff(View, View with { }));
    }

    [Fact]
    public void Location_IsWhereTheSourceKindReads()
    {
        Assert.Equal("data/f.parquet", FeatureText.Location(new FeatureSourceDefinition("f", FeatureSourceKinds.File, "t", Path: "data/f.parquet")));
        Assert.Equal("public.flights (connection from $PG)", FeatureText.Location(new FeatureSourceDefinition("f", FeatureSourceKinds.Postgres, "t", Table: "public.flights", Connection: "PG")));
        Assert.Equal("data:/flights@3", FeatureText.Location(new FeatureSourceDefinition("f", FeatureSourceKinds.Dataset, "t", Dataset: "data:/flights@3")));
    }

    [Fact]
    public void Links_EscapeNames() =>
        Assert.Equal("/features/views/a%20b?from=1&to=2#diff", FeatureText.DiffLink("a b", 1, 2));
}
