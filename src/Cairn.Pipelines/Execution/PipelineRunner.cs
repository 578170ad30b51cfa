using System.Collections.Concurrent;
using System.Diagnostics;
using Cairn.Tracking;

namespace Cairn.Pipelines;

/// <summary>
/// Runs a pipeline on this machine: independent steps in parallel, each answered from the cache
/// when its key matches a finished step run, else run with retries and a timeout, and recorded as a
/// child run of the pipeline run. The first failure stops new steps from starting; steps already
/// running finish. Cancellation kills every running step's process tree.
/// </summary>
public sealed class PipelineRunner(PipelineEngine engine)
{
    private readonly PipelineRecorder _recorder = new(engine.Client);

    public async Task<PipelineRunResult> RunAsync(PipelineDefinition pipeline, string workspace, PipelineRunOptions options, CancellationToken ct = default)
    {
        if (options.Parallel < 1) throw CairnException.InvalidParameter("--parallel must be at least 1.");
        workspace = Path.GetFullPath(workspace);
        var graph = engine.Check(pipeline);
        var parameters = ParameterValues.Resolve(pipeline, options.Parameters);
        using var code = new CodeVersions(workspace);

        var (pipelineRun, previous) = await OpenRunAsync(pipeline, parameters, workspace, code.HeadCommit, options.ResumeRunId, ct).ConfigureAwait(false);
        var runId = pipelineRun.Info.RunId;
        var cache = options.NoCache
            ? new ConcurrentDictionary<string, StepRecord>()
            : new ConcurrentDictionary<string, StepRecord>(await _recorder.LoadCacheAsync(pipelineRun.Info.ExperimentId, ct).ConfigureAwait(false));
        var run = new RunState(pipeline, graph, parameters, workspace, pipelineRun, previous, cache, code, options);

        var remaining = graph.Order.ToDictionary(s => s.Name, s => graph.Upstream(s.Name).Count, StringComparer.Ordinal);
        var ready = new Queue<StepDefinition>(graph.Order.Where(s => remaining[s.Name] == 0));
        var running = new Dictionary<Task<StepOutcome>, StepDefinition>();
        var outcomes = new Dictionary<string, StepOutcome>(StringComparer.Ordinal);
        var stop = false;
        while (ready.Count > 0 || running.Count > 0)
        {
            while (!stop && ready.Count > 0 && running.Count < options.Parallel)
            {
                var next = ready.Dequeue();
                running[Task.Run(() => RunStepAsync(run, next, ct), CancellationToken.None)] = next;
            }
            if (running.Count == 0) break;
            var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
            running.Remove(done);
            var outcome = await done.ConfigureAwait(false);
            outcomes[outcome.Step] = outcome;
            if (outcome.State is StepState.Failed or StepState.Killed)
            {
                stop = true;
                continue;
            }
            foreach (var d in graph.Downstream(outcome.Step))
                if (--remaining[d] == 0) ready.Enqueue(graph.Pipeline.Step(d));
        }
        foreach (var s in graph.Order.Where(s => !outcomes.ContainsKey(s.Name)))
        {
            outcomes[s.Name] = new StepOutcome(s.Name, StepState.Skipped, TimeSpan.Zero, null, "not run: an earlier step failed", 0);
            options.Progress?.Invoke(new StepEvent(s.Name, StepState.Skipped));
        }

        var ordered = graph.Order.Select(s => outcomes[s.Name]).ToList();
        var failed = ordered.FirstOrDefault(o => o.State is StepState.Failed or StepState.Killed);
        var cancelled = ct.IsCancellationRequested;
        var status = failed is null ? RunStatus.Finished : cancelled ? RunStatus.Killed : RunStatus.Failed;
        await _recorder.CarryStepMetricsAsync(pipelineRun, [.. graph.Order.Select(s => s.Name)], CancellationToken.None).ConfigureAwait(false);
        await _recorder.FinishPipelineAsync(runId, status, failed is null ? null : $"step '{failed.Step}': {failed.Error}", CancellationToken.None).ConfigureAwait(false);
        return new PipelineRunResult(runId, failed is null, ordered, cancelled);
    }

