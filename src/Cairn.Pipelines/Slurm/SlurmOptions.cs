namespace Cairn.Pipelines.Slurm;

/// <summary>How the Slurm executor submits a run's jobs.</summary>
public sealed record SlurmOptions
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Where each run's batch scripts and job logs go (a folder per run inside it); it must be on the
    /// filesystem the nodes share. Null: <c>.cairn-slurm</c> in the step's working folder.
    /// </summary>
    public string? LogFolder { get; init; }

    /// <summary>The partition (<c>--partition</c>); null for the cluster's default.</summary>
    public string? Partition { get; init; }

    /// <summary>The account charged (<c>--account</c>); null for the user's default.</summary>
    public string? Account { get; init; }

    /// <summary>How often job states are read (one <c>squeue</c> call for all jobs of the run).</summary>
    public TimeSpan PollInterval { get; init; } = DefaultPollInterval;

    /// <summary>How many lines of a failed job's log go into its error.</summary>
    public int LogTailLines { get; init; } = 20;
}
