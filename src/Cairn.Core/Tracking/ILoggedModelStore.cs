namespace Cairn.Tracking;

/// <summary>
/// MLflow 3's logged models: models as entities of an experiment, with params, tags, status and
/// the metrics linked to them, and the runs that produced them. Implemented by the SQL stores
/// (SQLite, PostgreSQL) and the REST client; one contract suite runs over each.
/// </summary>
/// <remarks>
/// Metrics are linked by logging them on a run with <see cref="Metric.ModelId"/> set
/// (<see cref="ITrackingStore.LogBatchAsync"/>), as MLflow's clients do; they then show in the
/// model's <see cref="LoggedModelData.Metrics"/> and in metric filters of a search.
/// </remarks>
public interface ILoggedModelStore
{
    /// <summary>Creates a model in PENDING status under an active experiment; a missing name gets a generated one.</summary>
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST for an unknown experiment or source run; INVALID_PARAMETER_VALUE for a deleted experiment.</exception>
    Task<LoggedModel> CreateLoggedModelAsync(NewLoggedModel model, CancellationToken ct = default);

    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST, also for a deleted model.</exception>
    Task<LoggedModel> GetLoggedModelAsync(string modelId, CancellationToken ct = default);

    /// <summary>Sets the status once its files are uploaded (READY) or failed to (UPLOAD_FAILED).</summary>
    Task<LoggedModel> FinalizeLoggedModelAsync(string modelId, LoggedModelStatus status, CancellationToken ct = default);

    /// <summary>Marks the model deleted: it is no longer found or searched; its files stay.</summary>
    Task DeleteLoggedModelAsync(string modelId, CancellationToken ct = default);

    /// <summary>
    /// Models of the experiments, filtered (<c>name</c>, <c>model_id</c>, <c>status</c>, <c>model_type</c>,
    /// <c>source_run_id</c>, <c>creation_timestamp</c>, <c>last_updated_timestamp</c>, <c>params.k</c>,
    /// <c>tags.k</c>, <c>metrics.k</c>; metric comparisons use each model's latest value per dataset,
    /// limited to <see cref="LoggedModelQuery.Datasets"/> when given), newest first unless ordered otherwise.
    /// </summary>
    Task<Page<LoggedModel>> SearchLoggedModelsAsync(LoggedModelQuery query, CancellationToken ct = default);

    /// <summary>Sets (adds or overwrites) tags.</summary>
    Task SetLoggedModelTagsAsync(string modelId, IReadOnlyList<LoggedModelTag> tags, CancellationToken ct = default);

    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when the model has no such tag.</exception>
    Task DeleteLoggedModelTagAsync(string modelId, string key, CancellationToken ct = default);

    /// <summary>Logs params; logging the same key again with another value overwrites it, as MLflow's store does.</summary>
    Task LogLoggedModelParamsAsync(string modelId, IReadOnlyList<LoggedModelParameter> @params, CancellationToken ct = default);

    /// <summary>Records models a run produced (MLflow's log-outputs); logging the same model and step again changes nothing.</summary>
    Task LogOutputsAsync(string runId, IReadOnlyList<LoggedModelOutput> models, CancellationToken ct = default);
}
