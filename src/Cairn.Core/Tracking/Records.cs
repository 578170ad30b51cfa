namespace Cairn.Tracking;

public enum RunStatus { Running = 1, Scheduled = 2, Finished = 3, Failed = 4, Killed = 5 }

public enum ViewType { ActiveOnly = 1, DeletedOnly = 2, All = 3 }

public static class LifecycleStage
{
    public const string Active = "active";
    public const string Deleted = "deleted";
}

public sealed record ExperimentTag(string Key, string Value);

public sealed record Experiment(
    string ExperimentId,
    string Name,
    string ArtifactLocation,
    string LifecycleStage,
    long CreationTime,
    long LastUpdateTime,
    IReadOnlyList<ExperimentTag> Tags);

public sealed record Metric(string Key, double Value, long Timestamp, long Step)
{
    /// <summary>MLflow 3: the logged model this value is about (it also shows among that model's metrics); null for a run's own metric.</summary>
    public string? ModelId { get; init; }
    /// <summary>MLflow 3: the dataset the value was computed on, for a model's metric.</summary>
    public string? DatasetName { get; init; }
    public string? DatasetDigest { get; init; }
    /// <summary>MLflow 3: the run that logged the value, on a logged model's metrics.</summary>
    public string? RunId { get; init; }
}

public sealed record Param(string Key, string Value);

public sealed record RunTag(string Key, string Value);

public sealed record RunInfo(
    string RunId,
    string RunUuid,
    string RunName,
    string ExperimentId,
    string UserId,
    RunStatus Status,
    long StartTime,
    long? EndTime,
    string ArtifactUri,
    string LifecycleStage);

public sealed record RunData(IReadOnlyList<Metric> Metrics, IReadOnlyList<Param> Params, IReadOnlyList<RunTag> Tags)
{
    public static RunData Empty { get; } = new([], [], []);
}

/// <summary>A dataset a run consumed, as MLflow's <c>log-inputs</c> records it.</summary>
public sealed record Dataset(string Name, string Digest, string SourceType, string Source, string? Schema = null, string? Profile = null);

public sealed record InputTag(string Key, string Value);

public sealed record DatasetInput(IReadOnlyList<InputTag> Tags, Dataset Dataset)
{
    /// <summary>MLflow's tag for how the run used the dataset: training, validation, evaluation...</summary>
    public const string ContextTag = "mlflow.data.context";

    public string? Context => Tags.FirstOrDefault(t => t.Key == ContextTag)?.Value;
}

public sealed record RunInputs(IReadOnlyList<DatasetInput> DatasetInputs)
{
    public static RunInputs Empty { get; } = new([]);
}

public sealed record Run(RunInfo Info, RunData Data, RunInputs? Inputs = null)
{
    /// <summary>MLflow 3: the logged models the run produced (log-outputs).</summary>
    public RunOutputs? Outputs { get; init; }
}

/// <summary>
/// An experiment's active runs at a glance: how many there are and when the newest one started
/// (null when it has none). What the experiments list shows beside each experiment.
/// </summary>
public sealed record ExperimentRunSummary(string ExperimentId, long RunCount, long? LastRunStartTime)
{
    /// <summary>The most experiments one call summarizes (a page of the experiments list is 200).</summary>
    public const int MaxExperiments = 1000;
}

/// <summary>One page of results and the opaque token of the next one (null on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextPageToken);
