using System.CommandLine;
using Cairn.Pipelines;
using Cairn.Pipelines.Kubernetes;

namespace Cairn.Cli.Commands;

/// <summary>The options of <c>pipeline run</c> and <c>export</c> that send a run to a cluster, and the engine they choose.</summary>
internal sealed class ClusterOptions
{
    public Option<string> Executor { get; } = new("--executor")
    {
        Description = "Where the steps run: local (this machine), or kubernetes (one Job per step, on the kubeconfig's cluster).",
        DefaultValueFactory = _ => "local",
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

    public ClusterOptions() => Executor.AcceptOnlyFromAmong("local", "kubernetes");

    public void AddTo(Command command)
    {
        command.Options.Add(Executor);
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

    /// <summary>Runs the pipeline on the chosen cluster executor and waits for it.</summary>
    public async Task<PipelineRunResult> RunAsync(ParseResult parse, PipelineEngine engine, PipelineDefinition definition, string workspace,
        IReadOnlyDictionary<string, string> parameters, Action<StepEvent> progress, CancellationToken ct)
    {
        var target = Target(parse, engine);
        target.Check(definition);
        using var submitter = KubernetesSubmitter.FromKubeconfig(parse.GetValue(Kubeconfig), parse.GetValue(Context), parse.GetValue(Namespace));
        return await new ExternalPipelineRun(engine).RunAsync(definition, workspace, parameters, new KubernetesStepJobEngine(submitter, target.Image),
            target.CairnCommand, target.JobWorkspace, target.TrackingUri, target.Image, progress, ct);
    }
}