    /// <summary>
    /// Runs one step of an existing pipeline run, as an engine outside this process asks (Slurm,
    /// Kubernetes, Argo run <c>cairn pipeline step</c>): the steps it needs must have finished in
    /// that run; their outputs are read from the store. Cache and retries apply as for a local run.
    /// </summary>
    public async Task<StepOutcome> RunOneStepAsync(PipelineDefinition pipeline, string workspace, string pipelineRunId, string stepName,
        bool noCache, CancellationToken ct = default)
    {
        workspace = Path.GetFullPath(workspace);
        var graph = engine.Check(pipeline);
        var step = pipeline.Step(stepName);
        var pipelineRun = await engine.Client.Tracking.GetRunAsync(pipelineRunId, ct).ConfigureAwait(false);
        if (PipelineTags.Tag(pipelineRun, PipelineTags.Role) != "pipeline" || PipelineTags.Tag(pipelineRun, PipelineTags.Pipeline) != pipeline.Name)
            throw CairnException.InvalidParameter($"The run {pipelineRunId} is not a run of the pipeline {pipeline.Name}.");
        var parameters = ParameterValues.Resolve(pipeline, pipelineRun.Data.Params.ToDictionary(p => p.Key, p => p.Value));
        var previous = await _recorder.StepRunsAsync(pipelineRun.Info.ExperimentId, pipelineRunId, ct).ConfigureAwait(false);
        using var code = new CodeVersions(workspace);
        var cache = noCache
            ? new ConcurrentDictionary<string, StepRecord>()
            : new ConcurrentDictionary<string, StepRecord>(await _recorder.LoadCacheAsync(pipelineRun.Info.ExperimentId, ct).ConfigureAwait(false));
        var run = new RunState(pipeline, graph, parameters, workspace, pipelineRun, previous, cache, code, new PipelineRunOptions { NoCache = noCache });
        foreach (var up in graph.Upstream(stepName))
        {
            if (!previous.TryGetValue(up, out var upRun) || upRun.Info.Status != RunStatus.Finished)
                throw CairnException.InvalidState($"step '{stepName}' needs step '{up}', which has not finished in the pipeline run {pipelineRunId}.");
            run.Results[up] = PipelineRecorder.Record(upRun);
        }
        return await RunStepAsync(run, step, ct).ConfigureAwait(false);
    }

    private async Task<(Run Run, IReadOnlyDictionary<string, Run> Previous)> OpenRunAsync(PipelineDefinition pipeline,
        IReadOnlyDictionary<string, string> parameters, string workspace, string? gitCommit, string? resume, CancellationToken ct)
    {
        if (resume is null)
        {
            var experimentId = await _recorder.ExperimentAsync(pipeline.Name, ct).ConfigureAwait(false);
            return (await _recorder.StartPipelineRunAsync(experimentId, pipeline, parameters, "local", workspace, gitCommit, ct).ConfigureAwait(false),
                new Dictionary<string, Run>());
        }
        var run = await engine.Client.Tracking.GetRunAsync(resume, ct).ConfigureAwait(false);
        if (PipelineTags.Tag(run, PipelineTags.Role) != "pipeline" || PipelineTags.Tag(run, PipelineTags.Pipeline) != pipeline.Name)
            throw CairnException.InvalidParameter($"The run {resume} is not a run of the pipeline {pipeline.Name}.");
        if (run.Info.Status == RunStatus.Finished)
            throw CairnException.InvalidState($"The pipeline run {resume} finished: there is nothing to retry.");
        if (run.Info.Status == RunStatus.Running && PipelineRuns.RunnerAlive(PipelineTags.Tag(run, PipelineTags.Runner)))
            throw CairnException.InvalidState($"The pipeline run {resume} is still running ({PipelineTags.Tag(run, PipelineTags.Runner)}).");
        var previous = await _recorder.StepRunsAsync(run.Info.ExperimentId, resume, ct).ConfigureAwait(false);
        await engine.Client.Tracking.SetTagAsync(resume, new RunTag(PipelineTags.Runner, $"{Environment.MachineName}:{Environment.ProcessId}"), ct).ConfigureAwait(false);
        await engine.Client.Tracking.UpdateRunAsync(new RunUpdate(resume, RunStatus.Running), ct).ConfigureAwait(false);
        return (run, previous);
    }

    private sealed record RunState(
        PipelineDefinition Pipeline, PipelineGraph Graph, IReadOnlyDictionary<string, string> Parameters, string Workspace, Run PipelineRun,
        IReadOnlyDictionary<string, Run> Previous, ConcurrentDictionary<string, StepRecord> Cache, CodeVersions Code, PipelineRunOptions Options)
    {
        public ConcurrentDictionary<string, StepRecord> Results { get; } = new(StringComparer.Ordinal);
        public string RunId => PipelineRun.Info.RunId;
        public string Scratch => Path.Combine(Workspace, ".cairn", "pipelines", RunId);
    }

