using System.Globalization;
using Cairn.Features;
using Cairn.Protocol;

namespace Cairn.Rest;

/// <summary>Feature definitions and their versions on a remote Cairn server (/api/2.0/cairn/features/...); the server's errors come back as the same <see cref="CairnException"/> codes.</summary>
public sealed class RestFeatureDefinitionStore(RestTransport transport) : IFeatureDefinitionStore
{
    private const string Features = "api/2.0/cairn/features/";

    /// <inheritdoc />
    public async Task<FeatureApplyResult> ApplyAsync(FeatureRepository proposed, bool force = false, CancellationToken ct = default) =>
        (await transport.PostAsync<ApplyFeaturesResponse>(Features + "apply", new ApplyFeaturesRequest(proposed, force), ct).ConfigureAwait(false)).Result;

    /// <inheritdoc />
    public async Task<FeatureRepository> GetRepositoryAsync(CancellationToken ct = default) =>
        (await transport.GetAsync<FeatureRepositoryResponse>(Features + "repository", [], ct).ConfigureAwait(false)).Repository;

    /// <inheritdoc />
    public async Task<FeatureDefinitionVersion> GetDefinitionAsync(string kind, string name, int? version = null, CancellationToken ct = default) =>
        (await transport.GetAsync<FeatureDefinitionResponse>(Features + "definitions/get",
            [("kind", kind), ("name", name), ("version", version?.ToString(CultureInfo.InvariantCulture))], ct).ConfigureAwait(false)).Definition;

    /// <inheritdoc />
    public async Task<IReadOnlyList<FeatureDefinitionVersion>> ListVersionsAsync(string kind, string name, CancellationToken ct = default) =>
        (await transport.GetAsync<FeatureDefinitionsResponse>(Features + "definitions/versions", [("kind", kind), ("name", name)], ct).ConfigureAwait(false)).Definitions ?? [];

    /// <inheritdoc />
    public async Task<IReadOnlyList<FeatureDefinitionVersion>> ListHistoryAsync(int maxResults = 100, CancellationToken ct = default) =>
        (await transport.GetAsync<FeatureDefinitionsResponse>(Features + "definitions/history",
            [("max_results", maxResults.ToString(CultureInfo.InvariantCulture))], ct).ConfigureAwait(false)).Definitions ?? [];

    /// <inheritdoc />
    public async Task<FeatureStatisticsSnapshot> RecordStatisticsAsync(string view, int viewVersion, FeatureViewStatistics statistics,
        DateTimeOffset? start = null, DateTimeOffset? end = null, CancellationToken ct = default) =>
        (await transport.PostAsync<FeatureStatisticsResponse>(Features + "statistics/record",
            new RecordFeatureStatisticsRequest(view, viewVersion, statistics, start, end), ct).ConfigureAwait(false)).Snapshot;

    /// <inheritdoc />
    public async Task<IReadOnlyList<FeatureStatisticsSnapshot>> ListStatisticsAsync(string view, int maxResults = 10, CancellationToken ct = default) =>
        (await transport.GetAsync<FeatureStatisticsListResponse>(Features + "statistics/list",
            [("view", view), ("max_results", maxResults.ToString(CultureInfo.InvariantCulture))], ct).ConfigureAwait(false)).Snapshots ?? [];
}
