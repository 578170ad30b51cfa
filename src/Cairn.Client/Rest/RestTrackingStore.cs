using Cairn.Protocol;
using Cairn.Tracking;

namespace Cairn.Rest;

/// <summary>The tracking store of a remote Cairn or MLflow server, over MLflow's REST API 2.0 (/api/2.0/mlflow/experiments/..., runs/..., metrics/...) plus Cairn's run summaries endpoint.</summary>
public sealed class RestTrackingStore(RestTransport transport) : ITrackingStore
{
    private const string Api = "api/2.0/mlflow/";

    /// <inheritdoc />
    public async Task<string> CreateExperimentAsync(string name, string? artifactLocation = null, IReadOnlyList<ExperimentTag>? tags = null, CancellationToken ct = default) =>
        (await transport.PostAsync<CreateExperimentResponse>(Api + "experiments/create",
            new CreateExperimentRequest(name, artifactLocation, tags?.ToList()), ct).ConfigureAwait(false)).ExperimentId;

    /// <inheritdoc />
    public async Task<Experiment> GetExperimentAsync(string experimentId, CancellationToken ct = default) =>
        (await transport.GetAsync<ExperimentResponse>(Api + "experiments/get", [("experiment_id", experimentId)], ct).ConfigureAwait(false)).Experiment;

