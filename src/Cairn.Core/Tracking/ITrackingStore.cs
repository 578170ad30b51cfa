namespace Cairn.Tracking;

/// <summary>
/// Experiments, runs, params, metrics and tags. Implemented by the SQLite store, the PostgreSQL
/// store and the REST client; one contract-test suite pins the behaviour of all of them.
/// Errors are <see cref="CairnException"/>s with MLflow's error codes.
/// </summary>
public interface ITrackingStore
{
    /// <summary>Creates an experiment and returns its id.</summary>
    /// <exception cref="CairnException">RESOURCE_ALREADY_EXISTS for a taken name.</exception>
    Task<string> CreateExperimentAsync(string name, string? artifactLocation = null,
        IReadOnlyList<ExperimentTag>? tags = null, CancellationToken ct = default);
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST.</exception>
    Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken ct = default);
    /// <returns>The experiment, or null when no experiment has that name.</returns>
    Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken ct = default);
    /// <summary>Experiments matching the query's filter and view type, a page at a time.</summary>
    Task<Page<Experiment>> SearchExperimentsAsync(ExperimentQuery query, CancellationToken ct = default);
    /// <summary>Gives an experiment a new name.</summary>
    Task RenameExperimentAsync(string experimentId, string newName, CancellationToken ct = default);
    /// <summary>Marks an experiment and its runs deleted (restorable); the Default experiment cannot be deleted.</summary>
    Task DeleteExperimentAsync(string experimentId, CancellationToken ct = default);
    /// <summary>Makes a deleted experiment and its runs active again.</summary>
    Task RestoreExperimentAsync(string experimentId, CancellationToken ct = default);
    /// <summary>Sets (adds or overwrites) a tag of the experiment.</summary>
    Task SetExperimentTagAsync(string experimentId, ExperimentTag tag, CancellationToken ct = default);
    /// <summary>Removes an active experiment's tag; RESOURCE_DOES_NOT_EXIST when it has no tag by that key.</summary>
    Task DeleteExperimentTagAsync(string experimentId, string key, CancellationToken ct = default) =>
        throw new NotSupportedException($"{GetType().Name} does not delete experiment tags.");

    /// <summary>Starts a run (RUNNING) in an active experiment.</summary>
    Task<Run> CreateRunAsync(NewRun run, CancellationToken ct = default);
    /// <summary>A run with its metrics (latest value per key), params, tags and inputs.</summary>
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST.</exception>
    Task<Run> GetRunAsync(string runId, CancellationToken ct = default);
    /// <summary>Changes an active run's status, end time or name (what the update sets); returns the run as stored.</summary>
    Task<RunInfo> UpdateRunAsync(RunUpdate update, CancellationToken ct = default);
    /// <summary>Marks a run deleted (restorable).</summary>
    Task DeleteRunAsync(string runId, CancellationToken ct = default);
    /// <summary>Makes a deleted run active again.</summary>
    Task RestoreRunAsync(string runId, CancellationToken ct = default);
    /// <summary>Runs of the experiments matching MLflow's filter and order, a page at a time.</summary>
    Task<Page<Run>> SearchRunsAsync(RunQuery query, CancellationToken ct = default);
    /// <summary>
    /// For each experiment asked for, in that order: its number of active runs and the start of
    /// the newest one, in one grouped query rather than a search through every run. An unknown
    /// experiment has no runs; more than <see cref="ExperimentRunSummary.MaxExperiments"/> ids
    /// is an invalid parameter.
    /// </summary>
    Task<IReadOnlyList<ExperimentRunSummary>> SummarizeRunsAsync(IReadOnlyList<string> experimentIds, CancellationToken ct = default);

    /// <summary>Logs metrics, params and tags atomically: all of the batch is stored, or none.</summary>
    Task LogBatchAsync(string runId, LogBatch batch, CancellationToken ct = default);
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when the run has no such tag.</exception>
    Task DeleteTagAsync(string runId, string key, CancellationToken ct = default);
    /// <summary>Records datasets the run consumed; logging the same dataset (name and digest) again updates its tags.</summary>
    Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken ct = default);
    /// <summary>Every logged value of one metric of a run, a page at a time (all of them when <paramref name="maxResults"/> is null).</summary>
    Task<Page<Metric>> GetMetricHistoryAsync(string runId, string metricKey, int? maxResults = null,
        string? pageToken = null, CancellationToken ct = default);
}

public static class TrackingStoreExtensions
{
    public static Task LogMetricAsync(this ITrackingStore store, string runId, Metric metric, CancellationToken ct = default) =>
        store.LogBatchAsync(runId, new LogBatch(Metrics: [metric]), ct);

    public static Task LogParamAsync(this ITrackingStore store, string runId, Param param, CancellationToken ct = default) =>
        store.LogBatchAsync(runId, new LogBatch(Params: [param]), ct);

    public static Task SetTagAsync(this ITrackingStore store, string runId, RunTag tag, CancellationToken ct = default) =>
        store.LogBatchAsync(runId, new LogBatch(Tags: [tag]), ct);

    /// <summary>Returns the experiment's id, creating it first when it does not exist yet.</summary>
    public static async Task<string> GetOrCreateExperimentAsync(this ITrackingStore store, string name, CancellationToken ct = default)
    {
        var existing = await store.GetExperimentByNameAsync(name, ct).ConfigureAwait(false);
        if (existing is not null) return existing.ExperimentId;
        try
        {
            return await store.CreateExperimentAsync(name, ct: ct).ConfigureAwait(false);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceAlreadyExists)
        {
            // Another writer created it between our read and our create.
            var created = await store.GetExperimentByNameAsync(name, ct).ConfigureAwait(false);
            if (created is null) throw;
            return created.ExperimentId;
        }
    }
}
