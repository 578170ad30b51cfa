namespace Cairn.Pipelines;

/// <summary>What a step may use: CPUs and memory (both optional; executors map them to their own options).</summary>
public sealed record StepResources(double? Cpus = null, long? MemoryBytes = null)
{
    public static readonly StepResources None = new();
}

/// <summary>
/// A step handed to an engine outside this process (Slurm, Kubernetes, Argo): the command that runs
/// it, where, and the steps it waits for. The command is <c>cairn pipeline step ...</c>, which
/// resolves the step's inputs from the tracking store when it starts, so an engine only has to
/// keep the order given by <see cref="DependsOn"/>.
/// </summary>
/// <param name="Name">The step's name in the pipeline (unique within it; letters, digits, '_' and '-').</param>
/// <param name="Command">The program and its arguments (not a shell line).</param>
/// <param name="Environment">Variables to set, such as CAIRN_TRACKING_URI.</param>
/// <param name="WorkingDirectory">Where the command runs (Slurm: a shared folder; Kubernetes: inside the image).</param>
/// <param name="Image">The container image, for engines that run containers.</param>
/// <param name="Timeout">Killed after this long; null for no limit.</param>
/// <param name="Retries">How many times the engine may run it again after a failure.</param>
/// <param name="DependsOn">Names of the steps that must succeed first.</param>
public sealed record StepJob(
    string Name,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory,
    string? Image,
    StepResources Resources,
    TimeSpan? Timeout,
    int Retries,
    IReadOnlyList<string> DependsOn);
