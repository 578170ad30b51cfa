using System.Diagnostics;
using System.Text;
using Cairn.Pipelines;
using Cairn.Tracking;

namespace Cairn.Bench;

/// <summary>
/// Pipeline orchestration on an embedded SQLite store: 1,000 no-op C# steps in a wide DAG
/// (one source, 998 steps beside each other, one sink), scheduled, run and recorded as runs; the
/// same DAG of 1,000 shell steps running `true`, beside `make -j2` running the same commands from a
/// generated Makefile of the same DAG, in the same run.
/// </summary>
public static class PipelineBenchmark
{
    private const int Steps = 1_000;

    public static async Task RunAsync(Report report)
    {
        var folder = Directory.CreateTempSubdirectory("cairn-bench-pipelines-");
        try
        {
            await NoOpSteps(report, folder.FullName);
            await ShellSteps(report, folder.FullName);
            CachedReferencePipeline(report, folder.FullName);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task NoOpSteps(Report report, string scratch)
    {
        var times = new List<double>();
        var creates = new List<double>();
        // Round 0 warms the JIT and is dropped; each round a fresh store, so nothing comes from the cache.
        for (var round = 0; round < 4; round++)
        {
            var store = Path.Combine(scratch, $"noop-{round}");
            using var client = CairnClient.Open(store);
            var pipeline = WideDag(Pipeline.Create("noop"), (p, name, needs) => p.Step(name, (_, _) => Task.CompletedTask, s => s.Needs(needs)));
            var clock = Stopwatch.StartNew();
            var result = await new PipelineRunner(new PipelineEngine(client)).RunAsync(pipeline, scratch, new PipelineRunOptions { Parallel = 2, NoCache = true });
            var elapsed = clock.Elapsed.TotalSeconds;
            Require(result);
            // The floor: the same number of runs created and finished by the SDK, one after another.
            using var floorClient = CairnClient.Open(Path.Combine(scratch, $"floor-{round}"));
            var experiment = await floorClient.Tracking.GetOrCreateExperimentAsync("floor");
            clock.Restart();
            for (var i = 0; i < Steps; i++)
            {
                var run = await floorClient.Tracking.CreateRunAsync(new NewRun(experiment, RunName: $"s{i}"));
                await floorClient.Tracking.UpdateRunAsync(new RunUpdate(run.Info.RunId, RunStatus.Finished, 1));
            }
            var floor = clock.Elapsed.TotalSeconds;
            if (round == 0) continue;
            times.Add(elapsed);
            creates.Add(floor);
        }
        var (cairn, baseline) = (Report.Median(times), Report.Median(creates));
        report.Add($"{Steps:N0} no-op C# steps, wide DAG, scheduled, run and recorded (embedded SQLite)", $"{cairn:F2} s ({cairn / Steps * 1000:F2} ms/step)",
            $"{Steps:N0} runs created and finished by the SDK: {baseline:F2} s", $"{cairn / baseline:F1}x", "< 3 s", cairn < 3);
    }

    private static async Task ShellSteps(Report report, string scratch)
    {
        var work = Directory.CreateDirectory(Path.Combine(scratch, "shell")).FullName;
        var makefile = Path.Combine(work, "Makefile");
        File.WriteAllText(makefile, Makefile());
        var (cairnTimes, makeTimes) = (new List<double>(), new List<double>());
        for (var round = 0; round < 4; round++)
        {
            var clock = Stopwatch.StartNew();
            Run("make", work, "-s", "-j2", "-f", makefile, "all");
            var make = clock.Elapsed.TotalSeconds;

            using var client = CairnClient.Open(Path.Combine(scratch, $"shell-store-{round}"));
            var pipeline = WideDag(Pipeline.Create("shell"), (p, name, needs) => p.Shell(name, "true", s => s.Needs(needs)));
            clock.Restart();
            var result = await new PipelineRunner(new PipelineEngine(client)).RunAsync(pipeline, work, new PipelineRunOptions { Parallel = 2, NoCache = true });
            var cairn = clock.Elapsed.TotalSeconds;
            Require(result);
            if (round == 0) continue;
            makeTimes.Add(make);
            cairnTimes.Add(cairn);
        }
        var (c, m) = (Report.Median(cairnTimes), Report.Median(makeTimes));
        report.Add($"{Steps:N0} shell steps (`true`), same DAG, --parallel 2, recorded", $"{c:F2} s", $"make -j2, generated Makefile: {m:F2} s",
            $"{c / m:F2}x make", "<= 1.5x make", c / m <= 1.5);
    }

    /// <summary>
    /// examples/pipelines/flights-delay on the shipped sample, run once, then timed fully cached as
    /// `cairn pipeline run` processes (start-up included), beside the start-up of `cairn --version`.
    /// </summary>
    private static void CachedReferencePipeline(Report report, string scratch)
    {
        var repo = RepoRoot();
        var work = Directory.CreateDirectory(Path.Combine(scratch, "reference")).FullName;
        foreach (var file in new[] { "cairn.pipeline.yaml", "expectations.yaml", "model-tests.yaml" })
            File.Copy(Path.Combine(repo, "examples", "pipelines", "flights-delay", file), Path.Combine(work, file));
        Run("git", work, "init", "-q", "."); // version-data keeps dataset versions beside a git history
        var sample = Path.Combine(repo, "examples", "Quickstart", "data", "flights-sample.csv");
        var dll = Path.Combine(AppContext.BaseDirectory, "cairn.dll");
        string[] run = [dll, "--tracking-uri", Path.Combine(work, ".cairn"), "pipeline", "run", "cairn.pipeline.yaml", "-p", $"data={sample}"];
        Run("dotnet", work, run);
        var (cached, startup) = (new List<double>(), new List<double>());
        for (var round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            Run("dotnet", work, dll, "--version");
            startup.Add(clock.Elapsed.TotalSeconds);
            clock.Restart();
            Run("dotnet", work, run);
            cached.Add(clock.Elapsed.TotalSeconds);
        }
        var (c, b) = (Report.Median(cached), Report.Median(startup));
        report.Add("reference pipeline (9 steps, flights sample), fully cached, `cairn pipeline run` process", $"{c:F2} s",
            $"`cairn --version` process: {b:F2} s", $"{c / b:F1}x start-up", "< 1 s", c < 1);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Cairn.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Run the benchmarks from the repository (Cairn.slnx not found above the program).");
    }

    private static void Require(PipelineRunResult result)
    {
        if (result.Succeeded && result.Executed == Steps) return;
        var failed = result.Steps.FirstOrDefault(s => s.State != StepState.Succeeded);
        throw new InvalidOperationException($"{result.Executed} of {Steps} steps ran; {failed?.Step}: {failed?.State} {failed?.Error}");
    }

    /// <summary>One source, <see cref="Steps"/> - 2 steps that need it, one sink that needs them all.</summary>
    private static PipelineDefinition WideDag(Pipeline pipeline, Func<Pipeline, string, string[], Pipeline> add)
    {
        pipeline = add(pipeline, "source", []);
        var middle = Enumerable.Range(1, Steps - 2).Select(i => $"s{i:D4}").ToArray();
        foreach (var name in middle) pipeline = add(pipeline, name, ["source"]);
        return add(pipeline, "sink", middle).Build();
    }

    private static string Makefile()
    {
        var text = new StringBuilder(".PHONY: all source sink");
        var middle = Enumerable.Range(1, Steps - 2).Select(i => $"s{i:D4}").ToList();
        text.Append(' ').AppendJoin(' ', middle).Append("\n\nall: sink\n\nsource:\n\ttrue\n\n");
        foreach (var name in middle) text.Append(name).Append(": source\n\ttrue\n\n");
        text.Append("sink: ").AppendJoin(' ', middle).Append("\n\ttrue\n");
        return text.ToString();
    }

    private static void Run(string file, string directory, params string[] args)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} exited with {process.ExitCode}");
    }
}
