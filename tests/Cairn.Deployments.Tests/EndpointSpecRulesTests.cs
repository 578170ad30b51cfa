using Cairn.Deployments;

namespace Cairn.Deployments.Tests;

public class EndpointSpecRulesTests
{
    private static EndpointSpec Two(int a, int b) => new("delay-api", [new("a", "models:/delay/4", a), new("b", "models:/delay/5", b)]);

    [Fact]
    public void Weights_that_do_not_sum_to_100_are_refused_naming_each_weight()
    {
        var e = Assert.Throws<CairnException>(() => EndpointSpecRules.Validate(Two(50, 40)));
        Assert.Equal(ErrorCodes.InvalidParameterValue, e.ErrorCode);
        Assert.Contains("sum to 90 (a=50, b=40)", e.Message);
        Assert.Equal(2, EndpointSpecRules.Validate(Two(30, 70)).Variants.Count);
    }

    [Fact]
    public void A_variant_name_used_twice_is_refused()
    {
        var spec = new EndpointSpec("e", [new("a", "models:/delay/4", 50), new("a", "models:/delay/5", 50)]);
        Assert.Contains("'a' is used twice", Assert.Throws<CairnException>(() => EndpointSpecRules.Validate(spec)).Message);
    }

    [Fact]
    public void A_canary_without_a_baseline_is_refused()
    {
        var spec = Two(95, 5) with { Canary = new CanaryState("b", "b", [5, 100], 60) };
        Assert.Contains("needs a baseline", Assert.Throws<CairnException>(() => EndpointSpecRules.Validate(spec)).Message);
        Assert.NotNull(EndpointSpecRules.Validate(Two(95, 5) with { Canary = new CanaryState("b", "a", [5, 100], 60) }).Canary);
    }

    [Theory]
    [InlineData("models:/delay@champion", "must name a model version")]
    [InlineData("runs:/abc/model", "not a model URI")]
    public void Variants_name_registered_versions(string model, string expected)
    {
        var spec = new EndpointSpec("e", [new("a", model, 100)]);
        Assert.Contains(expected, Assert.Throws<CairnException>(() => EndpointSpecRules.Validate(spec)).Message);
    }

    [Theory]
    [InlineData("header:X-User-Id", true)]
    [InlineData("request_id", true)]
    [InlineData("header:", false)]
    [InlineData("cookie:x", false)]
    [InlineData("header:X User", false)]
    public void Sticky_keys_are_a_header_or_the_request_id(string stickyBy, bool valid)
    {
        if (valid) Assert.Equal(stickyBy, EndpointSpecRules.StickyBy(stickyBy));
        else Assert.Throws<CairnException>(() => EndpointSpecRules.StickyBy(stickyBy));
    }

    [Fact]
    public void A_shadow_answers_nothing_so_its_weight_is_zero()
    {
        var spec = new EndpointSpec("e", [new("a", "models:/delay/4", 100), new("s", "models:/delay/7", 10, VariantRoles.Shadow)]);
        Assert.Contains("weight is 0", Assert.Throws<CairnException>(() => EndpointSpecRules.Validate(spec)).Message);
    }
}
