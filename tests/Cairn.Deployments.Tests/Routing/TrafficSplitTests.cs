using Cairn.Deployments.Routing;

namespace Cairn.Deployments.Tests.Routing;

public class TrafficSplitTests
{
    [Fact]
    public void Keys_are_spread_by_weight()
    {
        var split = new TrafficSplit([("a", 90), ("b", 10)], "ep");
        var b = Enumerable.Range(0, 20_000).Count(i => split.Pick($"user-{i}") == "b");
        // 10% of 20,000 is 2,000 with a standard deviation of 42: five of them either way.
        Assert.InRange(b, 1790, 2210);
    }

    [Fact]
    public void A_key_lands_on_the_same_variant_in_every_split_built_the_same_way()
    {
        var one = new TrafficSplit([("a", 50), ("b", 50)], "ep:1");
        var two = new TrafficSplit([("a", 50), ("b", 50)], "ep:1");
        Assert.All(Enumerable.Range(0, 1000), i => Assert.Equal(one.Pick($"k{i}"), two.Pick($"k{i}")));
    }

    [Fact]
    public void A_new_salt_reshuffles_keys()
    {
        var first = new TrafficSplit([("a", 50), ("b", 50)], "ep:1");
        var second = new TrafficSplit([("a", 50), ("b", 50)], "ep:2");
        var moved = Enumerable.Range(0, 2000).Count(i => first.Pick($"k{i}") != second.Pick($"k{i}"));
        Assert.InRange(moved, 800, 1200); // independent assignments disagree half the time
    }

    [Fact]
    public void Keys_in_a_canary_stay_in_it_as_its_weight_grows()
    {
        var at5 = new TrafficSplit([("canary", 5), ("base", 95)], "ep");
        var at25 = new TrafficSplit([("canary", 25), ("base", 75)], "ep");
        var inCanary = Enumerable.Range(0, 5000).Select(i => $"u{i}").Where(k => at5.Pick(k) == "canary").ToList();
        Assert.NotEmpty(inCanary);
        Assert.All(inCanary, k => Assert.Equal("canary", at25.Pick(k)));
    }

    [Fact]
    public void Without_a_key_the_choice_is_random_by_weight_and_zero_weights_get_nothing()
    {
        var split = new TrafficSplit([("a", 0), ("b", 100)], "ep");
        Assert.All(Enumerable.Range(0, 200), _ => Assert.Equal("b", split.Pick(null)));
        Assert.Equal(["b"], split.Variants);
    }
}
