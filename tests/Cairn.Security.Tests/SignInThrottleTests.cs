namespace Cairn.Security.Tests;

/// <summary>The sign-in throttle on a clock the tests move: limits per user and per address, the window, resets and the memory bound.</summary>
public sealed class SignInThrottleTests
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void FiveFailuresForAUser_HoldItBack_UntilTheWindowFromTheFirstEnds()
    {
        var throttle = new SignInThrottle(_clock);
        for (var i = 0; i < 4; i++) throttle.Failed("alice", "10.0.0.1");
        Assert.Null(throttle.RetryAfter("alice", "10.0.0.1"));
        _clock.Advance(TimeSpan.FromMinutes(1));
        throttle.Failed("alice", "10.0.0.1");

        Assert.Equal(TimeSpan.FromMinutes(4), throttle.RetryAfter("alice", "10.0.0.2"));
        Assert.Null(throttle.RetryAfter("bob", "10.0.0.2"));
        _clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Null(throttle.RetryAfter("alice", "10.0.0.1"));
    }

    [Fact]
    public void TwentyFailuresFromAnAddress_HoldBackEveryUserFromIt()
    {
        var throttle = new SignInThrottle(_clock);
        for (var i = 0; i < 20; i++) throttle.Failed($"user{i}", "10.0.0.9");

        Assert.NotNull(throttle.RetryAfter("someone-new", "10.0.0.9"));
        Assert.Null(throttle.RetryAfter("someone-new", "10.0.0.8"));
    }

    [Fact]
    public void ASuccess_ClearsTheUsersCount_ButNotTheAddresss()
    {
        var throttle = new SignInThrottle(_clock) { PerAddress = 6 };
        for (var i = 0; i < 5; i++) throttle.Failed("alice", "10.0.0.1");
        throttle.Succeeded("alice");

        Assert.Null(throttle.RetryAfter("alice", "10.0.0.2"));
        throttle.Failed("alice", "10.0.0.1");
        Assert.NotNull(throttle.RetryAfter("alice", "10.0.0.1"));
        Assert.Null(throttle.RetryAfter("alice", "10.0.0.2"));
    }

    [Fact]
    public void PastItsBound_ItForgetsRatherThanGrows()
    {
        var throttle = new SignInThrottle(_clock) { MaxTracked = 4 };
        for (var i = 0; i < 5; i++) throttle.Failed("alice", "10.0.0.1");
        Assert.NotNull(throttle.RetryAfter("alice", "10.0.0.1"));

        throttle.Failed("bob", "10.0.0.2");
        throttle.Failed("carol", "10.0.0.3");

        Assert.Null(throttle.RetryAfter("alice", "10.0.0.1"));
    }
}
