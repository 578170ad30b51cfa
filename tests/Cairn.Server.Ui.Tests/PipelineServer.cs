using Cairn.Pipelines;
using Cairn.Testing;
using Cairn.Tracking;

namespace Cairn.Server.Ui.Tests;

/// <summary>
/// A real server whose store holds what <c>cairn pipeline run</c> records: a pipeline of shell
/// steps run twice by <see cref="PipelineRunner"/> in a workspace folder. The first run fails at
/// <c>train</c> (so <c>report</c> is skipped); the second, with <c>mode=pass</c>, takes the three
/// steps before it from the cache and runs the last two.
/// </summary>
public sealed class PipelineServer : IAsyncLifetime
{
    public const string Pipeline = "ui-demo";

    // prepare -> features -> train -> report, and lint -> train.
    public const string Yaml = """
        name: ui-demo
        params:
          mode: {default: fail}
        steps:
          prepare:
            run: echo preparing && seq 1 5 > raw.txt
            outputs: {raw: raw.txt}
          features:
            run: echo features && wc -l < ${{ steps.prepare.outputs.raw }} > feats.txt
            outputs: {features: feats.txt}
          lint:
            run: echo linting
          train:
            run: echo "training in mode ${{ params.mode }}" && test "${{ params.mode }}" != fail
            needs: [features, lint]
          report:
            run: echo report
            needs: [train]
        """;

    private readonly TempFolder _workspace = new();

    public RunningServer Server { get; private set; } = null!;
    public PipelineRunResult Failed { get; private set; } = null!;
    public PipelineRunResult Cached { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RunningServer.StartAsync();
        using var client = new CairnClient(Server.Store, Server.Artifacts, Server.Registry, Server.Stores.Datasets, new EmbeddedLocation(Server.Folder, Server.Folder));
        var path = _workspace.File("cairn.pipeline.yaml");
        await File.WriteAllTextAsync(path, Yaml);
        var pipeline = PipelineYaml.Load(path);
        var runner = new PipelineRunner(new PipelineEngine(client));
        Failed = await runner.RunAsync(pipeline, _workspace.Path, new PipelineRunOptions { Parallel = 1 });
        Cached = await runner.RunAsync(pipeline, _workspace.Path,
            new PipelineRunOptions { Parallel = 1, Parameters = new Dictionary<string, string> { ["mode"] = "pass" } });
        if (Failed.Succeeded || !Cached.Succeeded || Cached.FromCache != 3)
            throw new InvalidOperationException("the pipeline runs did not end as this fixture expects");
    }

    public string StepRunId(PipelineRunResult result, string step) => result.Steps.Single(s => s.Step == step).RunId!;

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _workspace.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class PipelineServerCollection : ICollectionFixture<PipelineServer>
{
    public const string Name = "pipeline server";
}
