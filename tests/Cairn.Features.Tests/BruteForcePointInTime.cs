namespace Cairn.Features.Tests;

/// <summary>A source row as the reference sees it: join key values, event time, feature values, in file order.</summary>
internal sealed record SourceRow(object?[] Keys, DateTime? Time, object?[] Values);

/// <summary>
/// The point-in-time rule written as plainly as possible, to check the DuckDB join against: scan
/// every source row, keep those with equal keys and an event time at or before the entity row's,
/// take the latest (a tie goes to the row later in the file), then apply the TTL.
/// </summary>
internal static class BruteForcePointInTime
{
    public static object?[] Lookup(IReadOnlyList<SourceRow> source, object?[] keys, DateTime? at, TimeSpan? ttl, int features)
    {
        var none = new object?[features];
        if (at is null || keys.Any(k => k is null)) return none;
        SourceRow? best = null;
        foreach (var row in source)
        {
            if (row.Time is null || row.Time > at || !keys.SequenceEqual(row.Keys)) continue;
            if (best is null || row.Time >= best.Time) best = row;
        }
        if (best is null || (ttl is { } limit && at.Value - best.Time!.Value > limit)) return none;
        return best.Values;
    }
}
