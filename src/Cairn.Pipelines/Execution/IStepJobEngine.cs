namespace Cairn.Pipelines;

/// <summary>
/// An engine outside this process that runs a pipeline run's <see cref="StepJob"/>s in their
/// dependency order (Slurm, Kubernetes). Each job runs <c>cairn pipeline step</c>, which records the
/// step in the tracking store, so the engine only reports what the store cannot know: a job that
/// never started or was killed by the engine.
/// </summary>
public interface IStepJobEngine
{
    /// <summary>The executor's name, as recorded on the pipeline run (<c>slurm</c>, <c>kubernetes</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Runs the jobs; returns once every job has ended or the run stopped on a failure. On
    /// cancellation it stops every job it started, then throws <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <returns>For steps the engine saw fail on its own side, why (a step run in the store says more, where there is one).</returns>
    Task<IReadOnlyDictionary<string, string>> RunAsync(string pipelineName, string runId, IReadOnlyList<StepJob> jobs,
        Action<StepEvent>? progress, CancellationToken ct);
}
