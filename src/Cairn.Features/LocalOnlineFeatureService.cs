namespace Cairn.Features;

/// <summary>
/// Online features served from this process: lookups read <paramref name="online"/> through the
/// registered definitions (re-read at most every <see cref="DefinitionsRefresh"/>, so a lookup does
/// not query the metadata store), pushes go to the push log under <paramref name="pushLogRoot"/> and then online.
/// On-demand features are computed with <paramref name="functions"/> (none by default).
/// </summary>
public sealed class LocalOnlineFeatureService(IFeatureDefinitionStore definitions, IOnlineFeatureStore online, string pushLogRoot, TimeProvider? clock = null,
    OnDemandFeatureFunctions? functions = null)
    : IOnlineFeatureService
{
    /// <summary>How long registered definitions are reused before they are read again.</summary>
    public static readonly TimeSpan DefinitionsRefresh = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    // A reference swapped whole, so that concurrent lookups never see a torn pair.
    private sealed record Cached(FeatureRepository Repository, DateTimeOffset ReadAt);
    private Cached? _cached;

    /// <summary>The online store lookups read and pushes write.</summary>
    public IOnlineFeatureStore Store => online;

    /// <summary>The functions on-demand features are computed with.</summary>
    public OnDemandFeatureFunctions Functions { get; } = functions ?? OnDemandFeatureFunctions.None;

    /// <summary>Where pushed rows are kept for training sets.</summary>
    public string PushLogRoot => pushLogRoot;

    /// <inheritdoc />
    public async Task<OnlineFeatureResponse> GetOnlineFeaturesAsync(OnlineFeatureRequest request, CancellationToken ct = default) =>
        await new OnlineFeatureReader(await RepositoryAsync(ct).ConfigureAwait(false), online, _clock, Functions).ReadAsync(request, ct).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<PushResult> PushAsync(string view, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken ct = default) =>
        await FeaturePush.PushAsync(await RepositoryAsync(ct, fresh: true).ConfigureAwait(false), view, rows, pushLogRoot, online, _clock, ct).ConfigureAwait(false);

    private async Task<FeatureRepository> RepositoryAsync(CancellationToken ct, bool fresh = false)
    {
        var now = _clock.GetUtcNow();
        if (!fresh && Volatile.Read(ref _cached) is { } cached && now - cached.ReadAt < DefinitionsRefresh) return cached.Repository;
        var repository = await definitions.GetRepositoryAsync(ct).ConfigureAwait(false);
        Volatile.Write(ref _cached, new Cached(repository, now));
        return repository;
    }
}
