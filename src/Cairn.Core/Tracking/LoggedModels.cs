namespace Cairn.Tracking;

/// <summary>MLflow 3's LoggedModelStatus: pending while its files upload, then ready or failed.</summary>
public enum LoggedModelStatus
{
    LoggedModelStatusUnspecified = 0,
    LoggedModelPending = 1,
    LoggedModelReady = 2,
    LoggedModelUploadFailed = 3,
}

public sealed record LoggedModelTag(string Key, string Value);

public sealed record LoggedModelParameter(string Key, string Value);

/// <summary>
/// A logged model's attributes, in the shape of MLflow 3's LoggedModelInfo. Its files are under
/// <see cref="ArtifactUri"/>, <c>&lt;experiment artifact root&gt;/models/&lt;model id&gt;/artifacts</c>.
/// </summary>
public sealed record LoggedModelInfo(
    string ModelId,
    string ExperimentId,
    string Name,
    long CreationTimestampMs,
    long LastUpdatedTimestampMs,
    string ArtifactUri,
    LoggedModelStatus Status,
    string? ModelType,
    string? SourceRunId,
    string? StatusMessage,
    IReadOnlyList<LoggedModelTag> Tags);

/// <summary>A logged model's params and every metric value linked to it (a <see cref="Metric"/> with its model id and dataset).</summary>
public sealed record LoggedModelData(IReadOnlyList<LoggedModelParameter> Params, IReadOnlyList<Metric> Metrics);

/// <summary>MLflow 3's LoggedModel: a model as a first-class entity of an experiment, with or without a run.</summary>
public sealed record LoggedModel(LoggedModelInfo Info, LoggedModelData Data)
{
    /// <summary>The <c>models:/&lt;model id&gt;</c> URI that loads or registers it.</summary>
    public string ModelUri => LoggedModelIds.UriPrefix + Info.ModelId;
}

public sealed record NewLoggedModel(
    string ExperimentId,
    string? Name = null,
    string? ModelType = null,
    string? SourceRunId = null,
    IReadOnlyList<LoggedModelParameter>? Params = null,
    IReadOnlyList<LoggedModelTag>? Tags = null);

/// <summary>A dataset that scopes metric filters and orderings of a logged-model search; no digest: any digest of that name.</summary>
public sealed record LoggedModelDataset(string DatasetName, string? DatasetDigest = null);

/// <summary>
/// One ordering of a logged-model search: an attribute (<c>name</c>, <c>creation_timestamp</c>...) or
/// <c>metrics.&lt;key&gt;</c>, optionally the value on one dataset.
/// </summary>
public sealed record LoggedModelOrderBy(string FieldName, bool? Ascending = null, string? DatasetName = null, string? DatasetDigest = null);

public sealed record LoggedModelQuery(
    IReadOnlyList<string> ExperimentIds,
    string? Filter = null,
    IReadOnlyList<LoggedModelDataset>? Datasets = null,
    int MaxResults = LoggedModelQuery.DefaultMaxResults,
    IReadOnlyList<LoggedModelOrderBy>? OrderBy = null,
    string? PageToken = null)
{
    public const int DefaultMaxResults = 100;
    public const int MaxMaxResults = 50000;
}

/// <summary>A model a run produced, at a step (MLflow's ModelOutput).</summary>
public sealed record LoggedModelOutput(string ModelId, long Step = 0);

public sealed record RunOutputs(IReadOnlyList<LoggedModelOutput> ModelOutputs)
{
    public static RunOutputs Empty { get; } = new([]);
}

/// <summary>Logged model ids (<c>m-</c> and 32 hex digits, as MLflow makes them) and <c>models:/&lt;id&gt;</c> URIs.</summary>
public static class LoggedModelIds
{
    public const string Prefix = "m-";
    public const string UriPrefix = "models:/";

    public static string NewId() => Prefix + Guid.NewGuid().ToString("N");

    /// <summary>Whether a registered-model name part of a <c>models:/</c> URI is a logged model id instead.</summary>
    public static bool IsModelId(string? text) =>
        text is { Length: 34 } && text.StartsWith(Prefix, StringComparison.Ordinal) && text.AsSpan(2).IndexOfAnyExcept("0123456789abcdef") < 0;

    /// <summary>The model id of <c>models:/m-...</c> (nothing after it), or null for any other URI.</summary>
    public static string? FromUri(string? uri)
    {
        if (uri is null || !uri.StartsWith(UriPrefix, StringComparison.Ordinal)) return null;
        var rest = uri[UriPrefix.Length..].TrimEnd('/');
        return IsModelId(rest) ? rest : null;
    }

    public static string Require(string? modelId) =>
        string.IsNullOrEmpty(modelId)
            ? throw CairnException.InvalidParameter("Missing value for required parameter 'model_id'.")
            : modelId;
}
