namespace Cairn.Features;

/// <summary>
/// One entity's latest values of a view's features, as written to an online store. <see cref="Key"/>
/// holds the join key values in the order the view's entities declare them (<c>long</c> or
/// <c>string</c>); <see cref="Values"/> maps feature names to <c>long</c>, <c>double</c>,
/// <c>string</c>, <c>bool</c>, <see cref="DateTimeOffset"/> or null.
/// </summary>
public sealed record OnlineFeatureRow(IReadOnlyList<object> Key, DateTimeOffset EventTime, IReadOnlyDictionary<string, object?> Values);

/// <summary>What an online store holds for one key: the requested features' values and the event time they were valid from.</summary>
public sealed record OnlineFeatureValues(DateTimeOffset EventTime, IReadOnlyDictionary<string, object?> Values);

/// <summary>
/// What an online store remembers about a view: <see cref="MaterializedUntil"/>, the end of the latest
/// materialized interval (where <c>materialize-incremental</c> starts next), and
/// <see cref="NewestEventTime"/>, the newest event time written (materialized or pushed), whose age
/// is the view's freshness. Null: not known yet.
/// </summary>
public sealed record OnlineViewState(DateTimeOffset? MaterializedUntil, DateTimeOffset? NewestEventTime);

/// <summary>
/// The online store: the latest feature values per entity key, for lookups at serving time. One
/// interface, several backends (SQLite embedded, Redis), one contract-test suite over all of them.
/// </summary>
public interface IOnlineFeatureStore : IAsyncDisposable
{
    /// <summary>
    /// Writes rows of <paramref name="view"/>. A row whose event time is older than what is stored
    /// for its key is skipped (a late event never overwrites a fresher value); returns how many rows
    /// were written.
    /// </summary>
    Task<long> WriteAsync(string view, IReadOnlyList<FeatureField> features, IReadOnlyList<OnlineFeatureRow> rows, CancellationToken ct = default);

    /// <summary>For each key, in order, the stored values of <paramref name="features"/> (absent features as null), or null when nothing is stored for the key.</summary>
    Task<IReadOnlyList<OnlineFeatureValues?>> ReadAsync(string view, IReadOnlyList<IReadOnlyList<object>> keys, IReadOnlyList<string> features, CancellationToken ct = default);

    /// <summary>What the store remembers about <paramref name="view"/>, or null when nothing was recorded for it.</summary>
    Task<OnlineViewState?> GetViewStateAsync(string view, CancellationToken ct = default);

    /// <summary>
    /// Records <paramref name="state"/> for <paramref name="view"/>, merged with what is stored: each
    /// instant only moves forward (the later of the stored and the given one is kept), and a null
    /// leaves the stored instant as it is. Atomic, so concurrent writers never move an instant back.
    /// </summary>
    Task RecordViewStateAsync(string view, OnlineViewState state, CancellationToken ct = default);

    /// <summary>Removes everything stored for <paramref name="view"/>, its state included (a view deleted or re-materialized from scratch).</summary>
    Task DropViewAsync(string view, CancellationToken ct = default);
}
