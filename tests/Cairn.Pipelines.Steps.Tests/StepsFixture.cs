using System.Globalization;
using System.Text;
using Cairn.Pipelines;
using Cairn.Pipelines.Steps;
using Cairn.Testing;

namespace Cairn.Pipelines.Steps.Tests;

/// <summary>A git workspace (dataset versions need one), a real SQLite store beside it, and the engine with the built-in kinds.</summary>
public sealed class StepsFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public string Workspace { get; }
    public CairnClient Client { get; }
    public PipelineEngine Engine { get; }
    public List<(string Context, string Package, string Name, string Version)> ImageContexts { get; } = [];

    public StepsFixture(bool git = true)
    {
        Workspace = Directory.CreateDirectory(_folder.File("work")).FullName;
        if (git) LibGit2Sharp.Repository.Init(Workspace);
        Client = CairnClient.Open(_folder.File("store"));
        Engine = new PipelineEngine(Client)
        {
            Builtins = BuiltinSteps.All((context, package, name, version) =>
            {
                ImageContexts.Add((context, package, name, version));
                Directory.CreateDirectory(context);
                File.WriteAllText(Path.Combine(context, "Containerfile"), $"# {name} {version}\n");
            }),
        };
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cairn.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Cairn.slnx).");
    }

    /// <summary>29,697 real US flights the repository ships: date,delay,distance,origin,destination.</summary>
    public static string FlightsSample => Path.Combine(RepoRoot(), "examples", "Quickstart", "data", "flights-sample.csv");

    public void WriteFile(string relative, string text)
    {
        var path = Path.Combine(Workspace, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>
    /// A small learnable table: late when the hour is late in the day or the origin is ORD;
    /// month 1 to 3, so filters have something to select.
    /// </summary>
    public void WriteToyTable(string relative = "toy.csv", int rows = 600)
    {
        var random = new Random(7);
        var text = new StringBuilder("hour,month,distance,origin,late\n");
        string[] origins = ["ORD", "SEA", "ATL", "DEN"];
        for (var i = 0; i < rows; i++)
        {
            var hour = random.Next(5, 23);
            var origin = origins[random.Next(origins.Length)];
            var late = hour > 17 || (origin == "ORD" && random.NextDouble() < 0.6);
            text.Append(CultureInfo.InvariantCulture, $"{hour},{i % 3 + 1},{random.Next(100, 2500)},{origin},{(late ? "true" : "false")}\n");
        }
        WriteFile(relative, text.ToString());
    }

    public PipelineDefinition Write(string yaml, string file = "cairn.pipeline.yaml")
    {
        WriteFile(file, yaml);
        return PipelineYaml.Load(Path.Combine(Workspace, file));
    }

    public Task<PipelineRunResult> RunAsync(PipelineDefinition pipeline, IReadOnlyDictionary<string, string>? parameters = null) =>
        new PipelineRunner(Engine).RunAsync(pipeline, Workspace, new PipelineRunOptions { Parallel = 2, Parameters = parameters ?? new Dictionary<string, string>() });

    public async Task<PipelineRunResult> RunYamlAsync(string yaml) => await RunAsync(Write(yaml));

    /// <summary>The error of the step that failed (the run must have failed at it).</summary>
    public static string FailureOf(PipelineRunResult result, string step)
    {
        Assert.False(result.Succeeded, "the run should have failed");
        var outcome = result.Steps.Single(s => s.Step == step);
        Assert.Equal(StepState.Failed, outcome.State);
        return outcome.Error!;
    }

    public static void AssertSucceeded(PipelineRunResult result) =>
        Assert.True(result.Succeeded, string.Join("; ", result.Steps.Where(s => s.Error is not null).Select(s => $"{s.Step}: {s.Error}")));

    public async Task<Cairn.Tracking.Run> StepRunAsync(PipelineRunResult result, string step) =>
        await Client.Tracking.GetRunAsync(result.Steps.Single(s => s.Step == step).RunId!);

    public void Dispose()
    {
        Client.Dispose();
        _folder.Dispose();
    }
}
