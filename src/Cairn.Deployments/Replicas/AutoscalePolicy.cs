namespace Cairn.Deployments.Replicas;

/// <summary>
/// How many replicas a variant should have: one more when requests in flight per replica exceed
/// the target or the p99 exceeds <see cref="AutoscalingSettings.MaxP99Ms"/>; one fewer when
/// concurrency is under half the target and the p99 is fine; no change during the cool-down after
/// the last change. Always within min..max.
/// </summary>
public static class AutoscalePolicy
{
    public static int Desired(int current, double meanInFlightPerReplica, double? p99Ms, AutoscalingSettings settings, int min, int max,
        DateTimeOffset now, DateTimeOffset lastChange) =>
        Decide(current, meanInFlightPerReplica, p99Ms, settings, min, max, now, lastChange).Replicas;

    /// <summary>As <see cref="Desired"/>, with the reason (for the endpoint's history).</summary>
    public static (int Replicas, string Reason) Decide(int current, double meanInFlightPerReplica, double? p99Ms, AutoscalingSettings settings, int min, int max,
        DateTimeOffset now, DateTimeOffset lastChange)
    {
        min = Math.Max(1, min);
        max = Math.Max(min, max);
        if (current < min) return (min, $"below the minimum of {min} replicas");
        if (current > max) return (max, $"above the maximum of {max} replicas");
        if (now - lastChange < TimeSpan.FromSeconds(settings.CooldownSeconds)) return (current, "cool-down");
        var slow = settings.MaxP99Ms is { } limit && p99Ms > limit;
        if (meanInFlightPerReplica > settings.TargetConcurrency || slow)
            return current < max
                ? (current + 1, slow ? $"p99 {p99Ms:0.#} ms above {settings.MaxP99Ms:0.#} ms" : $"{meanInFlightPerReplica:0.##} requests in flight per replica, above the target of {settings.TargetConcurrency:0.##}")
                : (current, "at the maximum");
        if (meanInFlightPerReplica < settings.TargetConcurrency / 2 && current > min)
            return (current - 1, $"{meanInFlightPerReplica:0.##} requests in flight per replica, under half the target of {settings.TargetConcurrency:0.##}");
        return (current, "within target");
    }
}
