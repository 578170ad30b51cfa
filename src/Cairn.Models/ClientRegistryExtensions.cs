using System.Globalization;
using Cairn.Models;
using Cairn.Registry;

namespace Cairn;

/// <summary>
/// The model registry from a <see cref="CairnClient"/>, as MLflow's Python client offers it:
/// register, alias, promote, look up and search versions by number. Each call has a synchronous
/// form and an <c>Async</c> twin; the work is <see cref="ModelRegistry"/>'s (with its audit trail)
/// or the registry store's.
/// </summary>
public static class ClientRegistryExtensions
{
    /// <summary>Registers a logged package (<c>runs:/&lt;run id&gt;/model</c> or <c>models:/m-&lt;id&gt;</c>) as the next version of <paramref name="name"/>.</summary>
    public static RegisteredVersion RegisterModel(this CairnClient client, string source, string name, string? description = null) =>
        Wait(client.RegisterModelAsync(source, name, description));

    /// <inheritdoc cref="RegisterModel"/>
    public static async Task<RegisteredVersion> RegisterModelAsync(this CairnClient client, string source, string name, string? description = null, CancellationToken ct = default) =>
        RegisteredVersion.From(await new ModelRegistry(client).RegisterAsync(source, name, description, ct: ct).ConfigureAwait(false));

    /// <summary>Points <paramref name="alias"/> (e.g. champion) at a version without a gate; the move is audited.</summary>
    public static void SetAlias(this CairnClient client, string name, string alias, int version) =>
        Wait(client.SetAliasAsync(name, alias, version));

    /// <inheritdoc cref="SetAlias"/>
    public static Task SetAliasAsync(this CairnClient client, string name, string alias, int version, CancellationToken ct = default) =>
        new ModelRegistry(client).SetAliasAsync(name, RegistryNames.ValidateAlias(alias), VersionText(version), ct: ct);

    /// <summary>Removes an alias from a registered model (recorded in the audit trail).</summary>
    public static void DeleteAlias(this CairnClient client, string name, string alias) =>
        Wait(client.DeleteAliasAsync(name, alias));

    /// <inheritdoc cref="DeleteAlias"/>
    public static Task DeleteAliasAsync(this CairnClient client, string name, string alias, CancellationToken ct = default) =>
        new ModelRegistry(client).DeleteAliasAsync(name, alias, ct: ct);

    /// <summary>
    /// Moves <paramref name="alias"/> to <paramref name="version"/> if <paramref name="gate"/> (e.g.
    /// <c>metrics.auc &gt;= champion.metrics.auc</c>) passes, or always without one; a failed gate
    /// leaves the alias where it is and a request pending approval.
    /// </summary>
    public static PromotionResult Promote(this CairnClient client, string name, int version, string alias, string? gate = null, string? comment = null) =>
        Wait(client.PromoteAsync(name, version, alias, gate, comment));

    /// <inheritdoc cref="Promote"/>
    public static Task<PromotionResult> PromoteAsync(this CairnClient client, string name, int version, string alias, string? gate = null, string? comment = null, CancellationToken ct = default) =>
        new ModelRegistry(client).PromoteAsync(name, VersionText(version), alias, gate, comment: comment, ct: ct);

    /// <summary>The version <c>models:/name/3</c>, <c>models:/name@alias</c> or <c>models:/name/latest</c> names.</summary>
    public static RegisteredVersion GetModelVersion(this CairnClient client, string modelUri) =>
        Wait(client.GetModelVersionAsync(modelUri));

    /// <inheritdoc cref="GetModelVersion(CairnClient, string)"/>
    public static async Task<RegisteredVersion> GetModelVersionAsync(this CairnClient client, string modelUri, CancellationToken ct = default) =>
        RegisteredVersion.From(await new ModelRegistry(client).GetVersionAsync(modelUri, ct).ConfigureAwait(false));

    /// <summary>Version <paramref name="version"/> of <paramref name="name"/>.</summary>
    public static RegisteredVersion GetModelVersion(this CairnClient client, string name, int version) =>
        Wait(client.GetModelVersionAsync(name, version));

    /// <inheritdoc cref="GetModelVersion(CairnClient, string, int)"/>
    public static async Task<RegisteredVersion> GetModelVersionAsync(this CairnClient client, string name, int version, CancellationToken ct = default) =>
        RegisteredVersion.From(await new ModelRegistry(client).GetVersionAsync(new ModelUri(RegistryNames.ValidateModelName(name), VersionText(version), null).ToString(), ct).ConfigureAwait(false));

    /// <summary>
    /// Model versions matching an MLflow filter (e.g. <c>name = 'delay'</c>, <c>run_id = '...'</c>;
    /// all versions without one), up to <paramref name="maxResults"/>, paged through as needed.
    /// </summary>
    public static IReadOnlyList<RegisteredVersion> SearchModelVersions(this CairnClient client, string? filter = null, int maxResults = 100) =>
        Wait(client.SearchModelVersionsAsync(filter, maxResults));

    /// <inheritdoc cref="SearchModelVersions"/>
    public static async Task<IReadOnlyList<RegisteredVersion>> SearchModelVersionsAsync(this CairnClient client, string? filter = null, int maxResults = 100, CancellationToken ct = default)
    {
        RegistryQuery.CheckVersionPageSize(maxResults);
        var found = new List<RegisteredVersion>();
        string? token = null;
        do
        {
            var page = await client.Registry.SearchModelVersionsAsync(new RegistryQuery(filter, maxResults - found.Count, PageToken: token), ct).ConfigureAwait(false);
            found.AddRange(page.Items.Take(maxResults - found.Count).Select(RegisteredVersion.From));
            token = page.NextPageToken;
        } while (token is not null && found.Count < maxResults);
        return found;
    }

    /// <summary>The highest version of <paramref name="name"/>, or null when it has none yet; not found when there is no such model.</summary>
    public static RegisteredVersion? GetLatestVersion(this CairnClient client, string name) =>
        Wait(client.GetLatestVersionAsync(name));

    /// <inheritdoc cref="GetLatestVersion"/>
    public static async Task<RegisteredVersion?> GetLatestVersionAsync(this CairnClient client, string name, CancellationToken ct = default) =>
        await new ModelRegistry(client).GetLatestVersionAsync(name, ct).ConfigureAwait(false) is { } version ? RegisteredVersion.From(version) : null;

    /// <summary>The wire's form of a version number, refusing 0 and below before anything is asked.</summary>
    private static string VersionText(int version) =>
        version >= 1
            ? version.ToString(CultureInfo.InvariantCulture)
            : throw CairnException.InvalidParameter($"Invalid model version {version}: versions are numbered from 1.");

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Wait(Task task) => task.GetAwaiter().GetResult();
}
