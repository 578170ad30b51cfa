using Cairn.Tracking;

namespace Cairn.Protocol;

// Request bodies of MLflow's REST API 2.0 (mlflow/protos/service.proto), snake_case on the wire.
// Every field is optional here so that a missing one gets a clear INVALID_PARAMETER_VALUE
// instead of a serializer error.

public sealed record CreateExperimentRequest(string? Name, string? ArtifactLocation, List<ExperimentTag>? Tags);
public sealed record ExperimentIdRequest(string? ExperimentId);
public sealed record UpdateExperimentRequest(string? ExperimentId, string? NewName);
public sealed record SetExperimentTagRequest(string? ExperimentId, string? Key, string? Value);
public sealed record DeleteExperimentTagRequest(string? ExperimentId, string? Key);
public sealed record SearchExperimentsRequest(long? MaxResults, string? PageToken, string? Filter, List<string>? OrderBy, ViewType? ViewType);

public sealed record CreateRunRequest(string? ExperimentId, string? UserId, long? StartTime, List<RunTag>? Tags, string? RunName);
public sealed record UpdateRunRequest(string? RunId, string? RunUuid, RunStatus? Status, long? EndTime, string? RunName);
public sealed record RunIdRequest(string? RunId, string? RunUuid);
public sealed record SearchRunsRequest(List<string>? ExperimentIds, string? Filter, ViewType? RunViewType, long? MaxResults, List<string>? OrderBy, string? PageToken);
/// <remarks><c>model_id</c>, <c>dataset_name</c> and <c>dataset_digest</c> (MLflow 3) link the value to a logged model too.</remarks>
public sealed record LogMetricRequest(string? RunId, string? RunUuid, string? Key, double? Value, long? Timestamp, long? Step,
    string? ModelId = null, string? DatasetName = null, string? DatasetDigest = null);
public sealed record LogParamRequest(string? RunId, string? RunUuid, string? Key, string? Value);
public sealed record SetTagRequest(string? RunId, string? RunUuid, string? Key, string? Value);
public sealed record DeleteTagRequest(string? RunId, string? Key);
public sealed record LogInputsRequest(string? RunId, List<DatasetInput>? Datasets);
public sealed record LogBatchRequest(string? RunId, List<Metric>? Metrics, List<Param>? Params, List<RunTag>? Tags);

/// <summary>GET /api/2.0/mlflow/metrics/get-history-bulk-interval's answer: each point with its run.</summary>
public sealed record MetricWithRunId(string Key, double Value, long Timestamp, long Step, string RunId);
public sealed record MetricHistoryBulkResponse(IReadOnlyList<MetricWithRunId> Metrics);
