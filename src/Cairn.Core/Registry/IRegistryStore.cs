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
    /// <exception cref="CairnException">RESOURCE_ALREADY_EXISTS for a taken name.</exception>
    Task<RegisteredModel> CreateRegisteredModelAsync(string name, string? description = null,
        IReadOnlyList<RegisteredModelTag>? tags = null, CancellationToken ct = default);
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST.</exception>
    Task<RegisteredModel> GetRegisteredModelAsync(string name, CancellationToken ct = default);
    /// <summary>Renames a model; its versions, tags and aliases follow it.</summary>
    /// <exception cref="CairnException">RESOURCE_ALREADY_EXISTS when <paramref name="newName"/> is taken.</exception>
    Task<RegisteredModel> RenameRegisteredModelAsync(string name, string newName, CancellationToken ct = default);
    /// <summary>Replaces the model's description.</summary>
    Task<RegisteredModel> UpdateRegisteredModelAsync(string name, string? description, CancellationToken ct = default);
    /// <summary>Deletes the model with its versions, tags and aliases; the audit trail stays.</summary>
    Task DeleteRegisteredModelAsync(string name, CancellationToken ct = default);
    /// <summary>Models matching MLflow's filter (on name and tags), a page at a time.</summary>
    Task<Page<RegisteredModel>> SearchRegisteredModelsAsync(RegistryQuery query, CancellationToken ct = default);
    /// <summary>Sets (adds or overwrites) a tag of the model.</summary>
    Task SetRegisteredModelTagAsync(string name, RegisteredModelTag tag, CancellationToken ct = default);
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when the model has no such tag.</exception>
    Task DeleteRegisteredModelTagAsync(string name, string key, CancellationToken ct = default);

    /// <summary>Creates the next version (creating the registered model first if it does not exist).</summary>
    Task<ModelVersion> CreateModelVersionAsync(NewModelVersion version, CancellationToken ct = default);
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST.</exception>
    Task<ModelVersion> GetModelVersionAsync(string name, string version, CancellationToken ct = default);
    /// <summary>Replaces the version's description.</summary>
    Task<ModelVersion> UpdateModelVersionAsync(string name, string version, string? description, CancellationToken ct = default);
    /// <summary>Deletes a version and the aliases pointing at it; its number is never reused.</summary>
    Task DeleteModelVersionAsync(string name, string version, CancellationToken ct = default);
    /// <summary>Versions matching MLflow's filter (name, run_id, source_path, version_number, tags), a page at a time.</summary>
    Task<Page<ModelVersion>> SearchModelVersionsAsync(RegistryQuery query, CancellationToken ct = default);
    /// <summary>Sets (adds or overwrites) a tag of the version.</summary>
    Task SetModelVersionTagAsync(string name, string version, ModelVersionTag tag, CancellationToken ct = default);

    /// <summary>
    /// Moves a version to one of MLflow's stages (see <see cref="ModelStages"/>; any case);
    /// with <paramref name="archiveExistingVersions"/>, the model's other versions in that stage
    /// (Staging or Production only) move to Archived.
    /// </summary>
    Task<ModelVersion> TransitionModelVersionStageAsync(string name, string version, string stage, bool archiveExistingVersions, CancellationToken ct = default) =>
        throw new NotSupportedException($"{GetType().Name} does not move model versions between stages.");
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when the version has no such tag.</exception>
    Task DeleteModelVersionTagAsync(string name, string version, string key, CancellationToken ct = default);

    /// <summary>Points <paramref name="alias"/> at <paramref name="version"/>, moving it from another version if needed.</summary>
    Task SetAliasAsync(string name, string alias, string version, CancellationToken ct = default);
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when the model has no such alias.</exception>
    Task DeleteAliasAsync(string name, string alias, CancellationToken ct = default);
    /// <summary>The version <paramref name="alias"/> points at.</summary>
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when the model has no such alias.</exception>
    Task<ModelVersion> GetModelVersionByAliasAsync(string name, string alias, CancellationToken ct = default);

    /// <summary>Appends an audit record; records are never changed or removed.</summary>
    Task AddTransitionAsync(ModelTransition transition, CancellationToken ct = default);
    /// <summary>The audit trail of a model (or one version), oldest first.</summary>
    Task<IReadOnlyList<ModelTransition>> ListTransitionsAsync(string name, string? version = null, CancellationToken ct = default);
}
