namespace Cairn.Tracking;

public sealed record NewRun(
    string ExperimentId,
    string? UserId = null,
    long? StartTime = null,
    string? RunName = null,
    IReadOnlyList<RunTag>? Tags = null);

public sealed record RunUpdate(string RunId, RunStatus? Status = null, long? EndTime = null, string? RunName = null);

public sealed record RunQuery(
    IReadOnlyList<string> ExperimentIds,
    string? Filter = null,
    ViewType ViewType = ViewType.ActiveOnly,
    int MaxResults = RunQuery.DefaultMaxResults,
    IReadOnlyList<string>? OrderBy = null,
    string? PageToken = null)
{
    public const int DefaultMaxResults = 1000;
    public const int MaxMaxResults = 50000;
}

public sealed record ExperimentQuery(
    string? Filter = null,
    ViewType ViewType = ViewType.ActiveOnly,
    int MaxResults = ExperimentQuery.DefaultMaxResults,
    IReadOnlyList<string>? OrderBy = null,
    string? PageToken = null)
{
    public const int DefaultMaxResults = 1000;
    public const int MaxMaxResults = 50000;
}

public sealed record LogBatch(
    IReadOnlyList<Metric>? Metrics = null,
    IReadOnlyList<Param>? Params = null,
    IReadOnlyList<RunTag>? Tags = null)
{
    public IReadOnlyList<Metric> MetricList => Metrics ?? [];
    public IReadOnlyList<Param> ParamList => Params ?? [];
    public IReadOnlyList<RunTag> TagList => Tags ?? [];
}
