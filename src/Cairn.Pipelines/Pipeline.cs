namespace Cairn.Pipelines;

/// <summary>
/// A pipeline written in C#, with the same model as <c>cairn.pipeline.yaml</c>:
/// <code>
/// var pipeline = Pipeline.Create("train_delay")
///     .Parameter("months", ParameterType.Range, "1-3")
///     .Shell("sample", "dotnet run --project tools/Sample -- ${{ params.months }}", s => s.Output("train", "data/train.csv"))
///     .Uses("train", "train", s => s.With("data", "${{ steps.sample.outputs.train }}").Output("model"))
///     .Step("notify", async (context, ct) => context.Log.WriteLine("done"), s => s.Needs("train"))
///     .Build();
/// </code>
/// </summary>
public sealed class Pipeline
{
    private readonly string _name;
    private readonly List<PipelineParameter> _parameters = [];
    private readonly List<StepDefinition> _steps = [];

    private Pipeline(string name) => _name = name;

    public static Pipeline Create(string name) => new(name);

    public Pipeline Parameter(string name, ParameterType type, string? defaultValue = null)
    {
        _parameters.Add(new PipelineParameter(name, type, defaultValue));
        return this;
    }

    /// <summary>An in-process step: code of this program. Its cache key covers the code's assembly version.</summary>
    public Pipeline Step(string name, Func<StepContext, CancellationToken, Task> run, Action<StepBuilder>? configure = null) =>
        Add(new StepDefinition { Name = name, Kind = StepKind.Delegate, Delegate = run }, configure);

    public Pipeline Shell(string name, string command, Action<StepBuilder>? configure = null) =>
        Add(new StepDefinition { Name = name, Kind = StepKind.Shell, Run = command }, configure);

    public Pipeline Container(string name, string image, string? command = null, Action<StepBuilder>? configure = null) =>
        Add(new StepDefinition { Name = name, Kind = StepKind.Container, Image = image, Run = command }, configure);

    /// <summary>A C# step in its own process: a class implementing <see cref="IPipelineStep"/> in an assembly file.</summary>
    public Pipeline CSharp(string name, string assemblyPath, string className, Action<StepBuilder>? configure = null) =>
        Add(new StepDefinition { Name = name, Kind = StepKind.CSharp, Assembly = assemblyPath, Class = className }, configure);

    /// <summary>A built-in kind: validate-data, train, evaluate, test-model, gate, register, alias...</summary>
    public Pipeline Uses(string name, string kind, Action<StepBuilder>? configure = null) =>
        Add(new StepDefinition { Name = name, Kind = StepKind.Builtin, Uses = kind }, configure);

    public PipelineDefinition Build() => new(_name, _parameters.ToList(), _steps.ToList());

    private Pipeline Add(StepDefinition step, Action<StepBuilder>? configure)
    {
        var builder = new StepBuilder(step);
        configure?.Invoke(builder);
        _steps.Add(builder.Step);
        return this;
    }
}

/// <summary>The optional parts of a step, as in YAML: arguments, outputs, order, retries, limits, caching.</summary>
public sealed class StepBuilder(StepDefinition step)
{
    public StepDefinition Step { get; private set; } = step;

    public StepBuilder With(string key, string value) => Set(Step with { With = new Dictionary<string, string>(Step.With) { [key] = value } });
    public StepBuilder Env(string key, string value) => Set(Step with { Env = new Dictionary<string, string>(Step.Env) { [key] = value } });
    /// <summary>A value output (no path), or a file or folder output at <paramref name="path"/>.</summary>
    public StepBuilder Output(string name, string? path = null) => Set(Step with { Outputs = [.. Step.Outputs, new StepOutput(name, path)] });
    public StepBuilder Needs(params string[] steps) => Set(Step with { Needs = [.. Step.Needs, .. steps] });
    public StepBuilder Code(params string[] paths) => Set(Step with { Code = [.. Step.Code, .. paths] });
    public StepBuilder Inputs(params string[] paths) => Set(Step with { Inputs = [.. Step.Inputs, .. paths] });
    public StepBuilder Retries(int retries, TimeSpan? backoff = null) => Set(Step with { Retries = retries, RetryBackoff = backoff ?? Step.RetryBackoff });
    public StepBuilder Timeout(TimeSpan timeout) => Set(Step with { Timeout = timeout });
    public StepBuilder Resources(double? cpus = null, long? memoryBytes = null) => Set(Step with { Resources = new StepResources(cpus, memoryBytes) });
    public StepBuilder NoCache() => Set(Step with { Cache = false });

    private StepBuilder Set(StepDefinition step)
    {
        Step = step;
        return this;
    }
}