    private async Task<StepOutcome> RunStepAsync(RunState run, StepDefinition step, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var progress = run.Options.Progress;
        if (run.Previous.TryGetValue(step.Name, out var earlier) && earlier.Info.Status == RunStatus.Finished)
        {
            run.Results[step.Name] = PipelineRecorder.Record(earlier);
            progress?.Invoke(new StepEvent(step.Name, StepState.Reused, RunId: earlier.Info.RunId));
            return new StepOutcome(step.Name, StepState.Reused, TimeSpan.Zero, earlier.Info.RunId, null, 0);
        }
        ResolvedStep resolved;
        string key;
        try
        {
            resolved = StepResolution.Resolve(step, run.Parameters, run.Results, run.RunId, run.Workspace);
            key = StepCacheKey.Compute(resolved, run.Graph.Upstream(step.Name).Select(u => (u, run.Results[u])),
                c => run.Code.VersionOf(c, $"step '{step.Name}'"),
                i => ContentDigests.Of(WorkspacePaths.Resolve(run.Workspace, i, $"step '{step.Name}'"))
                    ?? throw new StepFailedException($"step '{step.Name}': the input '{i}' does not exist."));
        }
        catch (StepFailedException e)
        {
            progress?.Invoke(new StepEvent(step.Name, StepState.Failed, clock.Elapsed, Message: e.Message));
            return new StepOutcome(step.Name, StepState.Failed, clock.Elapsed, null, e.Message, 0);
        }

        if (!run.Options.NoCache && step.Cache && run.Cache.TryGetValue(key, out var hit))
        {
            try
            {
                await StepOutputs.RestoreAsync(engine.Client, resolved, hit, run.Workspace, ct).ConfigureAwait(false);
                var cachedRun = await _recorder.RecordCachedStepAsync(run.PipelineRun, resolved, key, hit, ct).ConfigureAwait(false);
                run.Results[step.Name] = hit;
                progress?.Invoke(new StepEvent(step.Name, StepState.Cached, clock.Elapsed, RunId: cachedRun));
                return new StepOutcome(step.Name, StepState.Cached, clock.Elapsed, cachedRun, null, 0);
            }
            catch (StepFailedException)
            {
                // The cached outputs cannot be brought back (an artifact is gone): compute them again.
            }
        }

        var stepRunId = await _recorder.StartStepRunAsync(run.PipelineRun, resolved, key, CancellationToken.None).ConfigureAwait(false);
        progress?.Invoke(new StepEvent(step.Name, StepState.Running, RunId: stepRunId));
        using var log = new LazyFileWriter(Path.Combine(run.Scratch, step.Name + ".log"));
        var synchronizedLog = TextWriter.Synchronized(log);
        var attempts = 0;
        string? error = null;
        var state = StepState.Failed;
        StepRecord? record = null;
        var outputsFile = Path.Combine(run.Scratch, step.Name + ".outputs");
        Directory.CreateDirectory(run.Scratch);
        var inputError = await _recorder.LogDataInputsAsync(stepRunId, resolved, CancellationToken.None).ConfigureAwait(false);
        while (inputError is null)
        {
            attempts++;
            File.Delete(outputsFile);
            var context = new StepContext
            {
                PipelineName = run.Pipeline.Name, PipelineRunId = run.RunId, StepName = step.Name, StepRunId = stepRunId,
                Workspace = run.Workspace, With = resolved.With, Parameters = run.Parameters, Log = synchronizedLog, Client = engine.Client,
            };
            try
            {
                await engine.RunnerFor(step).RunAsync(resolved, context, outputsFile, ct).ConfigureAwait(false);
                record = await StepOutputs.CollectAsync(engine.Client, resolved, context, outputsFile, stepRunId, run.Workspace, ct).ConfigureAwait(false);
                state = StepState.Succeeded;
                break;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                state = StepState.Killed;
                error = "cancelled";
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = e is StepFailedException or TimeoutException ? e.Message : $"{e.GetType().Name}: {e.Message}";
                synchronizedLog.WriteLine($"[cairn] attempt {attempts} failed: {error}");
                if (attempts > step.Retries) break;
                var wait = step.RetryBackoff * Math.Pow(2, attempts - 1);
                progress?.Invoke(new StepEvent(step.Name, StepState.Running, clock.Elapsed, attempts + 1, $"retrying in {wait.TotalSeconds:0.#}s: {error}", stepRunId));
                try
                {
                    await Task.Delay(wait, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    state = StepState.Killed;
                    error = "cancelled";
                    break;
                }
            }
        }
        error ??= inputError;
        await log.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        if (log.Written)
            await _recorder.PutFileAsync(stepRunId, PipelineTags.LogArtifact, log.Path, CancellationToken.None).ConfigureAwait(false);
        var status = state switch { StepState.Succeeded => RunStatus.Finished, StepState.Killed => RunStatus.Killed, _ => RunStatus.Failed };
        await _recorder.FinishStepAsync(stepRunId, status, record, attempts, state == StepState.Succeeded ? null : error, CancellationToken.None).ConfigureAwait(false);
        if (record is not null)
        {
            run.Results[step.Name] = record;
            run.Cache[key] = record;
        }
        progress?.Invoke(new StepEvent(step.Name, state, clock.Elapsed, attempts, error, stepRunId));
        return new StepOutcome(step.Name, state, clock.Elapsed, stepRunId, error, attempts);
    }
}
