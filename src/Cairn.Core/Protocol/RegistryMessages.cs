using Cairn.Registry;

namespace Cairn.Protocol;

// Request and response bodies of MLflow's model registry API 2.0 (model_registry.proto), plus
// Cairn's audit-trail endpoints.

public sealed record CreateRegisteredModelRequest(string? Name, List<RegisteredModelTag>? Tags, string? Description);
public sealed record RenameRegisteredModelRequest(string? Name, string? NewName);
public sealed record UpdateRegisteredModelRequest(string? Name, string? Description);
public sealed record RegisteredModelNameRequest(string? Name);
public sealed record RegisteredModelTagRequest(string? Name, string? Key, string? Value);
public sealed record GetLatestVersionsRequest(string? Name, List<string>? Stages);
/// <remarks><c>user_id</c> is Cairn's addition (MLflow takes the user from its auth layer); other clients may omit it.</remarks>
/// <remarks><c>model_id</c> (MLflow 3) is the logged model the version is registered from.</remarks>
public sealed record CreateModelVersionRequest(string? Name, string? Source, string? RunId, List<ModelVersionTag>? Tags, string? RunLink, string? Description, string? UserId = null, string? ModelId = null);
public sealed record UpdateModelVersionRequest(string? Name, string? Version, string? Description);
public sealed record ModelVersionKeyRequest(string? Name, string? Version);
public sealed record ModelVersionTagRequest(string? Name, string? Version, string? Key, string? Value);
public sealed record TransitionModelVersionStageRequest(string? Name, string? Version, string? Stage, bool? ArchiveExistingVersions);
public sealed record AliasRequest(string? Name, string? Alias, string? Version);

public sealed record RegisteredModelResponse(RegisteredModel RegisteredModel);
public sealed record SearchRegisteredModelsResponse(IReadOnlyList<RegisteredModel> RegisteredModels, string? NextPageToken);
public sealed record ModelVersionResponse(ModelVersion ModelVersion);
public sealed record ModelVersionsResponse(IReadOnlyList<ModelVersion> ModelVersions);
public sealed record SearchModelVersionsResponse(IReadOnlyList<ModelVersion> ModelVersions, string? NextPageToken);
public sealed record DownloadUriResponse(string ArtifactUri);
public sealed record TransitionsResponse(IReadOnlyList<ModelTransition> Transitions);
