using Cairn.Data;

namespace Cairn.Protocol;

// Request and response bodies of Cairn's dataset-version endpoints (/api/2.0/cairn/datasets/*).
// MLflow has no named dataset versions; these follow its conventions (snake_case, one wrapper key).

/// <param name="DerivedFrom">The version's <c>derived_from</c> edges (<c>features:/view@N</c>, <c>data:/name@N</c>); none when absent.</param>
public sealed record CreateDatasetVersionRequest(
    string? Name, string? Digest, string? Kind, long? Size, long? FileCount, string? Path,
    string? GitCommit, TableSummary? Table, string? Description, string? CreatedBy, IReadOnlyList<string?>? DerivedFrom = null);
public sealed record DatasetVersionResponse(DatasetVersion DatasetVersion);
public sealed record DatasetVersionsResponse(IReadOnlyList<DatasetVersion> DatasetVersions);
public sealed record DatasetsResponse(IReadOnlyList<DatasetVersion> Datasets);
