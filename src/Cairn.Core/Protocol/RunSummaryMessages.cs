using Cairn.Tracking;

namespace Cairn.Protocol;

// Cairn's run summaries endpoint (/api/2.0/cairn/experiments/run-summaries): MLflow has none; it
// follows MLflow's conventions (snake_case, one wrapper key, optional fields checked by the server).

public sealed record SummarizeRunsRequest(List<string>? ExperimentIds);
public sealed record SummarizeRunsResponse(IReadOnlyList<ExperimentRunSummary> Summaries);
