namespace Cairn.Pipelines.Kubernetes;

/// <summary>The Kubernetes executor: a pipeline run's steps as Jobs on the cluster of a kubeconfig.</summary>
public sealed class KubernetesStepJobEngine(KubernetesSubmitter submitter, string? defaultImage) : IStepJobEngine
{
    public string Name => "kubernetes";

    public async Task<IReadOnlyDictionary<string, string>> RunAsync(string pipelineName, string runId, IReadOnlyList<StepJob> jobs,
        Action<StepEvent>? progress, CancellationToken ct)
    {
        var result = await submitter.RunAsync(pipelineName, runId, jobs, defaultImage,
            status => progress?.Invoke(new StepEvent(status.Step, StateOf(status.State), Message: status.Message)), ct).ConfigureAwait(false);
        return result.Steps.Where(s => s.State == KubernetesStepState.Failed)
            .ToDictionary(s => s.Step, s => s.Message ?? $"its Job {s.JobName} failed", StringComparer.Ordinal);
    }

    private static StepState StateOf(KubernetesStepState state) => state switch
    {
        KubernetesStepState.Waiting => StepState.Pending,
        KubernetesStepState.Running => StepState.Running,
        KubernetesStepState.Succeeded => StepState.Succeeded,
        KubernetesStepState.Failed => StepState.Failed,
        KubernetesStepState.Cancelled => StepState.Killed,
        _ => StepState.Skipped,
    };
}
