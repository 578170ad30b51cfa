namespace Cairn.Pipelines.Slurm;

/// <summary>What a Slurm job's state and reason mean for its step.</summary>
internal static class SlurmJobStates
{
    /// <summary>
    /// Reasons a pending job can never start without someone changing the cluster: the job asks for
    /// more than its partition, account or QOS allows. Waiting on them would wait forever.
    /// (ReqNodeNotAvail and Resources are not here: nodes come back and free up.)
    /// </summary>
    private static readonly HashSet<string> Impossible = new(StringComparer.OrdinalIgnoreCase)
    {
        "PartitionConfig", "PartitionNodeLimit", "PartitionTimeLimit", "BadConstraints",
        "InvalidAccount", "InvalidQOS", "AccountNotAllowed", "QOSNotAllowed",
    };

    private static readonly HashSet<string> Failures = new(StringComparer.OrdinalIgnoreCase)
    {
        "FAILED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED", "SPECIAL_EXIT", "REVOKED",
    };

    public const string DependencyNeverSatisfied = "DependencyNeverSatisfied";

    /// <summary>The step's state for a job's Slurm state and reason.</summary>
    public static StepState StepStateOf(string slurmState, string reason)
    {
        var state = slurmState.ToUpperInvariant();
        if (reason.StartsWith(DependencyNeverSatisfied, StringComparison.OrdinalIgnoreCase) && state is "PENDING" or "CANCELLED")
            return StepState.Skipped;
        if (state == "COMPLETED") return StepState.Succeeded;
        if (Failures.Contains(state) || state == "CANCELLED") return StepState.Failed;
        if (state is "PENDING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" or "RESV_DEL_HOLD")
            return IsImpossible(reason) ? StepState.Failed : StepState.Pending;
        // RUNNING, CONFIGURING, COMPLETING (epilog still running), SUSPENDED, STAGE_OUT...: not over yet.
        return StepState.Running;
    }

    public static bool IsImpossible(string reason) => Impossible.Contains(reason.Split([',', ' '], 2)[0]);

    public static bool IsEnded(StepState state) => state is StepState.Succeeded or StepState.Failed or StepState.Skipped or StepState.Killed;
}
