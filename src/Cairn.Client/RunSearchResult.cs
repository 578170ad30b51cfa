using Cairn.Tracking;

namespace Cairn;

/// <summary>One run found by <see cref="RunSearch"/>: its identity, times, latest metric values, params and tags by key.</summary>
public sealed record RunSearchResult(
    string RunId,
    string RunName,
    string ExperimentId,
    RunStatus Status,
    DateTimeOffset StartTime,
    DateTimeOffset? EndTime,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyDictionary<string, string> Params,
    IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>The store's run as a search result; <see cref="EndTime"/> is null while the run is in progress.</summary>
    public static RunSearchResult From(Run run) => new(
        run.Info.RunId,
        run.Info.RunName,
        run.Info.ExperimentId,
        run.Info.Status,
        DateTimeOffset.FromUnixTimeMilliseconds(run.Info.StartTime),
        run.Info.EndTime is { } end ? DateTimeOffset.FromUnixTimeMilliseconds(end) : null,
        ByKey(run.Data.Metrics, m => m.Key, m => m.Value),
        ByKey(run.Data.Params, p => p.Key, p => p.Value),
        ByKey(run.Data.Tags, t => t.Key, t => t.Value));

    private static Dictionary<string, TValue> ByKey<T, TValue>(IEnumerable<T> items, Func<T, string> key, Func<T, TValue> value)
    {
        var byKey = new Dictionary<string, TValue>(StringComparer.Ordinal);
        foreach (var item in items) byKey[key(item)] = value(item);
        return byKey;
    }
}
