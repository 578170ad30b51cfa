using Cairn.Artifacts;
using Cairn.Tracking;

namespace Cairn.Protocol;

// Response bodies of MLflow's REST API 2.0.

public sealed record CreateExperimentResponse(string ExperimentId);
public sealed record ExperimentResponse(Experiment Experiment);
public sealed record SearchExperimentsResponse(IReadOnlyList<Experiment> Experiments, string? NextPageToken);
public sealed record RunResponse(Run Run);
public sealed record UpdateRunResponse(RunInfo RunInfo);
public sealed record SearchRunsResponse(IReadOnlyList<Run> Runs, string? NextPageToken);
public sealed record MetricHistoryResponse(IReadOnlyList<Metric> Metrics, string? NextPageToken);
public sealed record ListArtifactsResponse(string? RootUri, IReadOnlyList<ArtifactFile> Files, string? NextPageToken = null);
public sealed record ErrorResponse(string ErrorCode, string Message);
public sealed record EmptyResponse;
