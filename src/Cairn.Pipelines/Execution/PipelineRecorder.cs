using System.Text.Json;
using Cairn.Artifacts;
using Cairn.Data;
using Cairn.Tracking;

namespace Cairn.Pipelines;

/// <summary>What a finished step left: its run, its output values and the digests of its file outputs.</summary>
public sealed record StepRecord(string RunId, IReadOnlyDictionary<string, string> Outputs, IReadOnlyDictionary<string, string> Digests)
{
    /// <summary>The step's metrics (latest values), carried to a run that reuses its outputs from the cache.</summary>
    public IReadOnlyList<Metric> Metrics { get; init; } = [];
}

/// <summary>Writes pipeline and step runs to the tracking store (see <see cref="PipelineTags"/>) and reads them back.</summary>
public sealed class PipelineRecorder(CairnClient client)
{
    private static readonly IReadOnlyDictionary<string, string> NoValues = new Dictionary<string, string>();

    public CairnClient Client => client;

    public Task<string> ExperimentAsync(string pipeline, CancellationToken ct) =>
        client.Tracking.GetOrCreateExperimentAsync(PipelineTags.ExperimentName(pipeline), ct);

    public async Task<Run> StartPipelineRunAsync(string experimentId, PipelineDefinition pipeline, IReadOnlyDictionary<string, string> parameters,
        string executor, string workspace, string? gitCommit, CancellationToken ct)
    {
        var tags = new List<RunTag>
        {
            new(PipelineTags.Pipeline, pipeline.Name), new(PipelineTags.Role, "pipeline"), new(PipelineTags.Executor, executor),
            new(PipelineTags.Runner, $"{Environment.MachineName}:{Environment.ProcessId}"), new(PipelineTags.Workspace, workspace),
        };
        if (gitCommit is not null) tags.Add(new(PipelineTags.GitCommit, gitCommit));
        if (pipeline.SourceFile is not null) tags.Add(new(PipelineTags.DefinitionFile, Path.GetRelativePath(workspace, Path.GetFullPath(pipeline.SourceFile))));
        var run = await client.Tracking.CreateRunAsync(new NewRun(experimentId, RunName: pipeline.Name, Tags: tags), ct).ConfigureAwait(false);
        foreach (var chunk in parameters.Select(kv => new Param(kv.Key, kv.Value)).Chunk(TrackingLimits.MaxParamsPerBatch))
            await client.Tracking.LogBatchAsync(run.Info.RunId, new LogBatch(Params: chunk), ct).ConfigureAwait(false);
        if (pipeline.SourceText is { } text)
            await PutTextAsync(run.Info, PipelineTags.DefinitionArtifact, text, ct).ConfigureAwait(false);
        return run;
    }

    public async Task<string> StartStepRunAsync(Run pipelineRun, ResolvedStep step, string cacheKey, CancellationToken ct)
    {
        var run = await client.Tracking.CreateRunAsync(new NewRun(pipelineRun.Info.ExperimentId, RunName: step.Name,
            Tags: StepTags(pipelineRun, step, cacheKey, cached: false)), ct).ConfigureAwait(false);
        var parameters = step.With.Where(kv => kv.Value.Length <= TrackingLimits.MaxParamValueLength)
            .Select(kv => new Param(kv.Key, kv.Value)).Take(TrackingLimits.MaxParamsPerBatch).ToList();
        if (parameters.Count > 0) await client.Tracking.LogBatchAsync(run.Info.RunId, new LogBatch(Params: parameters), ct).ConfigureAwait(false);
        return run.Info.RunId;
    }

