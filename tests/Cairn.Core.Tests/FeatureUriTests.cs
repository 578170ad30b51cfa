using Cairn.Features;

namespace Cairn.Core.Tests;

/// <summary><c>features:/view@N</c> and <c>features:/view</c>, and what is not one.</summary>
public sealed class FeatureUriTests
{
    [Theory]
    [InlineData("features:/airport_delays@2", "airport_delays", 2)]
    [InlineData("features:/airport_delays", "airport_delays", null)]
    [InlineData("features:/_v1@10", "_v1", 10)]
    public void Parse_ValidUri_GivesNameAndVersionAndPrintsBack(string text, string name, int? version)
    {
        var uri = FeatureUri.Parse(text);
        Assert.Equal(new FeatureUri(name, version), uri);
        Assert.Equal(text, uri.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("airport_delays@2")]
    [InlineData("data:/airport_delays@2")]
    [InlineData("features:/")]
    [InlineData("features:/airport_delays@")]
    [InlineData("features:/airport_delays@0")]
    [InlineData("features:/airport_delays@-1")]
    [InlineData("features:/airport_delays@two")]
    [InlineData("features:/airport_delays@99999999999")]
    [InlineData("features:/bad name@1")]
    [InlineData("features://airport_delays@1")]
    public void Parse_NotAFeatureUri_IsRefused(string? text) =>
        Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => FeatureUri.Parse(text)).ErrorCode);
}
