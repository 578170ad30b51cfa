namespace Cairn.Pipelines;

public enum StepState { Pending, Running, Succeeded, Cached, Reused, Failed, Killed, Skipped }

/// <summary>A change in a step's state, for progress display.</summary>
public sealed record StepEvent(string Step, StepState State, TimeSpan? Duration = null, int Attempt = 1, string? Message = null, string? RunId = null);

/// <summary>How a step of a pipeline run ended.</summary>
public sealed record StepOutcome(string Step, StepState State, TimeSpan Duration, string? RunId, string? Error, int Attempts);

/// <summary>How a pipeline run ended: a state per step, and how many steps ran their code.</summary>
public sealed record PipelineRunResult(string PipelineRunId, bool Succeeded, IReadOnlyList<StepOutcome> Steps, bool Cancelled)
{
    public int Executed => Steps.Count(s => s.State is StepState.Succeeded or StepState.Failed or StepState.Killed);
    public int FromCache => Steps.Count(s => s.State is StepState.Cached or StepState.Reused);
}

public sealed record PipelineRunOptions
{
    /// <summary>How many steps run at once.</summary>
    public int Parallel { get; init; } = Math.Max(1, Environment.ProcessorCount);
    /// <summary>Run every step even when its cache key matches an earlier run.</summary>
    public bool NoCache { get; init; }
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    /// <summary>Resume this pipeline run: steps that finished in it are not run again.</summary>
    public string? ResumeRunId { get; init; }
    public Action<StepEvent>? Progress { get; init; }
}