    public async Task FinishStepAsync(string stepRunId, RunStatus status, StepRecord? result, int attempts, string? error, CancellationToken ct)
    {
        var tags = new List<RunTag> { new(PipelineTags.Attempts, attempts.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
        if (result is not null)
        {
            tags.Add(new(PipelineTags.Outputs, JsonSerializer.Serialize(result.Outputs)));
            if (result.Digests.Count > 0) tags.Add(new(PipelineTags.OutputDigests, JsonSerializer.Serialize(result.Digests)));
        }
        if (error is not null) tags.Add(new(PipelineTags.StepError, Truncate(Secrets.Redact(error)!)));
        await client.Tracking.LogBatchAsync(stepRunId, new LogBatch(Tags: tags), ct).ConfigureAwait(false);
        await client.Tracking.UpdateRunAsync(new RunUpdate(stepRunId, status, client.Time.GetUtcNow().ToUnixTimeMilliseconds()), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Records each dataset version a step's arguments name (<c>with: { data: data:/flights@3 }</c>)
    /// as an input of its run, the argument's name as the context: the lineage edge from the step to
    /// the data. Returns why it could not (an unknown dataset), or null.
    /// </summary>
    public async Task<string?> LogDataInputsAsync(string stepRunId, ResolvedStep step, CancellationToken ct)
    {
        foreach (var (key, value) in step.With)
        {
            if (!DataUri.IsDataUri(value.Trim())) continue;
            try
            {
                await DatasetInputs.LogAsync(client, stepRunId, value.Trim(), key, ct).ConfigureAwait(false);
            }
            catch (CairnException e) when (e.ErrorCode is ErrorCodes.ResourceDoesNotExist or ErrorCodes.InvalidParameterValue)
            {
                return $"step '{step.Name}': with.{key}: {e.Message}";
            }
        }
        return null;
    }

    /// <summary>A step answered from the cache still gets a run, pointing at the run that computed it.</summary>
    public async Task<string> RecordCachedStepAsync(Run pipelineRun, ResolvedStep step, string cacheKey, StepRecord from, CancellationToken ct)
    {
        var tags = StepTags(pipelineRun, step, cacheKey, cached: true);
        tags.Add(new(PipelineTags.CachedFrom, from.RunId));
        tags.Add(new(PipelineTags.Outputs, JsonSerializer.Serialize(from.Outputs)));
        if (from.Digests.Count > 0) tags.Add(new(PipelineTags.OutputDigests, JsonSerializer.Serialize(from.Digests)));
        var run = await client.Tracking.CreateRunAsync(new NewRun(pipelineRun.Info.ExperimentId, RunName: step.Name, Tags: tags), ct).ConfigureAwait(false);
        await LogDataInputsAsync(run.Info.RunId, step, ct).ConfigureAwait(false);
        foreach (var chunk in from.Metrics.Chunk(TrackingLimits.MaxMetricsPerBatch))
            await client.Tracking.LogBatchAsync(run.Info.RunId, new LogBatch(Metrics: chunk), ct).ConfigureAwait(false);
        await client.Tracking.UpdateRunAsync(new RunUpdate(run.Info.RunId, RunStatus.Finished, client.Time.GetUtcNow().ToUnixTimeMilliseconds()), ct).ConfigureAwait(false);
        return run.Info.RunId;
    }

    public async Task FinishPipelineAsync(string runId, RunStatus status, string? error, CancellationToken ct)
    {
        if (error is not null)
            await client.Tracking.SetTagAsync(runId, new RunTag(PipelineTags.Error, Truncate(Secrets.Redact(error)!)), ct).ConfigureAwait(false);
        await client.Tracking.UpdateRunAsync(new RunUpdate(runId, status, client.Time.GetUtcNow().ToUnixTimeMilliseconds()), ct).ConfigureAwait(false);
    }

    /// <summary>Every step run that computed its outputs and finished, by cache key (the newest wins).</summary>
    public async Task<Dictionary<string, StepRecord>> LoadCacheAsync(string experimentId, CancellationToken ct)
    {
        var index = new Dictionary<string, StepRecord>(StringComparer.Ordinal);
        var filter = $"tags.`{PipelineTags.Role}` = 'step' and tags.`{PipelineTags.Cached}` = 'false' and attributes.status = 'FINISHED'";
        await foreach (var run in SearchAllAsync(experimentId, filter, ["attributes.start_time ASC"], ct).ConfigureAwait(false))
            if (Tag(run, PipelineTags.CacheKey) is { } key) index[key] = Record(run);
        return index;
    }

    /// <summary>The newest run of each step of a pipeline run.</summary>
    public Task<Dictionary<string, Run>> StepRunsAsync(string experimentId, string pipelineRunId, CancellationToken ct) =>
        PipelineStoreReads.StepRunsAsync(client.Tracking, experimentId, pipelineRunId, ct);

    public IAsyncEnumerable<Run> SearchAllAsync(string experimentId, string filter, IReadOnlyList<string> orderBy, CancellationToken ct) =>
        PipelineStoreReads.SearchAllAsync(client.Tracking, experimentId, filter, orderBy, ct);

    public static StepRecord Record(Run run) => new(run.Info.RunId, Values(Tag(run, PipelineTags.Outputs)), Values(Tag(run, PipelineTags.OutputDigests)))
    {
        Metrics = run.Data.Metrics,
    };

    /// <summary>
    /// Logs the steps' metrics on the pipeline run, so a gate or a promotion reads one run
    /// (<c>cairn gate --run PIPELINE_RUN "metrics.auc &gt;= ..."</c>); where two steps log one key,
    /// the later step in the pipeline's order wins.
    /// </summary>
    public async Task CarryStepMetricsAsync(Run pipelineRun, IReadOnlyList<string> stepOrder, CancellationToken ct)
    {
        var steps = await StepRunsAsync(pipelineRun.Info.ExperimentId, pipelineRun.Info.RunId, ct).ConfigureAwait(false);
        var latest = new Dictionary<string, Metric>(StringComparer.Ordinal);
        foreach (var name in stepOrder)
            if (steps.TryGetValue(name, out var step) && step.Info.Status == RunStatus.Finished)
                foreach (var metric in step.Data.Metrics) latest[metric.Key] = metric;
        foreach (var chunk in latest.Values.Chunk(TrackingLimits.MaxMetricsPerBatch))
            await client.Tracking.LogBatchAsync(pipelineRun.Info.RunId, new LogBatch(Metrics: chunk), ct).ConfigureAwait(false);
    }

    private static string? Tag(Run run, string key) => PipelineTags.Tag(run, key);

    public async Task PutTextAsync(RunInfo run, string artifactFile, string text, CancellationToken ct)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        await client.Artifacts.PutAsync(ArtifactPath.Combine(ArtifactPath.FromUri(run.ArtifactUri), artifactFile), stream, ct).ConfigureAwait(false);
    }

    public async Task PutFileAsync(string runId, string artifactFile, string localFile, CancellationToken ct)
    {
        var run = await client.Tracking.GetRunAsync(runId, ct).ConfigureAwait(false);
        await using var input = File.OpenRead(localFile);
        await client.Artifacts.PutAsync(ArtifactPath.Combine(ArtifactPath.FromUri(run.Info.ArtifactUri), artifactFile), input, ct).ConfigureAwait(false);
    }

    public Task<string?> ReadTextAsync(RunInfo run, string artifactFile, CancellationToken ct) =>
        PipelineStoreReads.ReadTextAsync(client.Artifacts, run, artifactFile, ct);

    private static List<RunTag> StepTags(Run pipelineRun, ResolvedStep step, string cacheKey, bool cached) =>
    [
        new(PipelineTags.ParentRun, pipelineRun.Info.RunId), new(PipelineTags.PipelineRun, pipelineRun.Info.RunId),
        new(PipelineTags.Pipeline, PipelineTags.Tag(pipelineRun, PipelineTags.Pipeline) ?? ""), new(PipelineTags.Role, "step"),
        new(PipelineTags.Step, step.Name), new(PipelineTags.StepKind, step.Definition.Uses ?? step.Definition.Kind.ToString().ToLowerInvariant()),
        new(PipelineTags.CacheKey, cacheKey), new(PipelineTags.Cached, cached ? "true" : "false"),
    ];

    private static IReadOnlyDictionary<string, string> Values(string? json) =>
        json is null ? NoValues : JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? NoValues;

    private static string Truncate(string text) => text.Length <= 4000 ? text : text[..4000] + "…";
}
