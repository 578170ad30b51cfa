using Cairn.Tracking;

namespace Cairn.Pipelines;

/// <summary>
/// A pipeline run handed to an engine outside this process (Slurm, Kubernetes, Argo): the pipeline
/// run is recorded first, then each step becomes a <see cref="StepJob"/> whose command,
/// <c>cairn pipeline step &lt;run&gt; &lt;step&gt;</c>, resolves its inputs from the tracking store
/// when it starts. So the engine only keeps the order, and the outputs, the cache and the records
/// are the same as for a local run.
/// </summary>
public sealed class ExternalPipelineRun(PipelineEngine engine)
{
    private readonly PipelineRecorder _recorder = new(engine.Client);

    /// <param name="jobWorkspace">Where the step commands run: the same shared folder (Slurm), or the folder inside the image (Kubernetes).</param>
    /// <param name="trackingUri">The store as the engine's nodes reach it.</param>
    public async Task<(string RunId, IReadOnlyList<StepJob> Jobs)> PrepareAsync(PipelineDefinition pipeline, string workspace,
        IReadOnlyDictionary<string, string> given, string executor, IReadOnlyList<string> cairnCommand, string jobWorkspace,
        string trackingUri, string? image, CancellationToken ct, bool noCache = false)
    {
        if (pipeline.SourceText is null)
            throw CairnException.InvalidParameter($"The {executor} executor runs pipelines defined in YAML: its nodes read the definition from the pipeline run.");
        var graph = engine.Check(pipeline);
        var parameters = ParameterValues.Resolve(pipeline, given);
        using var code = new CodeVersions(workspace);
        var experimentId = await _recorder.ExperimentAsync(pipeline.Name, ct).ConfigureAwait(false);
        var run = await _recorder.StartPipelineRunAsync(experimentId, pipeline, parameters, executor, workspace, code.HeadCommit, ct).ConfigureAwait(false);
        var jobs = graph.Order.Select(step => new StepJob(
            step.Name,
            [.. cairnCommand, "pipeline", "step", run.Info.RunId, step.Name, .. (noCache ? ["--no-cache"] : Array.Empty<string>())],
            new Dictionary<string, string> { [TrackingUri.EnvironmentVariable] = trackingUri },
            jobWorkspace,
            step.Kind == StepKind.Container ? step.Image : image,
            step.Resources,
            // The engine's own limit is a backstop: the step's timeout and retries are applied by `cairn pipeline step`.
            step.Timeout is { } t ? t * (step.Retries + 1) + TimeSpan.FromMinutes(1) : null,
            0,
            graph.Upstream(step.Name))).ToList();
        return (run.Info.RunId, jobs);
    }

    /// <summary>Records the run, hands its steps to the engine, waits for it, and closes the run from what the store says.</summary>
    public async Task<PipelineRunResult> RunAsync(PipelineDefinition pipeline, string workspace, IReadOnlyDictionary<string, string> given,
        IStepJobEngine jobEngine, IReadOnlyList<string> cairnCommand, string jobWorkspace, string trackingUri, string? image,
        Action<StepEvent>? progress, CancellationToken ct, bool noCache = false)
    {
        var (runId, jobs) = await PrepareAsync(pipeline, workspace, given, jobEngine.Name, cairnCommand, jobWorkspace, trackingUri, image, ct, noCache).ConfigureAwait(false);
        IReadOnlyDictionary<string, string> engineErrors;
        var cancelled = false;
        try
        {
            engineErrors = await jobEngine.RunAsync(pipeline.Name, runId, jobs, progress, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            engineErrors = new Dictionary<string, string>();
            cancelled = true;
        }
        return await FinishAsync(pipeline, runId, cancelled, CancellationToken.None, engineErrors).ConfigureAwait(false);
    }

    /// <summary>Reads how each step ended from the store and closes the pipeline run.</summary>
    public async Task<PipelineRunResult> FinishAsync(PipelineDefinition pipeline, string runId, bool cancelled, CancellationToken ct,
        IReadOnlyDictionary<string, string>? engineErrors = null)
    {
        var graph = engine.Check(pipeline);
        var run = await engine.Client.Tracking.GetRunAsync(runId, ct).ConfigureAwait(false);
        var steps = await _recorder.StepRunsAsync(run.Info.ExperimentId, runId, ct).ConfigureAwait(false);
        var outcomes = graph.Order.Select(s => steps.TryGetValue(s.Name, out var r)
            ? new StepOutcome(s.Name, StateOf(r), r.Info.EndTime is { } end ? TimeSpan.FromMilliseconds(end - r.Info.StartTime) : TimeSpan.Zero,
                r.Info.RunId, PipelineTags.Tag(r, PipelineTags.StepError), int.TryParse(PipelineTags.Tag(r, PipelineTags.Attempts), out var a) ? a : 0)
            : engineErrors is not null && engineErrors.TryGetValue(s.Name, out var why)
                ? new StepOutcome(s.Name, cancelled ? StepState.Killed : StepState.Failed, TimeSpan.Zero, null, why, 0)
                : new StepOutcome(s.Name, StepState.Skipped, TimeSpan.Zero, null, "not run", 0)).ToList();
        var failed = outcomes.FirstOrDefault(o => o.State is StepState.Failed or StepState.Killed or StepState.Running)
            ?? outcomes.FirstOrDefault(o => o.State is not (StepState.Succeeded or StepState.Cached or StepState.Reused));
        var status = failed is null ? RunStatus.Finished : cancelled ? RunStatus.Killed : RunStatus.Failed;
        await _recorder.CarryStepMetricsAsync(run, [.. graph.Order.Select(s => s.Name)], CancellationToken.None).ConfigureAwait(false);
        await _recorder.FinishPipelineAsync(runId, status, failed is null ? null : $"step '{failed.Step}': {failed.Error ?? "did not finish"}", CancellationToken.None).ConfigureAwait(false);
        return new PipelineRunResult(runId, failed is null, outcomes, cancelled);
    }

    private static StepState StateOf(Run r) => r.Info.Status switch
    {
        RunStatus.Finished => PipelineTags.Tag(r, PipelineTags.Cached) == "true" ? StepState.Cached : StepState.Succeeded,
        RunStatus.Killed => StepState.Killed,
        RunStatus.Running => StepState.Running,
        _ => StepState.Failed,
    };
}
