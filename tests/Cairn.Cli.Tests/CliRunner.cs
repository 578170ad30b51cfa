using Cairn.Testing;

namespace Cairn.Cli.Tests;

/// <summary>Runs cairn in process on an embedded store in a temp folder, output captured.</summary>
public abstract class CliRunner : IDisposable
{
    protected TempFolder Folder { get; } = new();

    protected string Store => Folder.File("store");

    public virtual void Dispose()
    {
        Folder.Dispose();
        GC.SuppressFinalize(this);
    }

    protected async Task<(int Exit, string Out, string Err)> Cairn(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(["--tracking-uri", Store, .. args], stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Two finished runs in experiment "delay", each with a small artifact; returns their ids.</summary>
    protected string[] SeedRuns(int count = 2)
    {
        using var cairn = CairnClient.Open(Store);
        return Enumerable.Range(0, count).Select(i =>
        {
            using var run = cairn.StartRun("delay", runName: $"run-{i}");
            run.LogMetric("auc", 0.8 + i / 100.0);
            run.LogText("feature,gain\n", "model/importance.csv");
            return run.RunId;
        }).ToArray();
    }
}
