using Cairn.Tracking;

namespace Cairn.Registry;

/// <summary>
/// Registered models, their versions, aliases, tags and the audit trail of promotions.
/// Implemented by the SQLite store and the REST client (MLflow's registry API plus Cairn's audit
/// endpoints); one contract-test suite pins them. Version numbers are 1, 2, 3... per model, unique
/// and gapless under concurrent creation.
/// </summary>
public interface IRegistryStore
{
    Task<RegisteredModel> CreateRegisteredModelAsync(string name, string? description = null,
        IReadOnlyList<RegisteredModelTag>? tags = null, CancellationToken ct = default);
    Task<RegisteredModel> GetRegisteredModelAsync(string name, CancellationToken ct = default);
    Task<RegisteredModel> RenameRegisteredModelAsync(string name, string newName, CancellationToken ct = default);
    Task<RegisteredModel> UpdateRegisteredModelAsync(string name, string? description, CancellationToken ct = default);
    Task DeleteRegisteredModelAsync(string name, CancellationToken ct = default);
    Task<Page<RegisteredModel>> SearchRegisteredModelsAsync(RegistryQuery query, CancellationToken ct = default);
    Task SetRegisteredModelTagAsync(string name, RegisteredModelTag tag, CancellationToken ct = default);
    Task DeleteRegisteredModelTagAsync(string name, string key, CancellationToken ct = default);

    /// <summary>Creates the next version (creating the registered model first if it does not exist).</summary>
    Task<ModelVersion> CreateModelVersionAsync(NewModelVersion version, CancellationToken ct = default);
    Task<ModelVersion> GetModelVersionAsync(string name, string version, CancellationToken ct = default);
    Task<ModelVersion> UpdateModelVersionAsync(string name, string version, string? description, CancellationToken ct = default);
    Task DeleteModelVersionAsync(string name, string version, CancellationToken ct = default);
    Task<Page<ModelVersion>> SearchModelVersionsAsync(RegistryQuery query, CancellationToken ct = default);
    Task SetModelVersionTagAsync(string name, string version, ModelVersionTag tag, CancellationToken ct = default);

    /// <summary>
    /// Moves a version to one of MLflow's stages (see <see cref="ModelStages"/>; any case);
    /// with <paramref name="archiveExistingVersions"/>, the model's other versions in that stage
    /// (Staging or Production only) move to Archived.
    /// </summary>
    Task<ModelVersion> TransitionModelVersionStageAsync(string name, string version, string stage, bool archiveExistingVersions, CancellationToken ct = default) =>
        throw new NotSupportedException($"{GetType().Name} does not move model versions between stages.");
    Task DeleteModelVersionTagAsync(string name, string version, string key, CancellationToken ct = default);

    Task SetAliasAsync(string name, string alias, string version, CancellationToken ct = default);
    Task DeleteAliasAsync(string name, string alias, CancellationToken ct = default);
    Task<ModelVersion> GetModelVersionByAliasAsync(string name, string alias, CancellationToken ct = default);

    /// <summary>Appends an audit record; records are never changed or removed.</summary>
    Task AddTransitionAsync(ModelTransition transition, CancellationToken ct = default);
    /// <summary>The audit trail of a model (or one version), oldest first.</summary>
    Task<IReadOnlyList<ModelTransition>> ListTransitionsAsync(string name, string? version = null, CancellationToken ct = default);
}
