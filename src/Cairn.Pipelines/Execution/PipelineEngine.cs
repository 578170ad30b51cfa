
namespace Cairn.Pipelines;

/// <summary>
/// What a host wires into the engine: the built-in step kinds it offers, how to start a C# step's
/// process, and the tracking URI step processes should log to.
/// </summary>
public sealed record PipelineEngine(CairnClient Client)
{
    public IReadOnlyDictionary<string, IPipelineStep> Builtins { get; init; } = new Dictionary<string, IPipelineStep>();
    /// <summary>The command that starts <c>cairn</c> (e.g. the cairn executable, or dotnet and cairn.dll).</summary>
    public IReadOnlyList<string>? CairnCommand { get; init; }
    /// <summary>Passed to step processes as CAIRN_TRACKING_URI so what they log lands in the same store.</summary>
    public string? TrackingUri { get; init; }
    public string Podman { get; init; } = "podman";

    public IReadOnlySet<string> BuiltinKinds => Builtins.Keys.ToHashSet(StringComparer.Ordinal);

    public PipelineGraph Check(PipelineDefinition pipeline) => PipelineGraph.Build(pipeline, BuiltinKinds);

    internal IStepRunner RunnerFor(StepDefinition step) => step.Kind switch
    {
        StepKind.Shell => new ShellStepRunner(TrackingUri),
        StepKind.Container => new ContainerStepRunner(TrackingUri, Podman),
        StepKind.CSharp => new CSharpStepRunner(CairnCommand ?? throw new StepFailedException("C# steps need the cairn command to host them; run the pipeline with cairn."), TrackingUri),
        _ => new InProcessStepRunner(Builtins),
    };
}
