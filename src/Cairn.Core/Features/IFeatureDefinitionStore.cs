namespace Cairn.Features;

/// <summary>
/// Registered feature definitions and their versions. Each entity, source, view and service has its
/// own version numbers from 1; an apply adds a version to each definition it adds, changes or
/// removes (a removal is a version without content), and leaves the others as they are.
/// Implemented by the SQL stores (SQLite, PostgreSQL) and the REST client; one contract suite runs over each.
/// </summary>
public interface IFeatureDefinitionStore
{
    /// <summary>
    /// Registers <paramref name="proposed"/> as the whole set of definitions: plans it against the
    /// registered ones (<see cref="FeaturePlanner.Plan"/>), refuses an incompatible plan unless
    /// <paramref name="force"/>, and writes the new versions in one transaction. An empty plan writes nothing.
    /// </summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for invalid definitions or an incompatible change (naming the service it breaks).</exception>
    Task<FeatureApplyResult> ApplyAsync(FeatureRepository proposed, bool force = false, CancellationToken ct = default);

    /// <summary>The latest version of every registered definition that is not removed; <see cref="FeatureRepository.Empty"/> before the first apply.</summary>
    Task<FeatureRepository> GetRepositoryAsync(CancellationToken ct = default);

    /// <summary>One version of a definition (<paramref name="version"/> null: the latest).</summary>
    /// <param name="kind">One of <see cref="FeatureDefinitionKinds.All"/>.</param>
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when there is no such definition or version, or that version removed it.</exception>
    Task<FeatureDefinitionVersion> GetDefinitionAsync(string kind, string name, int? version = null, CancellationToken ct = default);

    /// <summary>Every version of one definition, newest first, removals included.</summary>
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when the definition was never registered.</exception>
    Task<IReadOnlyList<FeatureDefinitionVersion>> ListVersionsAsync(string kind, string name, CancellationToken ct = default);

    /// <summary>The most recent versions of all definitions, newest apply first (within an apply by kind and name).</summary>
    Task<IReadOnlyList<FeatureDefinitionVersion>> ListHistoryAsync(int maxResults = 100, CancellationToken ct = default);

    /// <summary>
    /// Records <paramref name="statistics"/> of the view <paramref name="view"/> as computed with its
    /// definition version <paramref name="viewVersion"/> over events in [<paramref name="start"/>, <paramref name="end"/>)
    /// (null: unbounded); returns the snapshot with its number and record time.
    /// </summary>
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when that version of the view is not registered or removed it;
    /// INVALID_PARAMETER_VALUE when the statistics name another view, a feature that version does not declare, or negative counts.</exception>
    Task<FeatureStatisticsSnapshot> RecordStatisticsAsync(string view, int viewVersion, FeatureViewStatistics statistics,
        DateTimeOffset? start = null, DateTimeOffset? end = null, CancellationToken ct = default);

    /// <summary>The statistics recorded for <paramref name="view"/> (any of its versions), newest first; empty when none.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a bad name or <paramref name="maxResults"/> outside 1..<see cref="FeatureStatisticsSnapshot.MaxResults"/>.</exception>
    Task<IReadOnlyList<FeatureStatisticsSnapshot>> ListStatisticsAsync(string view, int maxResults = 10, CancellationToken ct = default);
}

/// <summary>Reading views by URI.</summary>
public static class FeatureDefinitionStoreExtensions
{
    /// <summary>The feature view <c>features:/name@N</c>, or its latest version for <c>features:/name</c>.</summary>
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when there is no such view or version.</exception>
    public static async Task<FeatureDefinitionVersion> GetViewAsync(this IFeatureDefinitionStore store, FeatureUri uri, CancellationToken ct = default) =>
        await store.GetDefinitionAsync(FeatureDefinitionKinds.View, uri.Name, uri.Version, ct).ConfigureAwait(false);

    /// <summary>The newest statistics recorded for <paramref name="view"/>, or null when none were.</summary>
    public static async Task<FeatureStatisticsSnapshot?> GetLatestStatisticsAsync(this IFeatureDefinitionStore store, string view, CancellationToken ct = default) =>
        (await store.ListStatisticsAsync(view, 1, ct).ConfigureAwait(false)).FirstOrDefault();
}
