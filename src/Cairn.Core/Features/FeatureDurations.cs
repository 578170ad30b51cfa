namespace Cairn.Features;

/// <summary>Durations of feature definitions (TTLs) as people write them: <c>7d</c>, <c>1h30m</c>, <c>none</c>.</summary>
public static class FeatureDurations
{
    /// <summary><c>7d</c>, <c>12h</c>, <c>1h30m</c>, <c>90s</c> becomes <c>1m30s</c>; <c>none</c> without a TTL.</summary>
    public static string Format(TimeSpan? duration)
    {
        if (duration is not { } t) return "none";
        var parts = new List<string>();
        if (t.Days > 0) parts.Add($"{t.Days}d");
        if (t.Hours > 0) parts.Add($"{t.Hours}h");
        if (t.Minutes > 0) parts.Add($"{t.Minutes}m");
        if (t.Seconds > 0) parts.Add($"{t.Seconds}s");
        if (t.Milliseconds > 0) parts.Add($"{t.Milliseconds}ms");
        return parts.Count == 0 ? "0s" : string.Concat(parts);
    }
}
