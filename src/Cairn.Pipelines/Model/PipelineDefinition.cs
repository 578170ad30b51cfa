namespace Cairn.Pipelines;

/// <summary>Where a definition came from, for errors that point at the line to fix.</summary>
public sealed record SourceLocation(string File, int Line)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>The type of a pipeline parameter; values given with <c>-p name=value</c> are checked against it.</summary>
public enum ParameterType { String, Int, Float, Bool, Range }

public sealed record PipelineParameter(string Name, ParameterType Type, string? Default, SourceLocation? Location = null);

/// <summary>What a step leaves behind: a value it writes to <c>$CAIRN_OUTPUTS</c>, or a file or folder at a declared path.</summary>
public sealed record StepOutput(string Name, string? Path)
{
    public bool IsPath => Path is not null;
}

/// <summary>How a step runs; built-in kinds are named by <see cref="StepDefinition.Uses"/>.</summary>
public enum StepKind { Shell, Container, CSharp, Builtin, Delegate }

/// <summary>
/// One step of a pipeline. Text fields may hold expressions (<c>${{ params.x }}</c>,
/// <c>${{ steps.train.outputs.model }}</c>); the DAG follows from the step references in them, and
/// from <see cref="Needs"/> for order without data.
/// </summary>
public sealed record StepDefinition
{
    public required string Name { get; init; }
    public required StepKind Kind { get; init; }
    /// <summary>Shell: the command line. Container: the command run in the image (optional).</summary>
    public string? Run { get; init; }
    /// <summary>Container: the image.</summary>
    public string? Image { get; init; }
    /// <summary>Built-in: the step's kind, such as <c>validate-data</c> or <c>train</c>.</summary>
    public string? Uses { get; init; }
    /// <summary>C#: the assembly file and the class implementing <see cref="IPipelineStep"/>.</summary>
    public string? Assembly { get; init; }
    public string? Class { get; init; }
    /// <summary>Arguments of built-in and C# steps, and environment of the others (as <c>env</c>).</summary>
    public IReadOnlyDictionary<string, string> With { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<StepOutput> Outputs { get; init; } = [];
    /// <summary>Files read that no other step produces: their content is part of the cache key.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];
    /// <summary>The code the step runs (files or folders): their git tree hash is part of the cache key.</summary>
    public IReadOnlyList<string> Code { get; init; } = [];
    public IReadOnlyList<string> Needs { get; init; } = [];
    public int Retries { get; init; }
    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan? Timeout { get; init; }
    public StepResources Resources { get; init; } = StepResources.None;
    public bool Cache { get; init; } = true;
    /// <summary>C# pipelines: the code of an in-process step, and a version the user bumps when it changes.</summary>
    public Func<StepContext, CancellationToken, Task>? Delegate { get; init; }
    public SourceLocation? Location { get; init; }

    /// <summary>Every text that may hold expressions, with a name for errors.</summary>
    public IEnumerable<(string Field, string Text)> Texts()
    {
        if (Run is not null) yield return ("run", Run);
        if (Image is not null) yield return ("image", Image);
        foreach (var (k, v) in With) yield return ($"with.{k}", v);
        foreach (var (k, v) in Env) yield return ($"env.{k}", v);
        foreach (var o in Outputs) if (o.Path is not null) yield return ($"outputs.{o.Name}", o.Path);
    }
}

/// <summary>A pipeline: typed parameters and steps. Built from YAML (<see cref="PipelineYaml"/>) or in C# (<see cref="Pipeline"/>).</summary>
public sealed record PipelineDefinition(string Name, IReadOnlyList<PipelineParameter> Parameters, IReadOnlyList<StepDefinition> Steps)
{
    /// <summary>The YAML text it was read from (recorded with each run so <c>retry</c> runs the same definition).</summary>
    public string? SourceText { get; init; }
    public string? SourceFile { get; init; }

    public StepDefinition Step(string name) =>
        Steps.FirstOrDefault(s => s.Name == name) ?? throw CairnException.NotFound($"The pipeline {Name} has no step '{name}'.");
}
