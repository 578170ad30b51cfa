using Cairn.Cli;

namespace Cairn.Quality.Tests;

/// <summary>Paths in the repository, a fixed clock, and the CLI run in process.</summary>
public static class TestFiles
{
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Cairn.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Cairn.slnx).");
    }

    /// <summary>29,697 real US flights the repository ships: date,delay,distance,origin,destination.</summary>
    public static string FlightsSample => Path.Combine(RepoRoot(), "examples", "Quickstart", "data", "flights-sample.csv");

    public static string ExampleExpectations => Path.Combine(RepoRoot(), "examples", "quality", "expectations.yaml");

    public static string ExampleModelTests => Path.Combine(RepoRoot(), "examples", "quality", "model-tests.yaml");

    /// <summary>
    /// The example model tests copied into <paramref name="folder"/> with the latency limit lifted:
    /// its 50 ms p99 measures the machine (a loaded CI host misses it), not the code under test; the
    /// latency check's pass and fail are tested with fixed limits in ModelTestingTests.
    /// </summary>
    public static string ExampleModelTestsWithoutTimeLimit(string folder)
    {
        var text = File.ReadAllText(ExampleModelTests);
        var untimed = text.Replace("max_ms: 50", "max_ms: 600000").Replace("../Quickstart/data/flights-sample.csv", FlightsSample);
        if (untimed == text) throw new InvalidOperationException("examples/quality/model-tests.yaml changed: update ExampleModelTestsWithoutTimeLimit.");
        var path = Path.Combine(folder, "model-tests.yaml");
        File.WriteAllText(path, untimed);
        return path;
    }

    public static async Task<(int Exit, string Out, string Err)> RunCli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await CairnCli.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>A clock that always says the same instant.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
