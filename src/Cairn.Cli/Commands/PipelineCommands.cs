using System.CommandLine;
using System.Text.Json;
using Cairn.Pipelines;
using Cairn.Pipelines.Kubernetes;
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
        command.Subcommands.Add(Export(stdout));
        command.Subcommands.Add(Finish(stdout));
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
        var versionFile = new Option<string?>("--output-model-version")
        {
            Description = "name=file: write the version of the registered model 'name' that the run produced to the file (for CI scripts); none produced is an error.",
        };
        var cluster = new ClusterOptions();
        var command = new Command("run", "Run a pipeline: each step whose definition, code, parameters and inputs are unchanged is answered from the cache.")
            { file, parameters, parallel, noCache, runIdFile, versionFile };
        cluster.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var definition = PipelineYaml.Load(parse.GetValue(file)!);
            var workspace = Path.GetDirectoryName(Path.GetFullPath(parse.GetValue(file)!))!;
            var options = new PipelineRunOptions
            {
                Parallel = parse.GetValue(parallel), NoCache = parse.GetValue(noCache),
                Parameters = ParseParameters(parse.GetValue(parameters) ?? []),
            };
            var executor = parse.GetValue(cluster.Executor)!;
            cluster.CheckCombination(parse);
            var outputs = new RunOutputFiles(parse.GetValue(runIdFile), ParseModelVersionFile(parse.GetValue(versionFile)));
            if (parse.GetValue(cluster.DryRun))
                return await DryRunAsync(parse, cluster, definition, workspace, options, stdout, ct);
            if (executor == "local")
                return await ExecuteAsync(parse, definition, workspace, options, outputs, stdout, stderr, ct);
            return await ExecuteAsync(parse, definition, workspace, options, outputs, stdout, stderr, ct,
                (engine, progress, token) => cluster.RunAsync(parse, engine, definition, workspace, options, progress, token), executor);
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
            return await ExecuteAsync(parse, definition, workspace, options, new RunOutputFiles(null, null), stdout, stderr, ct);
        });
        return command;
    }

    private static async Task<string> RunIdsOf(CairnClient client, string idOrPrefix, CancellationToken ct) =>
        await Cairn.Tracking.RunIds.ResolveRunIdAsync(client.Tracking, idOrPrefix, ct);

    private static async Task<int> ExecuteAsync(ParseResult parse, PipelineDefinition definition, string workspace, PipelineRunOptions options,
        RunOutputFiles files, TextWriter stdout, TextWriter stderr, CancellationToken ct,
        Func<PipelineEngine, Action<StepEvent>, CancellationToken, Task<PipelineRunResult>>? onCluster = null, string? executor = null)
    {
        using var client = GlobalOptions.OpenClient(parse);
        var engine = PipelineWiring.Engine(client, parse);
        var graph = engine.Check(definition);
        var where = onCluster is null ? $"up to {options.Parallel} at once" : $"each a job on {executor}";
        stdout.WriteLine($"Pipeline {definition.Name}: {graph.Order.Count} steps, {where}{(options.ResumeRunId is null ? "" : $", resuming {options.ResumeRunId}")}.");
        var progress = new PipelineProgress([.. graph.Order.Select(s => s.Name)]);
        PipelineRunResult result;
        try
        {
            result = await progress.ShowAsync(stdout, report => onCluster is null
                ? new PipelineRunner(engine).RunAsync(definition, workspace, options with { Progress = report }, ct)
                : onCluster(engine, report, ct));
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("Cancelled.");
            return 130;
        }
        if (files.RunId is { } runIdFile) await File.WriteAllTextAsync(runIdFile, result.PipelineRunId + "\n", CancellationToken.None);
        var summary = $"{result.Steps.Count} steps: {result.Executed} ran, {result.FromCache} from cache";
        if (result.Executed == 0 && result.Succeeded) summary += " (nothing changed, nothing ran)";
        stdout.WriteLine($"{(result.Succeeded ? "Succeeded" : result.Cancelled ? "Cancelled" : "Failed")}: {summary}. Run {result.PipelineRunId}.");
        if (result.Succeeded && files.ModelVersion is { } wanted)
        {
            var version = await PipelineModelVersions.ProducedByAsync(client, result.PipelineRunId, wanted.Model, CancellationToken.None);
            if (version is null)
            {
                stderr.WriteLine($"error: the pipeline run {result.PipelineRunId} registered no version of the model '{wanted.Model}'; --output-model-version has nothing to write.");
                return 1;
            }
            await File.WriteAllTextAsync(wanted.File, version + "\n", CancellationToken.None);
            stdout.WriteLine($"Model {wanted.Model} version {version} (written to {wanted.File}).");
        }
        if (result.Succeeded) return 0;
        foreach (var failed in result.Steps.Where(s => s.State is StepState.Failed))
            stderr.WriteLine($"error: step '{failed.Step}' failed: {WithoutStepPrefix(failed)} See `cairn pipeline logs {result.PipelineRunId} {failed.Step}`; resume with `cairn pipeline retry {result.PipelineRunId}`.");
        return result.Cancelled ? 130 : 1;
    }

    /// <summary>A step's error often starts by naming the step, which the line already does.</summary>
    private static string? WithoutStepPrefix(StepOutcome failed)
    {
        var prefix = $"step '{failed.Step}': ";
        return failed.Error is { } error && error.StartsWith(prefix, StringComparison.Ordinal) ? error[prefix.Length..] : failed.Error;
    }

    private sealed record RunOutputFiles(string? RunId, (string Model, string File)? ModelVersion);

    private static (string Model, string File)? ParseModelVersionFile(string? value)
    {
        if (value is null) return null;
        var eq = value.IndexOf('=');
        if (eq <= 0 || eq == value.Length - 1) throw CairnException.InvalidParameter($"--output-model-version takes name=file, not '{value}'.");
        return (value[..eq], value[(eq + 1)..]);
    }

    internal static Dictionary<string, string> ParseParameters(IEnumerable<string> values)
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

    /// <summary><c>--dry-run</c>: the run is recorded and its Kubernetes Jobs written to a folder, nothing submitted.</summary>
    private static async Task<int> DryRunAsync(ParseResult parse, ClusterOptions cluster, PipelineDefinition definition, string workspace,
        PipelineRunOptions options, TextWriter stdout, CancellationToken ct)
    {
        if (parse.GetValue(cluster.Executor) != "kubernetes")
            throw CairnException.InvalidParameter("--dry-run writes Kubernetes manifests: use it with --executor kubernetes.");
        var folder = parse.GetValue(cluster.Out) ?? throw CairnException.InvalidParameter("--dry-run needs --out FOLDER, where the manifests are written.");
        using var client = GlobalOptions.OpenClient(parse);
        var engine = PipelineWiring.Engine(client, parse);
        var (runId, files) = await new KubernetesPipelineExport(engine).WriteJobsAsync(definition, workspace, options.Parameters, cluster.Target(parse, engine), folder, ct, options.NoCache);
        stdout.WriteLine($"Wrote {files.Count} Job manifests to {folder} for run {runId} (nothing submitted).");
        stdout.WriteLine($"Apply them with `kubectl apply -f {folder}`; once the Jobs end, `cairn pipeline finish {runId}` closes the run.");
        return 0;
    }

    private static Command Export(TextWriter stdout)
    {
        var file = FileArgument();
        var parameters = new Option<string[]>("--param", "-p") { Description = "A parameter value, name=value (repeatable).", AllowMultipleArgumentsPerToken = false };
        var format = new Option<string>("--format") { Description = "argo: an Argo Workflows Workflow.", DefaultValueFactory = _ => "argo" };
        format.AcceptOnlyFromAmong("argo");
        var output = new Option<string?>("--out", "-o") { Description = "Write the Workflow to this file (default: standard output)." };
        var cluster = new ClusterOptions();
        var command = new Command("export", "Record a pipeline run and write it as an Argo Workflow, with the same DAG; Argo then runs it.") { file, parameters, format, output };
        cluster.AddTargetTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var definition = PipelineYaml.Load(parse.GetValue(file)!);
            var workspace = Path.GetDirectoryName(Path.GetFullPath(parse.GetValue(file)!))!;
            using var client = GlobalOptions.OpenClient(parse);
            var engine = PipelineWiring.Engine(client, parse);
            var (runId, yaml) = await new KubernetesPipelineExport(engine).ArgoAsync(definition, workspace, ParseParameters(parse.GetValue(parameters) ?? []),
                cluster.Target(parse, engine), ct);
            if (parse.GetValue(output) is { } path)
            {
                await File.WriteAllTextAsync(path, yaml, ct);
                stdout.WriteLine($"Wrote the Argo Workflow of run {runId} to {path}; submit it with `argo submit {path}`, then `cairn pipeline finish {runId}`.");
            }
            else stdout.Write(yaml);
            return 0;
        });
        return command;
    }

    /// <summary>Closes a run handed to a cluster from its steps' records: what <c>--executor</c> does itself when it waits.</summary>
    private static Command Finish(TextWriter stdout)
    {
        var runId = new Argument<string>("run") { Description = "The pipeline run." };
        var command = new Command("finish", "Close a pipeline run that a cluster ran (after --dry-run or export): its status follows its steps.") { runId };
        command.SetAction(async (parse, ct) =>
        {
            using var client = GlobalOptions.OpenClient(parse);
            var history = new PipelineHistory(client);
            var run = await history.PipelineRunAsync(await RunIdsOf(client, parse.GetValue(runId)!, ct), ct);
            var definition = await history.DefinitionAsync(run, ct)
                ?? throw CairnException.InvalidState($"The run {run.Info.RunId} has no recorded YAML definition.");
            var result = await new ExternalPipelineRun(PipelineWiring.Engine(client, parse)).FinishAsync(definition, run.Info.RunId, cancelled: false, ct);
            stdout.WriteLine($"{(result.Succeeded ? "Succeeded" : "Failed")}: {result.Steps.Count} steps, " +
                string.Join(", ", result.Steps.GroupBy(s => s.State).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}")) + $". Run {result.PipelineRunId}.");
            return result.Succeeded ? 0 : 1;
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
