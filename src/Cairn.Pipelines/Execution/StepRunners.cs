using System.Diagnostics;
using System.Text.Json;

namespace Cairn.Pipelines;

/// <summary>A step with every expression replaced by its value: what actually runs, and what the cache key covers.</summary>
public sealed record ResolvedStep(
    StepDefinition Definition,
    string? Run,
    string? Image,
    IReadOnlyDictionary<string, string> With,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyDictionary<string, string> OutputPaths)
{
    public string Name => Definition.Name;
}

/// <summary>Runs one attempt of a step of some kind. Failure is an exception: <see cref="StepFailedException"/> for the expected kinds.</summary>
public interface IStepRunner
{
    Task RunAsync(ResolvedStep step, StepContext context, string outputsFile, CancellationToken ct);
}

/// <summary>The variables every step process gets, so scripts can find the run and write outputs.</summary>
internal static class StepEnvironment
{
    public static void Apply(ProcessStartInfo start, ResolvedStep step, StepContext context, string outputsFile, string? trackingUri)
    {
        foreach (var (k, v) in step.Env) start.Environment[k] = v;
        start.Environment["CAIRN_OUTPUTS"] = outputsFile;
        start.Environment["CAIRN_PIPELINE"] = context.PipelineName;
        start.Environment["CAIRN_PIPELINE_RUN_ID"] = context.PipelineRunId;
        start.Environment["CAIRN_STEP"] = context.StepName;
        start.Environment["CAIRN_STEP_RUN_ID"] = context.StepRunId;
        if (trackingUri is not null) start.Environment["CAIRN_TRACKING_URI"] = trackingUri;
    }

    public static void ThrowOnExitCode(int code, string what)
    {
        if (code != 0) throw new StepFailedException($"{what} exited with code {code}" + (code is 137 or -9 ? " (killed)" : "") + ".");
    }
}

/// <summary><c>run:</c> a shell command line, run by /bin/sh in the workspace.</summary>
public sealed class ShellStepRunner(string? trackingUri) : IStepRunner
{
    /// <summary>
    /// The shell sends its own output to a file (and reads nothing): a process with no pipes to read
    /// starts and ends much faster, which is most of a short step's cost. The file is copied into the
    /// step's log once the command has ended.
    /// </summary>
    private const string Prelude = "exec >>\"$CAIRN_STEP_OUTPUT\" 2>&1 </dev/null\n";

    public async Task RunAsync(ResolvedStep step, StepContext context, string outputsFile, CancellationToken ct)
    {
        var output = outputsFile + ".log";
        File.Delete(output);
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = context.Workspace };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Prelude + step.Run!);
        StepEnvironment.Apply(start, step, context, outputsFile, trackingUri);
        start.Environment["CAIRN_STEP_OUTPUT"] = output;
        try
        {
            var code = await ChildProcesses.RunAsync(start, log: null, step.Definition.Timeout, ct).ConfigureAwait(false);
            StepEnvironment.ThrowOnExitCode(code, "the command");
        }
        finally
        {
            await CopyIntoLogAsync(output, context.Log).ConfigureAwait(false);
        }
    }

    private static async Task CopyIntoLogAsync(string output, TextWriter log)
    {
        var file = new FileInfo(output);
        if (!file.Exists) return;
        if (file.Length > 0)
        {
            using var reader = new StreamReader(output);
            while (await reader.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line) log.WriteLine(line);
        }
        file.Delete();
    }
}

/// <summary>
/// <c>image:</c> a container run with podman, the workspace mounted at <c>/workspace</c>, no network
/// unless <c>with.network: host</c>, CPU and memory limits from the step's resources.
/// </summary>
public sealed class ContainerStepRunner(string? trackingUri, string podman = "podman") : IStepRunner
{
    public const string ContainerWorkspace = "/workspace";