    /// <inheritdoc />
    public async Task<Experiment?> GetExperimentByNameAsync(string name, CancellationToken ct = default)
    {
        try
        {
            return (await transport.GetAsync<ExperimentResponse>(Api + "experiments/get-by-name", [("experiment_name", name)], ct).ConfigureAwait(false)).Experiment;
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<Page<Experiment>> SearchExperimentsAsync(ExperimentQuery query, CancellationToken ct = default)
    {
        var response = await transport.PostAsync<SearchExperimentsResponse>(Api + "experiments/search",
            new SearchExperimentsRequest(query.MaxResults, query.PageToken, query.Filter, query.OrderBy?.ToList(), query.ViewType), ct).ConfigureAwait(false);
        return new Page<Experiment>(response.Experiments ?? [], NullIfEmpty(response.NextPageToken));
    }

    /// <inheritdoc />
    public Task RenameExperimentAsync(string experimentId, string newName, CancellationToken ct = default) =>
        transport.PostAsync<EmptyResponse>(Api + "experiments/update", new UpdateExperimentRequest(experimentId, newName), ct);

    /// <inheritdoc />
    public Task DeleteExperimentAsync(string experimentId, CancellationToken ct = default) =>
        transport.PostAsync<EmptyResponse>(Api + "experiments/delete", new ExperimentIdRequest(experimentId), ct);

    /// <inheritdoc />
    public Task RestoreExperimentAsync(string experimentId, CancellationToken ct = default) =>
        transport.PostAsync<EmptyResponse>(Api + "experiments/restore", new ExperimentIdRequest(experimentId), ct);

    /// <inheritdoc />
    public Task SetExperimentTagAsync(string experimentId, ExperimentTag tag, CancellationToken ct = default) =>
        transport.PostAsync<EmptyResponse>(Api + "experiments/set-experiment-tag", new SetExperimentTagRequest(experimentId, tag.Key, tag.Value), ct);

    /// <inheritdoc />
    public Task DeleteExperimentTagAsync(string experimentId, string key, CancellationToken ct = default) =>
        transport.PostAsync<EmptyResponse>(Api + "experiments/delete-experiment-tag", new DeleteExperimentTagRequest(experimentId, key), ct);

    /// <inheritdoc />
    public async Task<Run> CreateRunAsync(NewRun run, CancellationToken ct = default) =>
        Normalize((await transport.PostAsync<RunResponse>(Api + "runs/create",
            new CreateRunRequest(run.ExperimentId, run.UserId, run.StartTime, run.Tags?.ToList(), run.RunName), ct).ConfigureAwait(false)).Run);

    /// <inheritdoc />
    public async Task<Run> GetRunAsync(string runId, CancellationToken ct = default) =>
        Normalize((await transport.GetAsync<RunResponse>(Api + "runs/get", [("run_id", runId)], ct).ConfigureAwait(false)).Run);

    /// <inheritdoc />
    public async Task<RunInfo> UpdateRunAsync(RunUpdate update, CancellationToken ct = default) =>
        (await transport.PostAsync<UpdateRunResponse>(Api + "runs/update",
            new UpdateRunRequest(update.RunId, update.RunId, update.Status, update.EndTime, update.RunName), ct).ConfigureAwait(false)).RunInfo;

    /// <inheritdoc />
    public Task DeleteRunAsync(string runId, CancellationToken ct = default) =>
        transport.PostAsync<EmptyResponse>(Api + "runs/delete", new RunIdRequest(runId, null), ct);

    /// <inheritdoc />
    public Task RestoreRunAsync(string runId, CancellationToken ct = default) =>
        transport.PostAsync<EmptyResponse>(Api + "runs/restore", new RunIdRequest(runId, null), ct);

    /// <inheritdoc />
    public async Task<Page<Run>> SearchRunsAsync(RunQuery query, CancellationToken ct = default)
    {
        var response = await transport.PostAsync<SearchRunsResponse>(Api + "runs/search",
            new SearchRunsRequest(query.ExperimentIds.ToList(), query.Filter, query.ViewType, query.MaxResults, query.OrderBy?.ToList(), query.PageToken), ct).ConfigureAwait(false);
        return new Page<Run>((response.Runs ?? []).Select(Normalize).ToList(), NullIfEmpty(response.NextPageToken));
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ExperimentRunSummary>> SummarizeRunsAsync(IReadOnlyList<string> experimentIds, CancellationToken ct = default)
    {
        if (experimentIds.Count == 0) return [];
        return (await transport.PostAsync<SummarizeRunsResponse>("api/2.0/cairn/experiments/run-summaries",
            new SummarizeRunsRequest(experimentIds.ToList()), ct).ConfigureAwait(false)).Summaries ?? [];
    }

    /// <inheritdoc />
    public Task LogBatchAsync(string runId, LogBatch batch, CancellationToken ct = default)
    {
        // Checked here too, so an oversized batch fails before it costs a round trip.
        TrackingLimits.ValidateBatch(batch);
        return transport.PostAsync<EmptyResponse>(Api + "runs/log-batch",
            new LogBatchRequest(runId, batch.Metrics?.ToList(), batch.Params?.ToList(), batch.Tags?.ToList()), ct);
    }

    /// <inheritdoc />
    public Task LogInputsAsync(string runId, IReadOnlyList<DatasetInput> inputs, CancellationToken ct = default)
    {
        TrackingLimits.ValidateInputs(inputs);
        return transport.PostAsync<EmptyResponse>(Api + "runs/log-inputs", new LogInputsRequest(runId, inputs.ToList()), ct);
    }

    /// <inheritdoc />
    public Task DeleteTagAsync(string runId, string key, CancellationToken ct = default) =>
        transport.PostAsync<EmptyResponse>(Api + "runs/delete-tag", new DeleteTagRequest(runId, key), ct);

    /// <inheritdoc />
    public async Task<Page<Metric>> GetMetricHistoryAsync(string runId, string metricKey, int? maxResults = null, string? pageToken = null, CancellationToken ct = default)
    {
        var response = await transport.GetAsync<MetricHistoryResponse>(Api + "metrics/get-history",
            [("run_id", runId), ("metric_key", metricKey), ("max_results", maxResults?.ToString()), ("page_token", pageToken)], ct).ConfigureAwait(false);
        return new Page<Metric>(response.Metrics ?? [], NullIfEmpty(response.NextPageToken));
    }

    /// <summary>MLflow omits empty lists on the wire; the domain never has null lists.</summary>
    private static Run Normalize(Run run)
    {
        var data = run.Data ?? RunData.Empty;
        var inputs = (run.Inputs?.DatasetInputs ?? []).Select(i => i with { Tags = i.Tags ?? [] }).ToList();
        return run with { Data = new RunData(data.Metrics ?? [], data.Params ?? [], data.Tags ?? []), Inputs = new RunInputs(inputs) };
    }

    private static string? NullIfEmpty(string? token) => string.IsNullOrEmpty(token) ? null : token;
}
