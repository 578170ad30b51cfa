using System.CommandLine;
using System.Text.Json;
using Cairn.Pipelines;
using Spectre.Console;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn pipeline run|retry|list|show|logs|graph</c>: parse, call Cairn.Pipelines, print.</summary>
internal static class PipelineCommands
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("pipeline", "Run pipelines (cached DAGs of steps) and look at their runs.");
        command.Subcommands.Add(Run(stdout, stderr));
        command.Subcommands.Add(Retry(stdout, stderr));
        command.Subcommands.Add(List(stdout));
        command.Subcommands.Add(Show(stdout));
        command.Subcommands.Add(Logs(stdout));
        command.Subcommands.Add(Graph(stdout));
        command.Subcommands.Add(Step(stdout, stderr));
        command.Subcommands.Add(CSharpStep(stderr));
        foreach (var scheduling in PipelineScheduleCommands.Create(stdout)) command.Subcommands.Add(scheduling);
        return command;
    }

    private static Argument<string> FileArgument() => new("file")
    {
        Description = "The pipeline file.",
        DefaultValueFactory = _ => "cairn.pipeline.yaml",
    };

    private static Command Run(TextWriter stdout, TextWriter stderr)
    {
        var file = FileArgument();
        var parameters = new Option<string[]>("--param", "-p") { Description = "A parameter value, name=value (repeatable).", AllowMultipleArgumentsPerToken = false };
        var parallel = new Option<int>("--parallel") { Description = "How many steps run at once.", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var noCache = new Option<bool>("--no-cache") { Description = "Run every step, even those whose inputs, code and parameters are unchanged." };
        var runIdFile = new Option<string?>("--output-run-id") { Description = "Write the pipeline run's id to this file (for CI scripts)." };
        var command = new Command("run", "Run a pipeline: each step whose definition, code, parameters and inputs are unchanged is answered from the cache.")
            { file, parameters, parallel, noCache, runIdFile };
        command.SetAction(async (parse, ct) =>
        {
            var definition = PipelineYaml.Load(parse.GetValue(file)!);
            var workspace = Path.GetDirectoryName(Path.GetFullPath(parse.GetValue(file)!))!;
            var options = new PipelineRunOptions
            {
                Parallel = parse.GetValue(parallel), NoCache = parse.GetValue(noCache),
                Parameters = ParseParameters(parse.GetValue(parameters) ?? []),
            };
            return await ExecuteAsync(parse, definition, workspace, options, parse.GetValue(runIdFile), stdout, stderr, ct);
        });
        return command;
    }

    private static Command Retry(TextWriter stdout, TextWriter stderr)
    {
        var runId = new Argument<string>("run") { Description = "The failed pipeline run." };
        var parallel = new Option<int>("--parallel") { Description = "How many steps run at once.", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var command = new Command("retry", "Resume a failed or interrupted pipeline run: steps that finished are not run again.") { runId, parallel };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var history = new PipelineHistory(client);
            var run = await history.PipelineRunAsync(await RunIdsOf(client, parse.GetValue(runId)!, ct), ct);
            var definition = await history.DefinitionAsync(run, ct)
                ?? throw CairnException.InvalidState($"The run {run.Info.RunId} is of a pipeline written in C#: retry it from its program (PipelineRunOptions.ResumeRunId).");
            var workspace = PipelineTags.Tag(run, PipelineTags.Workspace) ?? Environment.CurrentDirectory;
            if (!Directory.Exists(workspace)) throw CairnException.InvalidState($"The pipeline ran in {workspace}, which does not exist here.");
            var options = new PipelineRunOptions
            {
                Parallel = parse.GetValue(parallel), ResumeRunId = run.Info.RunId,
                Parameters = run.Data.Params.ToDictionary(p => p.Key, p => p.Value),
            };
            return await ExecuteAsync(parse, definition, workspace, options, null, stdout, stderr, ct);
        });
        return command;
    }

    private static async Task<string> RunIdsOf(CairnClient client, string idOrPrefix, CancellationToken ct) =>
        await Cairn.Tracking.RunIds.ResolveRunIdAsync(client.Tracking, idOrPrefix, ct);

    private static async Task<int> ExecuteAsync(ParseResult parse, PipelineDefinition definition, string workspace, PipelineRunOptions options,
        string? runIdFile, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        using var client = GlobalOptions.OpenClient(parse);
        var engine = PipelineWiring.Engine(client, parse);
        var graph = engine.Check(definition);
        var width = graph.Order.Max(s => s.Name.Length);
        var gate = new object();
        options = options with
        {
            Progress = e =>
            {
                lock (gate) stdout.WriteLine(ProgressLine(e, width));
            },
        };
        stdout.WriteLine($"Pipeline {definition.Name}: {graph.Order.Count} steps, up to {options.Parallel} at once{(options.ResumeRunId is null ? "" : $", resuming {options.ResumeRunId}")}.");
        PipelineRunResult result;
        try
        {
            result = await new PipelineRunner(engine).RunAsync(definition, workspace, options, ct);
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("Cancelled.");
            return 130;
        }
        if (runIdFile is not null) await File.WriteAllTextAsync(runIdFile, result.PipelineRunId + "\n", CancellationToken.None);
        var summary = $"{result.Steps.Count} steps: {result.Executed} ran, {result.FromCache} from cache";
        if (result.Executed == 0 && result.Succeeded) summary += " (nothing changed, nothing ran)";
        stdout.WriteLine($"{(result.Succeeded ? "Succeeded" : result.Cancelled ? "Cancelled" : "Failed")}: {summary}. Run {result.PipelineRunId}.");
        if (result.Succeeded) return 0;
        foreach (var failed in result.Steps.Where(s => s.State is StepState.Failed))
            stderr.WriteLine($"error: step '{failed.Step}' failed: {failed.Error} See `cairn pipeline logs {result.PipelineRunId} {failed.Step}`; resume with `cairn pipeline retry {result.PipelineRunId}`.");
        return result.Cancelled ? 130 : 1;
    }

    private static string ProgressLine(StepEvent e, int width)
    {
        var state = e.State.ToString().ToLowerInvariant();
        var duration = e.Duration is { } d ? $"{d.TotalSeconds,7:0.00}s" : "";
        var attempt = e.Attempt > 1 ? $" (attempt {e.Attempt})" : "";
        var message = e.Message is null || e.State == StepState.Skipped ? "" : "  " + e.Message;
        return $"  {e.Step.PadRight(width)}  {state,-9}{duration}{attempt}{message}";
    }

    private static Dictionary<string, string> ParseParameters(IEnumerable<string> values)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            var eq = v.IndexOf('=');
            if (eq <= 0) throw CairnException.InvalidParameter($"-p takes name=value, not '{v}'.");
            result[v[..eq]] = v[(eq + 1)..];
        }
        return result;
    }

    private static Command List(TextWriter stdout)
    {
        var pipeline = new Option<string?>("--pipeline") { Description = "Only the runs of this pipeline." };
        var max = new Option<int>("--max") { Description = "At most this many runs, newest first.", DefaultValueFactory = _ => 50 };
        var output = GlobalOptions.Output();
        var command = new Command("list", "List pipeline runs, newest first.") { pipeline, max, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var runs = await new PipelineHistory(client).ListAsync(parse.GetValue(pipeline), parse.GetValue(max), ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new { runs = runs.Select(r => new { run_id = r.Info.RunId, pipeline = PipelineTags.Tag(r, PipelineTags.Pipeline), status = r.Info.Status.ToString().ToUpperInvariant(), start_time = r.Info.StartTime, end_time = r.Info.EndTime }) });
                return 0;
            }
            if (runs.Count == 0)
            {
                stdout.WriteLine("No pipeline runs yet: start one with `cairn pipeline run cairn.pipeline.yaml`.");
                return 0;
            }
            var table = new Table().AddColumns("Run", "Pipeline", "Status", "Started", "Duration");
            foreach (var r in runs)
                table.AddRow(r.Info.RunId, Output.Escape(PipelineTags.Tag(r, PipelineTags.Pipeline)), r.Info.Status.ToString(), Output.Time(r.Info.StartTime),
                    r.Info.EndTime is { } end ? $"{(end - r.Info.StartTime) / 1000.0:0.0}s" : "");
            Output.Console(stdout).Write(table);
            return 0;
        });
        return command;
    }

    private static Command Show(TextWriter stdout)
    {
        var runId = new Argument<string>("run") { Description = "The pipeline run." };
        var output = GlobalOptions.Output();
        var command = new Command("show", "Show a pipeline run: each step's state, duration, cache hit and run.") { runId, output };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var view = await new PipelineHistory(client).ShowAsync(await RunIdsOf(client, parse.GetValue(runId)!, ct), ct);
            if (parse.GetValue(output) == OutputFormat.Json)
            {
                Output.Json(stdout, new
                {
                    run_id = view.Run.Info.RunId, pipeline = view.Pipeline, status = view.Run.Info.Status.ToString().ToUpperInvariant(),
                    parameters = view.Run.Data.Params.ToDictionary(p => p.Key, p => p.Value),
                    steps = view.Steps.Select(s => new
                    {
                        step = s.Step, run_id = s.Run.Info.RunId, status = s.Run.Info.Status.ToString().ToUpperInvariant(), cached = s.Cached,
                        cached_from = PipelineTags.Tag(s.Run, PipelineTags.CachedFrom), duration_ms = s.Duration?.TotalMilliseconds, error = s.Error,
                        outputs = PipelineRecorder.Record(s.Run).Outputs,
                    }),
                });
                return 0;
            }
            stdout.WriteLine($"Pipeline {view.Pipeline}, run {view.Run.Info.RunId}: {view.Run.Info.Status}, started {Output.Time(view.Run.Info.StartTime)}.");
            if (view.Run.Data.Params.Count > 0) stdout.WriteLine("Parameters: " + string.Join(", ", view.Run.Data.Params.Select(p => $"{p.Key}={p.Value}")));
            var table = new Table().AddColumns("Step", "Status", "Cached", "Duration", "Attempts", "Run", "Error");
            foreach (var s in view.Steps)
                table.AddRow(Output.Escape(s.Step), s.Run.Info.Status.ToString(), s.Cached ? "yes" : "no", s.Duration is { } d ? $"{d.TotalSeconds:0.00}s" : "",
                    s.Attempts ?? "", s.Run.Info.RunId, Output.Escape(s.Error));
            Output.Console(stdout).Write(table);
            return 0;
        });
        return command;
    }

    private static Command Logs(TextWriter stdout)
    {
        var runId = new Argument<string>("run") { Description = "The pipeline run." };
        var step = new Argument<string?>("step") { Description = "Only this step's log.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("logs", "Print the logs of a pipeline run's steps.") { runId, step };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var history = new PipelineHistory(client);
            var view = await history.ShowAsync(await RunIdsOf(client, parse.GetValue(runId)!, ct), ct);
            var only = parse.GetValue(step);
            var steps = view.Steps.Where(s => only is null || s.Step == only).ToList();
            if (only is not null && steps.Count == 0)
                throw CairnException.NotFound($"The pipeline run {view.Run.Info.RunId} has no step '{only}'; its steps are {string.Join(", ", view.Steps.Select(s => s.Step))}.");
            foreach (var s in steps)
            {
                var log = await history.LogAsync(s.Run, ct);
                if (only is null) stdout.WriteLine($"== {s.Step} ({s.Run.Info.Status}{(s.Cached ? ", cached" : "")})");
                if (log is not null) stdout.Write(log);
                else if (only is not null) stdout.WriteLine(s.Cached ? $"(cached from run {PipelineTags.Tag(s.Run, PipelineTags.CachedFrom)}: see its log)" : "(no output)");
            }
            return 0;
        });
        return command;
    }

    private static Command Graph(TextWriter stdout)
    {
        var file = FileArgument();
        var format = new Option<string>("--format") { Description = "text or dot (Graphviz).", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "dot");
        var command = new Command("graph", "Print a pipeline's DAG, as text or as Graphviz DOT.") { file, format };
        command.SetAction(parse =>
        {
            var graph = PipelineWiring.Check(PipelineYaml.Load(parse.GetValue(file)!));
            stdout.Write(parse.GetValue(format) == "dot" ? PipelineGraphText.Dot(graph) : PipelineGraphText.Text(graph));
            return 0;
        });
        return command;
    }

    /// <summary>One step of a recorded pipeline run, in the current folder: what Slurm jobs and Kubernetes pods run.</summary>
    private static Command Step(TextWriter stdout, TextWriter stderr)
    {
        var runId = new Argument<string>("run") { Description = "The pipeline run." };
        var step = new Argument<string>("step") { Description = "The step to run." };
        var noCache = new Option<bool>("--no-cache") { Description = "Run the step even when its cache key matches an earlier run." };
        var command = new Command("step", "Run one step of a pipeline run in this folder (what cluster executors start); the steps it needs must have finished.") { runId, step, noCache };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var history = new PipelineHistory(client);
            var run = await history.PipelineRunAsync(parse.GetValue(runId)!, ct);
            var definition = await history.DefinitionAsync(run, ct)
                ?? throw CairnException.InvalidState($"The run {run.Info.RunId} has no recorded YAML definition.");
            var engine = PipelineWiring.Engine(client, parse);
            var outcome = await new PipelineRunner(engine).RunOneStepAsync(definition, Environment.CurrentDirectory, run.Info.RunId, parse.GetValue(step)!, parse.GetValue(noCache), ct);
            stdout.WriteLine($"step '{outcome.Step}': {outcome.State.ToString().ToLowerInvariant()} (run {outcome.RunId})");
            if (outcome.State is StepState.Succeeded or StepState.Cached or StepState.Reused) return 0;
            stderr.WriteLine($"error: step '{outcome.Step}' failed: {outcome.Error}");
            return 1;
        });
        return command;
    }

    /// <summary>Hosts a C# step in this process (started by the engine): loads the user's assembly and runs the class.</summary>
    private static Command CSharpStep(TextWriter stderr)
    {
        var request = new Argument<string>("request") { Description = "The step's request file, written by the engine." };
        var command = new Command("csharp-step", "Run a C# step (used by the pipeline engine).") { request };
        command.Hidden = true;
        command.SetAction(async (parse, ct) =>
        {
            var text = await File.ReadAllTextAsync(parse.GetValue(request)!, ct);
            var step = JsonSerializer.Deserialize<CSharpStepRequest>(text) ?? throw CairnException.InvalidParameter("The step request is empty.");
            return await CSharpStepHost.RunAsync(step, Environment.GetEnvironmentVariable("CAIRN_OUTPUTS"), stderr, ct);
        });
        return command;
    }
}