    public async Task RunAsync(ResolvedStep step, StepContext context, string outputsFile, CancellationToken ct)
    {
        var name = $"cairn-step-{Guid.NewGuid():N}";
        var start = new ProcessStartInfo(podman);
        var args = start.ArgumentList;
        foreach (var a in new[] { "run", "--rm", "--name", name, "--runtime", "runc", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024" }) args.Add(a);
        args.Add("--network");
        args.Add(step.With.TryGetValue("network", out var network) && network == "host" ? "host" : "none");
        args.Add("-v");
        args.Add($"{Path.GetFullPath(context.Workspace)}:{ContainerWorkspace}");
        args.Add("-w");
        args.Add(ContainerWorkspace);
        if (step.Definition.Resources.Cpus is { } cpus) { args.Add("--cpus"); args.Add(cpus.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
        if (step.Definition.Resources.MemoryBytes is { } memory) { args.Add("--memory"); args.Add(memory.ToString(System.Globalization.CultureInfo.InvariantCulture)); }
        var inside = ContainerWorkspace + "/" + Path.GetRelativePath(context.Workspace, outputsFile).Replace('\\', '/');
        var env = new Dictionary<string, string>(step.Env)
        {
            ["CAIRN_OUTPUTS"] = inside, ["CAIRN_PIPELINE"] = context.PipelineName, ["CAIRN_PIPELINE_RUN_ID"] = context.PipelineRunId,
            ["CAIRN_STEP"] = context.StepName, ["CAIRN_STEP_RUN_ID"] = context.StepRunId,
        };
        if (trackingUri is not null) env["CAIRN_TRACKING_URI"] = trackingUri;
        foreach (var (k, v) in env) { args.Add("-e"); args.Add($"{k}={v}"); }
        args.Add(step.Image!);
        if (step.Run is { } run) { args.Add("/bin/sh"); args.Add("-c"); args.Add(run); }
        try
        {
            var code = await ChildProcesses.RunAsync(start, context.Log, step.Definition.Timeout, ct).ConfigureAwait(false);
            StepEnvironment.ThrowOnExitCode(code, $"the container {step.Image}");
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // Killing the podman client does not stop the container: remove it by name.
            var remove = new ProcessStartInfo(podman) { ArgumentList = { "rm", "-f", "-t", "0", name } };
            await ChildProcesses.RunAsync(remove, TextWriter.Null, TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }
}

/// <summary>
/// <c>assembly:</c> and <c>class:</c>: a class of the user's implementing <see cref="IPipelineStep"/>,
/// run in its own process by <c>cairn pipeline csharp-step</c>, so a crash or a leak stays there.
/// </summary>
public sealed class CSharpStepRunner(IReadOnlyList<string> hostCommand, string? trackingUri) : IStepRunner
{
    public async Task RunAsync(ResolvedStep step, StepContext context, string outputsFile, CancellationToken ct)
    {
        var contextFile = outputsFile + ".context.json";
        await File.WriteAllTextAsync(contextFile, JsonSerializer.Serialize(new CSharpStepRequest(
            context.PipelineName, context.PipelineRunId, context.StepName, context.StepRunId, context.Workspace,
            context.WorkspacePath(step.Definition.Assembly!), step.Definition.Class!, step.With, context.Parameters)), ct).ConfigureAwait(false);
        var start = new ProcessStartInfo(hostCommand[0]) { WorkingDirectory = context.Workspace };
        foreach (var a in hostCommand.Skip(1)) start.ArgumentList.Add(a);
        foreach (var a in new[] { "pipeline", "csharp-step", contextFile }) start.ArgumentList.Add(a);
        StepEnvironment.Apply(start, step, context, outputsFile, trackingUri);
        var code = await ChildProcesses.RunAsync(start, context.Log, step.Definition.Timeout, ct).ConfigureAwait(false);
        StepEnvironment.ThrowOnExitCode(code, $"the C# step {step.Definition.Class}");
    }
}

/// <summary>What <c>cairn pipeline csharp-step</c> reads to run a C# step.</summary>
public sealed record CSharpStepRequest(
    string Pipeline, string PipelineRunId, string Step, string StepRunId, string Workspace,
    string Assembly, string Class, IReadOnlyDictionary<string, string> With, IReadOnlyDictionary<string, string> Parameters);

/// <summary>Built-in kinds and delegate steps: in this process.</summary>
public sealed class InProcessStepRunner(IReadOnlyDictionary<string, IPipelineStep> builtins) : IStepRunner
{
    public async Task RunAsync(ResolvedStep step, StepContext context, string outputsFile, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (step.Definition.Timeout is { } t) limit.CancelAfter(t);
        var work = step.Definition.Delegate is { } code ? code(context, limit.Token) : builtins[step.Definition.Uses!].RunAsync(context, limit.Token);
        try
        {
            await work.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"stopped after its timeout of {step.Definition.Timeout}");
        }
    }
}
