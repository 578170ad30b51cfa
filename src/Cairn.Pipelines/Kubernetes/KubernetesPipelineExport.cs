namespace Cairn.Pipelines.Kubernetes;

/// <summary>
/// Where a pipeline run is to execute on a cluster, as the cluster sees it: the image holding the
/// pipeline's files and <c>cairn</c>, the folder of the files inside it, the command that starts
/// cairn there, and a tracking URI its Pods can reach.
/// </summary>
public sealed record ClusterTarget(string? Image, string JobWorkspace, IReadOnlyList<string> CairnCommand, string TrackingUri)
{
    public const string DefaultJobWorkspace = "/workspace";

    /// <summary>
    /// What can be checked before a run is recorded: a Pod cannot read this machine's folders (a store
    /// given as a path is refused), and every step needs an image to run in.
    /// </summary>
    public void Check(PipelineDefinition pipeline)
    {
        if (Image is null && pipeline.Steps.FirstOrDefault(s => s.Kind != StepKind.Container) is { } step)
            throw CairnException.InvalidParameter($"step '{step.Name}' needs an image to run in on the cluster: give --image (one with cairn and the pipeline's files).");
        if (!TrackingUri.Contains("://", StringComparison.Ordinal))
            throw CairnException.InvalidParameter(
                $"The cluster's Pods cannot reach the store '{TrackingUri}' on this machine: give --job-tracking-uri (a cairn server URL, or postgresql://...) that they can reach.");
        if (!JobWorkspace.StartsWith('/'))
            throw CairnException.InvalidParameter($"The folder inside the image must be an absolute path, not '{JobWorkspace}'.");
    }
}

/// <summary>
/// Records a pipeline run and writes it for a cluster instead of running it: Kubernetes Jobs into a
/// folder (<c>--dry-run --out</c>), or one Argo Workflow. Applying them executes the recorded run;
/// <c>cairn pipeline finish RUN</c> then closes it with its steps' outcomes.
/// </summary>
public sealed class KubernetesPipelineExport(PipelineEngine engine)
{
    public async Task<(string RunId, IReadOnlyList<string> Files)> WriteJobsAsync(PipelineDefinition pipeline, string workspace,
        IReadOnlyDictionary<string, string> parameters, ClusterTarget target, string folder, CancellationToken ct, bool noCache = false)
    {
        target.Check(pipeline);
        var (runId, jobs) = await PrepareAsync(pipeline, workspace, parameters, "kubernetes", target, ct, noCache).ConfigureAwait(false);
        return (runId, KubernetesManifestFolder.Write(folder, KubernetesJobs.BuildAll(pipeline.Name, runId, jobs, target.Image)));
    }

    public async Task<(string RunId, string Yaml)> ArgoAsync(PipelineDefinition pipeline, string workspace,
        IReadOnlyDictionary<string, string> parameters, ClusterTarget target, CancellationToken ct)
    {
        target.Check(pipeline);
        var (runId, jobs) = await PrepareAsync(pipeline, workspace, parameters, "argo", target, ct, noCache: false).ConfigureAwait(false);
        return (runId, ArgoWorkflows.ToYaml(ArgoWorkflows.Build(pipeline.Name, runId, jobs, target.Image)));
    }

    private Task<(string RunId, IReadOnlyList<StepJob> Jobs)> PrepareAsync(PipelineDefinition pipeline, string workspace,
        IReadOnlyDictionary<string, string> parameters, string executor, ClusterTarget target, CancellationToken ct, bool noCache)
    {
        // Check everything that can be checked before a run is recorded.
        KubernetesNames.Require("pipeline name", pipeline.Name);
        engine.Check(pipeline);
        ParameterValues.Resolve(pipeline, parameters);
        return new ExternalPipelineRun(engine).PrepareAsync(pipeline, workspace, parameters, executor, target.CairnCommand,
            target.JobWorkspace, target.TrackingUri, target.Image, ct, noCache);
    }
}
