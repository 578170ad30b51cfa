namespace Cairn.Registry;

public enum ModelVersionStatus { PendingRegistration = 1, FailedRegistration = 2, Ready = 3 }

public sealed record RegisteredModelTag(string Key, string Value);

public sealed record ModelVersionTag(string Key, string Value);

public sealed record RegisteredModelAlias(string Alias, string Version);

/// <summary>A registered model, in the shape of MLflow's registry API. An unset description reads as "" (as MLflow's server answers).</summary>
public sealed record RegisteredModel(
    string Name,
    long CreationTimestamp,
    long LastUpdatedTimestamp,
    string? UserId,
    string? Description,
    IReadOnlyList<ModelVersion> LatestVersions,
    IReadOnlyList<RegisteredModelTag> Tags,
    IReadOnlyList<RegisteredModelAlias> Aliases);

/// <summary>One version of a registered model: where its package is and which run produced it. An unset description reads as "".</summary>
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

/// <remarks>
/// MLflow's limits: a registered-model search returns 100 by default and at most 1,000 per page;
/// a model-version search 10,000 by default (what MLflow's client asks for) and at most 200,000.
/// </remarks>
public sealed record RegistryQuery(string? Filter = null, int MaxResults = RegistryQuery.DefaultMaxResults, IReadOnlyList<string>? OrderBy = null, string? PageToken = null)
{
    public const int DefaultMaxResults = 100;
    public const int MaxMaxResults = 1000;
    public const int DefaultMaxVersionResults = 10_000;
    public const int MaxMaxVersionResults = 200_000;

    /// <summary>MLflow's refusal of a registered-model page size.</summary>
    public static void CheckModelPageSize(int maxResults)
    {
        if (maxResults < 1)
            throw CairnException.InvalidParameter($"Invalid value for max_results. It must be a positive integer, but got {maxResults}");
        if (maxResults > MaxMaxResults)
            throw CairnException.InvalidParameter($"Invalid value for request parameter max_results. It must be at most {MaxMaxResults}, but got value {maxResults}");
    }

    /// <summary>MLflow's refusal of a model-version page size.</summary>
    public static void CheckVersionPageSize(int maxResults)
    {
        if (maxResults < 1)
            throw CairnException.InvalidParameter($"Invalid value for max_results. It must be a positive integer, but got {maxResults}");
        if (maxResults > MaxMaxVersionResults)
            throw CairnException.InvalidParameter($"Invalid value for request parameter max_results. It must be at most {MaxMaxVersionResults}, but got value {maxResults}");
    }
}
