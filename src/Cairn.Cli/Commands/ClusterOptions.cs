using System.CommandLine;
using Cairn.Pipelines;
using Cairn.Pipelines.Kubernetes;
using Cairn.Pipelines.Slurm;

namespace Cairn.Cli.Commands;

/// <summary>The options of <c>pipeline run</c> and <c>export</c> that send a run to a cluster, and the engine they choose.</summary>
internal sealed class ClusterOptions
{
    public Option<string> Executor { get; } = new("--executor")
    {
        Description = "Where the steps run: local (this machine), slurm (one sbatch job per step; the pipeline's folder and the store must be reachable from the nodes), " +
            "or kubernetes (one Job per step, on the kubeconfig's cluster).",
        DefaultValueFactory = _ => "local",
    };
    public Option<string?> SlurmLogDir { get; } = new("--slurm-log-dir")
    {
        Description = "With --executor slurm: where the jobs' scripts and logs go, on the shared filesystem (default: .cairn-slurm in the pipeline's folder).",
    };
    public Option<bool> DryRun { get; } = new("--dry-run") { Description = "With --executor kubernetes: write the Jobs to --out instead of submitting them." };
    public Option<string?> Out { get; } = new("--out") { Description = "With --dry-run: the folder the Job manifests are written to." };
    public Option<string?> Kubeconfig { get; } = new("--kubeconfig") { Description = "The kubeconfig file (default: KUBECONFIG, ~/.kube/config, or the in-cluster service account)." };
    public Option<string?> Context { get; } = new("--context") { Description = "The kubeconfig context (default: its current one)." };
    public Option<string?> Namespace { get; } = new("--namespace") { Description = "The namespace of the Jobs (default: the context's, else default)." };
    public Option<string?> Image { get; } = new("--image") { Description = "The image the steps run in: it holds cairn and the pipeline's files (a container step keeps its own image)." };
    public Option<string> JobWorkspace { get; } = new("--job-workspace")
    {
        Description = "The folder of the pipeline's files inside the image.",
        DefaultValueFactory = _ => ClusterTarget.DefaultJobWorkspace,
    };
    public Option<string?> JobTrackingUri { get; } = new("--job-tracking-uri") { Description = "The tracking URI as the cluster reaches it (default: --tracking-uri)." };
    public Option<string> JobCairn { get; } = new("--job-cairn") { Description = "The command that starts cairn inside the image.", DefaultValueFactory = _ => "cairn" };

    public ClusterOptions() => Executor.AcceptOnlyFromAmong("local", "slurm", "kubernetes");

    public void AddTo(Command command)
    {
        command.Options.Add(Executor);
        command.Options.Add(SlurmLogDir);
        command.Options.Add(DryRun);
        command.Options.Add(Out);
        command.Options.Add(Kubeconfig);
        command.Options.Add(Context);
        command.Options.Add(Namespace);
        AddTargetTo(command);
    }

    public void AddTargetTo(Command command)
    {
        command.Options.Add(Image);
        command.Options.Add(JobWorkspace);
        command.Options.Add(JobTrackingUri);
        command.Options.Add(JobCairn);
    }

    public ClusterTarget Target(ParseResult parse, PipelineEngine engine) => new(
        parse.GetValue(Image), parse.GetValue(JobWorkspace)!, [parse.GetValue(JobCairn)!],
        parse.GetValue(JobTrackingUri) ?? engine.TrackingUri ?? "");

    /// <summary>Runs the pipeline on the chosen cluster executor and waits for it; Ctrl+C cancels its jobs there.</summary>
    public async Task<PipelineRunResult> RunAsync(ParseResult parse, PipelineEngine engine, PipelineDefinition definition, string workspace,
        PipelineRunOptions options, Action<StepEvent> progress, CancellationToken ct)
    {
        var external = new ExternalPipelineRun(engine);
        if (parse.GetValue(Executor) == "slurm")
        {
            // Slurm nodes share this machine's folders: the steps run in the pipeline's folder, on the same store.
            var logDir = parse.GetValue(SlurmLogDir);
            var slurm = new SlurmStepJobEngine(new SlurmClient(), new SlurmOptions { LogFolder = logDir is null ? null : Path.GetFullPath(logDir) });
            return await external.RunAsync(definition, workspace, options.Parameters, slurm, engine.CairnCommand!, workspace,
                engine.TrackingUri!, image: null, progress, ct, options.NoCache);
        }
        var target = Target(parse, engine);
        target.Check(definition);
        using var submitter = KubernetesSubmitter.FromKubeconfig(parse.GetValue(Kubeconfig), parse.GetValue(Context), parse.GetValue(Namespace));
        return await external.RunAsync(definition, workspace, options.Parameters, new KubernetesStepJobEngine(submitter, target.Image),
            target.CairnCommand, target.JobWorkspace, target.TrackingUri, target.Image, progress, ct, options.NoCache);
    }

    /// <summary>Options that only one executor reads, given with another, are mistakes worth saying.</summary>
    public void CheckCombination(ParseResult parse)
    {
        var executor = parse.GetValue(Executor);
        if (parse.GetValue(SlurmLogDir) is not null && executor != "slurm")
            throw CairnException.InvalidParameter("--slurm-log-dir applies to --executor slurm.");
        if (executor != "kubernetes" && (parse.GetValue(Kubeconfig) ?? parse.GetValue(Context) ?? parse.GetValue(Namespace)) is not null)
            throw CairnException.InvalidParameter("--kubeconfig, --context and --namespace apply to --executor kubernetes.");
    }
}
