using Cairn.Protocol;
using Cairn.Registry;
using Cairn.Tracking;

namespace Cairn.Rest;

/// <summary>The model registry of a remote server, over MLflow's registry API 2.0 (/api/2.0/mlflow/registered-models/..., model-versions/...) and Cairn's audit endpoint (/api/2.0/cairn/registry/transitions).</summary>
public sealed class RestRegistryStore(RestTransport transport) : IRegistryStore
{
    private const string Models = "api/2.0/mlflow/registered-models/";
    private const string Versions = "api/2.0/mlflow/model-versions/";
    private const string Audit = "api/2.0/cairn/registry/transitions";

    /// <inheritdoc />
    public async Task<RegisteredModel> CreateRegisteredModelAsync(string name, string? description = null, IReadOnlyList<RegisteredModelTag>? tags = null, CancellationToken ct = default) =>
        Normalize((await transport.PostAsync<RegisteredModelResponse>(Models + "create", new CreateRegisteredModelRequest(name, tags?.ToList(), description), ct).ConfigureAwait(false)).RegisteredModel);

    /// <inheritdoc />
    public async Task<RegisteredModel> GetRegisteredModelAsync(string name, CancellationToken ct = default) =>
        Normalize((await transport.GetAsync<RegisteredModelResponse>(Models + "get", [("name", name)], ct).ConfigureAwait(false)).RegisteredModel);

    /// <inheritdoc />
    public async Task<RegisteredModel> RenameRegisteredModelAsync(string name, string newName, CancellationToken ct = default) =>
        Normalize((await transport.PostAsync<RegisteredModelResponse>(Models + "rename", new RenameRegisteredModelRequest(name, newName), ct).ConfigureAwait(false)).RegisteredModel);

    /// <inheritdoc />
    public async Task<RegisteredModel> UpdateRegisteredModelAsync(string name, string? description, CancellationToken ct = default) =>
        Normalize((await transport.SendJsonAsync<RegisteredModelResponse>(HttpMethod.Patch, Models + "update", new UpdateRegisteredModelRequest(name, description), ct).ConfigureAwait(false)).RegisteredModel);

    /// <inheritdoc />
    public Task DeleteRegisteredModelAsync(string name, CancellationToken ct = default) =>
        transport.SendJsonAsync<EmptyResponse>(HttpMethod.Delete, Models + "delete", new RegisteredModelNameRequest(name), ct);

    /// <inheritdoc />
    public async Task<Page<RegisteredModel>> SearchRegisteredModelsAsync(RegistryQuery query, CancellationToken ct = default)
    {
        var response = await transport.GetAsync<SearchRegisteredModelsResponse>(Models + "search", QueryString(query), ct).ConfigureAwait(false);
        return new Page<RegisteredModel>((response.RegisteredModels ?? []).Select(Normalize).ToList(), NullIfEmpty(response.NextPageToken));
    }

    /// <inheritdoc />
    public Task SetRegisteredModelTagAsync(string name, RegisteredModelTag tag, CancellationToken ct = default) =>
        transport.PostAsync<EmptyResponse>(Models + "set-tag", new RegisteredModelTagRequest(name, tag.Key, tag.Value), ct);

    /// <inheritdoc />
    public Task DeleteRegisteredModelTagAsync(string name, string key, CancellationToken ct = default) =>
        transport.SendJsonAsync<EmptyResponse>(HttpMethod.Delete, Models + "delete-tag", new RegisteredModelTagRequest(name, key, null), ct);

    /// <inheritdoc />
    public async Task<ModelVersion> CreateModelVersionAsync(NewModelVersion version, CancellationToken ct = default) =>
        Normalize((await transport.PostAsync<ModelVersionResponse>(Versions + "create", new CreateModelVersionRequest(
            version.Name, version.Source, version.RunId, version.Tags?.ToList(), version.RunLink, version.Description, version.UserId, version.ModelId), ct).ConfigureAwait(false)).ModelVersion);

    /// <inheritdoc />
    public async Task<ModelVersion> GetModelVersionAsync(string name, string version, CancellationToken ct = default) =>
        Normalize((await transport.GetAsync<ModelVersionResponse>(Versions + "get", [("name", name), ("version", version)], ct).ConfigureAwait(false)).ModelVersion);

