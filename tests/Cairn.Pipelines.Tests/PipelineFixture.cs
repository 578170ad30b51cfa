using Cairn.Pipelines;
using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Pipelines.Tests;

/// <summary>A workspace folder, a real SQLite store beside it, and the engine over them.</summary>
public sealed class PipelineFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public string Workspace { get; }
    public string StoreFolder { get; }
    public CairnClient Client { get; }
    public PipelineEngine Engine { get; }

    public PipelineFixture(IReadOnlyDictionary<string, IPipelineStep>? builtins = null)
    {
        Workspace = Directory.CreateDirectory(_folder.File("work")).FullName;
        StoreFolder = _folder.File("store");
        Client = CairnClient.Open(StoreFolder);
        Engine = new PipelineEngine(Client)
        {
            Builtins = builtins ?? new Dictionary<string, IPipelineStep>(),
            CairnCommand = ["dotnet", typeof(Cairn.Cli.CairnCli).Assembly.Location],
            TrackingUri = StoreFolder,
        };
    }

    public PipelineDefinition Write(string yaml, string file = "cairn.pipeline.yaml")
    {
        var path = Path.Combine(Workspace, file);
        File.WriteAllText(path, yaml);
        return PipelineYaml.Load(path);
    }

    public Task<PipelineRunResult> RunAsync(PipelineDefinition pipeline, PipelineRunOptions? options = null, CancellationToken ct = default) =>
        new PipelineRunner(Engine).RunAsync(pipeline, Workspace, options ?? new PipelineRunOptions { Parallel = 2 }, ct);

    public string Read(string file) => File.ReadAllText(Path.Combine(Workspace, file));

    /// <summary>How many times each step's command ran, from the lines the steps append to executions.log.</summary>
    public Dictionary<string, int> Executions() =>
        File.Exists(Path.Combine(Workspace, "executions.log"))
            ? File.ReadAllLines(Path.Combine(Workspace, "executions.log")).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count())
            : [];

    public async Task<Run> StepRunAsync(string pipelineRunId, string step)
    {
        var view = await new PipelineHistory(Client).ShowAsync(pipelineRunId, CancellationToken.None);
        return view.Steps.Single(s => s.Step == step).Run;
    }

    public void Dispose()
    {
        Client.Dispose();
        _folder.Dispose();
    }
}
