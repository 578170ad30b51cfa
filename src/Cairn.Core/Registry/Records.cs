namespace Cairn.Registry;

public enum ModelVersionStatus { PendingRegistration = 1, FailedRegistration = 2, Ready = 3 }

public sealed record RegisteredModelTag(string Key, string Value);

public sealed record ModelVersionTag(string Key, string Value);

public sealed record RegisteredModelAlias(string Alias, string Version);

/// <summary>A registered model, in the shape of MLflow's registry API.</summary>
public sealed record RegisteredModel(
    string Name,
    long CreationTimestamp,
    long LastUpdatedTimestamp,
    string? UserId,
    string? Description,
    IReadOnlyList<ModelVersion> LatestVersions,
    IReadOnlyList<RegisteredModelTag> Tags,
    IReadOnlyList<RegisteredModelAlias> Aliases);

/// <summary>One version of a registered model: where its package is and which run produced it.</summary>
public sealed record ModelVersion(
    string Name,
    string Version,
    long CreationTimestamp,
    long LastUpdatedTimestamp,
    string? UserId,
    string CurrentStage,
    string? Description,
    string Source,
    string? RunId,
    ModelVersionStatus Status,
    string? StatusMessage,
    IReadOnlyList<ModelVersionTag> Tags,
    string? RunLink,
    IReadOnlyList<string> Aliases)
{
    /// <summary>MLflow 3: the logged model this version was registered from (its source is then <c>models:/&lt;model id&gt;</c>).</summary>
    public string? ModelId { get; init; }
}

public sealed record NewModelVersion(
    string Name,
    string Source,
    string? RunId = null,
    string? Description = null,
    string? UserId = null,
    IReadOnlyList<ModelVersionTag>? Tags = null,
    string? RunLink = null,
    string? ModelId = null);

/// <summary>What happened to an alias: a request, a gate result, an approval, a move. The audit trail.</summary>
public enum TransitionAction { Requested = 1, GatePassed = 2, GateFailed = 3, Approved = 4, Rejected = 5, AliasMoved = 6, AliasDeleted = 7, Registered = 8 }

/// <summary>One audit record of the model registry: who did what to which version's alias, when and why.</summary>
public sealed record ModelTransition(
    string Id,
    string Name,
    string Version,
    string Alias,
    TransitionAction Action,
    string Actor,
    long Timestamp,
    string? Comment,
    string? Gate,
    string? GateDetails);

public sealed record RegistryQuery(string? Filter = null, int MaxResults = RegistryQuery.DefaultMaxResults, IReadOnlyList<string>? OrderBy = null, string? PageToken = null)
{
    public const int DefaultMaxResults = 100;
    public const int MaxMaxResults = 1000;
}