    /// <inheritdoc />
    public async Task<ModelVersion> UpdateModelVersionAsync(string name, string version, string? description, CancellationToken ct = default) =>
        Normalize((await transport.SendJsonAsync<ModelVersionResponse>(HttpMethod.Patch, Versions + "update", new UpdateModelVersionRequest(name, version, description), ct).ConfigureAwait(false)).ModelVersion);

    /// <inheritdoc />
    public Task DeleteModelVersionAsync(string name, string version, CancellationToken ct = default) =>
        transport.SendJsonAsync<EmptyResponse>(HttpMethod.Delete, Versions + "delete", new ModelVersionKeyRequest(name, version), ct);

    /// <inheritdoc />
    public async Task<Page<ModelVersion>> SearchModelVersionsAsync(RegistryQuery query, CancellationToken ct = default)
    {
        var response = await transport.GetAsync<SearchModelVersionsResponse>(Versions + "search", QueryString(query), ct).ConfigureAwait(false);
        return new Page<ModelVersion>((response.ModelVersions ?? []).Select(Normalize).ToList(), NullIfEmpty(response.NextPageToken));
    }

    /// <inheritdoc />
    public Task SetModelVersionTagAsync(string name, string version, ModelVersionTag tag, CancellationToken ct = default) =>
        transport.PostAsync<EmptyResponse>(Versions + "set-tag", new ModelVersionTagRequest(name, version, tag.Key, tag.Value), ct);

    /// <inheritdoc />
    public Task DeleteModelVersionTagAsync(string name, string version, string key, CancellationToken ct = default) =>
        transport.SendJsonAsync<EmptyResponse>(HttpMethod.Delete, Versions + "delete-tag", new ModelVersionTagRequest(name, version, key, null), ct);

    /// <inheritdoc />
    public async Task<ModelVersion> TransitionModelVersionStageAsync(string name, string version, string stage, bool archiveExistingVersions, CancellationToken ct = default) =>
        Normalize((await transport.PostAsync<ModelVersionResponse>(Versions + "transition-stage",
            new TransitionModelVersionStageRequest(name, version, stage, archiveExistingVersions), ct).ConfigureAwait(false)).ModelVersion);

    /// <inheritdoc />
    public Task SetAliasAsync(string name, string alias, string version, CancellationToken ct = default) =>
        transport.PostAsync<EmptyResponse>(Models + "alias", new AliasRequest(name, alias, version), ct);

    /// <inheritdoc />
    public Task DeleteAliasAsync(string name, string alias, CancellationToken ct = default) =>
        transport.SendJsonAsync<EmptyResponse>(HttpMethod.Delete, Models + "alias", new AliasRequest(name, alias, null), ct);

    /// <inheritdoc />
    public async Task<ModelVersion> GetModelVersionByAliasAsync(string name, string alias, CancellationToken ct = default) =>
        Normalize((await transport.GetAsync<ModelVersionResponse>(Models + "alias", [("name", name), ("alias", alias)], ct).ConfigureAwait(false)).ModelVersion);

    /// <inheritdoc />
    public Task AddTransitionAsync(ModelTransition transition, CancellationToken ct = default) =>
        transport.PostAsync<EmptyResponse>(Audit, transition, ct);

    /// <inheritdoc />
    public async Task<IReadOnlyList<ModelTransition>> ListTransitionsAsync(string name, string? version = null, CancellationToken ct = default) =>
        (await transport.GetAsync<TransitionsResponse>(Audit, [("name", name), ("version", version)], ct).ConfigureAwait(false)).Transitions ?? [];

    private static IEnumerable<(string, string?)> QueryString(RegistryQuery query)
    {
        yield return ("filter", query.Filter);
        yield return ("max_results", query.MaxResults.ToString());
        yield return ("page_token", query.PageToken);
        foreach (var order in query.OrderBy ?? []) yield return ("order_by", order);
    }

    // MLflow omits empty lists on the wire; the domain never has null lists.
    private static RegisteredModel Normalize(RegisteredModel m) => m with
    {
        LatestVersions = (m.LatestVersions ?? []).Select(Normalize).ToList(), Tags = m.Tags ?? [], Aliases = m.Aliases ?? [],
    };

    private static ModelVersion Normalize(ModelVersion v) => v with { Tags = v.Tags ?? [], Aliases = v.Aliases ?? [] };

    private static string? NullIfEmpty(string? token) => string.IsNullOrEmpty(token) ? null : token;
}
