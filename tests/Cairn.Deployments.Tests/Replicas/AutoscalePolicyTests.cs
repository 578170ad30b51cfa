using Cairn.Deployments.Replicas;

namespace Cairn.Deployments.Tests.Replicas;

public class AutoscalePolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LongAgo = Now.AddHours(-1);
    private static readonly AutoscalingSettings Settings = new(TargetConcurrency: 8, MaxP99Ms: 200, CooldownSeconds: 30);

    [Fact]
    public void Concurrency_above_the_target_adds_one_replica()
    {
        Assert.Equal(3, AutoscalePolicy.Desired(2, 9, 50, Settings, 1, 5, Now, LongAgo));
    }

    [Fact]
    public void A_slow_p99_adds_one_replica_even_at_low_concurrency()
    {
        Assert.Equal(3, AutoscalePolicy.Desired(2, 1, 250, Settings, 1, 5, Now, LongAgo));
    }

    [Fact]
    public void Scale_down_needs_both_low_concurrency_and_a_fine_p99()
    {
        Assert.Equal(1, AutoscalePolicy.Desired(2, 3.9, 50, Settings, 1, 5, Now, LongAgo));
        Assert.Equal(1, AutoscalePolicy.Desired(2, 0, null, Settings, 1, 5, Now, LongAgo)); // idle: no latencies at all
        Assert.Equal(2, AutoscalePolicy.Desired(2, 4, 50, Settings, 1, 5, Now, LongAgo)); // half the target exactly: hold
        Assert.Equal(3, AutoscalePolicy.Desired(2, 3, 201, Settings, 1, 5, Now, LongAgo)); // low concurrency but slow: up, not down
        Assert.Equal(2, AutoscalePolicy.Desired(2, 6, 50, Settings, 1, 5, Now, LongAgo)); // between half and the target: hold
    }

    [Fact]
    public void The_cool_down_holds_the_count_until_it_has_passed()
    {
        Assert.Equal(2, AutoscalePolicy.Desired(2, 20, 500, Settings, 1, 5, Now, Now.AddSeconds(-29)));
        Assert.Equal(2, AutoscalePolicy.Desired(2, 0, 10, Settings, 1, 5, Now, Now.AddSeconds(-29)));
        Assert.Equal(3, AutoscalePolicy.Desired(2, 20, 500, Settings, 1, 5, Now, Now.AddSeconds(-30)));
    }

    [Fact]
    public void The_count_stays_within_min_and_max()
    {
        Assert.Equal(4, AutoscalePolicy.Desired(4, 100, 900, Settings, 1, 4, Now, LongAgo)); // at max: no more
        Assert.Equal(2, AutoscalePolicy.Desired(2, 0, null, Settings, 2, 4, Now, LongAgo)); // at min: no fewer
        Assert.Equal(2, AutoscalePolicy.Desired(1, 0, null, Settings, 2, 4, Now, Now)); // below min: up even in the cool-down
        Assert.Equal(4, AutoscalePolicy.Desired(6, 100, null, Settings, 1, 4, Now, Now)); // above max (max lowered): down
    }

    [Fact]
    public void Without_a_p99_limit_only_concurrency_counts()
    {
        var settings = new AutoscalingSettings(TargetConcurrency: 2, MaxP99Ms: null, CooldownSeconds: 0);
        Assert.Equal(1, AutoscalePolicy.Desired(2, 0.5, 10_000, settings, 1, 3, Now, Now));
        Assert.Equal(3, AutoscalePolicy.Desired(2, 2.5, 1, settings, 1, 3, Now, Now));
    }
}
