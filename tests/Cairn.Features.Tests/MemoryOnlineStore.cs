namespace Cairn.Features.Tests;

/// <summary>
/// An online store in a dictionary, keeping the newer row per key as the interface requires, and
/// recording every batch written; <see cref="FailAfter"/> makes a write throw.
/// </summary>
internal sealed class MemoryOnlineStore : IOnlineFeatureStore
{
    private readonly Dictionary<(string View, string Key), OnlineFeatureRow> _rows = [];
    private readonly Dictionary<string, OnlineViewState> _states = [];

    public List<(string View, int Rows)> Writes { get; } = [];
    public int? FailAfter { get; init; }

    public Task<long> WriteAsync(string view, IReadOnlyList<FeatureField> features, IReadOnlyList<OnlineFeatureRow> rows, CancellationToken ct = default)
    {
        if (FailAfter is { } limit && Writes.Count >= limit) throw new IOException("the online store went away");
        Writes.Add((view, rows.Count));
        long written = 0;
        foreach (var row in rows)
        {
            var key = (view, string.Join("\u001f", row.Key));
            if (_rows.TryGetValue(key, out var stored) && stored.EventTime > row.EventTime) continue;
            _rows[key] = row;
            written++;
        }
        return Task.FromResult(written);
    }

    public Task<IReadOnlyList<OnlineFeatureValues?>> ReadAsync(string view, IReadOnlyList<IReadOnlyList<object>> keys, IReadOnlyList<string> features, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<OnlineFeatureValues?>>([.. keys.Select(k => _rows.TryGetValue((view, string.Join("\u001f", k)), out var row)
            ? new OnlineFeatureValues(row.EventTime, features.ToDictionary(f => f, f => row.Values.GetValueOrDefault(f)))
            : null)]);

    public Task<OnlineViewState?> GetViewStateAsync(string view, CancellationToken ct = default) => Task.FromResult(_states.GetValueOrDefault(view));

    public Task RecordViewStateAsync(string view, OnlineViewState state, CancellationToken ct = default)
    {
        var stored = _states.GetValueOrDefault(view) ?? new OnlineViewState(null, null);
        static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
        _states[view] = new OnlineViewState(Later(stored.MaterializedUntil, state.MaterializedUntil), Later(stored.NewestEventTime, state.NewestEventTime));
        return Task.CompletedTask;
    }

    public Task DropViewAsync(string view, CancellationToken ct = default)
    {
        _states.Remove(view);
        foreach (var key in _rows.Keys.Where(k => k.View == view).ToList()) _rows.Remove(key);
        return Task.CompletedTask;
    }

    public OnlineFeatureRow? Row(string view, params object[] key) => _rows.GetValueOrDefault((view, string.Join("\u001f", key)));

    public int Count(string view) => _rows.Keys.Count(k => k.View == view);

    /// <summary>Every row of a view as text (key, event time, values by name), in key order: what two stores are compared by.</summary>
    public IReadOnlyList<string> Dump(string view) =>
        [.. _rows.Where(r => r.Key.View == view).OrderBy(r => r.Key.Key, StringComparer.Ordinal)
            .Select(r => $"{r.Key.Key} @{r.Value.EventTime:O}: {string.Join(", ", r.Value.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={Text(v.Value)}"))}")];

    private static string Text(object? value) => value switch
    {
        null => "null",
        DateTimeOffset t => t.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
