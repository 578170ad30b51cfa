using Cairn.Features;
using Cairn.Monitoring;

namespace Cairn.Core.Tests;

/// <summary><c>features:/view[@N][?start=..&amp;end=..]</c> as a monitor's reference, and what is not one.</summary>
public sealed class FeatureViewRangeTests
{
    [Theory]
    [InlineData("features:/airport_delays@2", "features:/airport_delays@2")]
    [InlineData("features:/airport_delays?start=2024-01-01", "features:/airport_delays?start=2024-01-01T00:00:00Z")]
    [InlineData("features:/airport_delays@1?end=2024-02-01T12:00:00%2B00:00", null)]
    [InlineData("features:/airport_delays@1?end=2024-02-01T14:00:00+02:00&start=2024-01-01", "features:/airport_delays@1?start=2024-01-01T00:00:00Z&end=2024-02-01T12:00:00Z")]
    public void Parse_GivesTheViewAndInterval_InCanonicalText(string text, string? canonical)
    {
        if (canonical is null)
        {
            Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => FeatureViewRange.Parse(text)).ErrorCode);
            return;
        }
        var range = FeatureViewRange.Parse(text);
        Assert.Equal(canonical, range.ToString());
        Assert.Equal("airport_delays", range.View.Name);
        Assert.Equal(range, FeatureViewRange.Parse(range.ToString()));
    }

    [Theory]
    [InlineData("features:/airport_delays?from=2024-01-01", "start=<instant>")]
    [InlineData("features:/airport_delays?start=soon", "start=<instant>")]
    [InlineData("features:/airport_delays?start=2024-01-01&start=2024-01-02", "once each")]
    [InlineData("features:/airport_delays?start=2024-02-01&end=2024-01-01", "not after its start")]
    [InlineData("features:/airport delays", "a feature view")]
    public void Parse_BadText_IsRefusedSayingWhy(string text, string message)
    {
        var e = Assert.Throws<CairnException>(() => FeatureViewRange.Parse(text));
        Assert.Equal(ErrorCodes.InvalidParameterValue, e.ErrorCode);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void AMonitorSpec_TakesAFeatureViewReference_InCanonicalText()
    {
        var spec = MonitorSpecRules.Validate(new MonitorSpec("m", "models:/delay@champion", Reference: "features:/airport_delays@3?start=2024-01-01"));
        Assert.Equal("features:/airport_delays@3?start=2024-01-01T00:00:00Z", spec.Reference);
        var refused = Assert.Throws<CairnException>(() => MonitorSpecRules.Validate(new MonitorSpec("m", "models:/delay@champion", Reference: "features:/airport_delays@0")));
        Assert.Contains("version number", refused.Message);
    }
}
