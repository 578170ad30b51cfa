namespace Cairn.Pipelines;

/// <summary>
/// What a step sees while it runs: its arguments (expressions already resolved), the workspace,
/// a log, and where to put its outputs. Given to built-in steps, C# steps (in their own process)
/// and in-process delegate steps of C# pipelines.
/// </summary>
public sealed class StepContext
{
    private readonly Dictionary<string, string> _outputs = new(StringComparer.Ordinal);

    public required string PipelineName { get; init; }
    public required string PipelineRunId { get; init; }
    public required string StepName { get; init; }
    /// <summary>The step's own run, where it may log params, metrics and artifacts.</summary>
    public required string StepRunId { get; init; }
    /// <summary>The folder steps run in (the pipeline file's folder); relative paths are relative to it.</summary>
    public required string Workspace { get; init; }
    public required IReadOnlyDictionary<string, string> With { get; init; }
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
    public required TextWriter Log { get; init; }
    /// <summary>The store the pipeline is tracked in; null where a step runs without one (C# steps read CAIRN_TRACKING_URI).</summary>
    public CairnClient? Client { get; init; }

    public IReadOnlyDictionary<string, string> Outputs => _outputs;

    public void SetOutput(string name, string value) => _outputs[name] = value;

    /// <summary>An argument the step requires; its absence is an error naming the step.</summary>
    public string Require(string name) =>
        With.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v
            : throw new StepFailedException($"step '{StepName}' needs 'with.{name}'.");

    public string? Optional(string name) => With.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v : null;

    /// <summary>A path argument, resolved against the workspace and kept inside it.</summary>
    public string WorkspacePath(string relative) => WorkspacePaths.Resolve(Workspace, relative, $"step '{StepName}'");
}

/// <summary>A step's code: C# steps implement it in the user's assembly; built-in kinds implement it in Cairn.</summary>
public interface IPipelineStep
{
    Task RunAsync(StepContext context, CancellationToken ct);
}

/// <summary>A step that did not succeed for a reason worth one line (a failed gate, a missing argument): no stack trace.</summary>
public sealed class StepFailedException(string message) : Exception(message);
