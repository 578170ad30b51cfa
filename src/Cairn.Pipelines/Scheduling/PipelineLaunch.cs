namespace Cairn.Pipelines;

/// <summary>A claimed fire to run.</summary>
/// <param name="OnlyDeclaredParameters">
/// The fire's parameters come from an event (an alert's labels): pass only those the pipeline
/// declares, instead of failing on the others.
/// </param>
public sealed record FireLaunch(PipelineFire Fire, bool OnlyDeclaredParameters);

/// <summary>How a launched pipeline ended; a run id whenever a pipeline run was recorded.</summary>
public sealed record PipelineLaunchResult(string? PipelineRunId, bool Succeeded, string? Error);

/// <summary>Runs the pipeline of a fire to its end. Throwing is a failure the scheduler records.</summary>
public delegate Task<PipelineLaunchResult> PipelineLauncher(FireLaunch launch, CancellationToken ct);

/// <summary>Runs fires in this process with <see cref="PipelineRunner"/>: the pipeline file's folder is the workspace.</summary>
public static class InProcessPipelineLauncher
{
    /// <param name="roots">Where pipeline files may be; null: anywhere (a program that trusts its store).</param>
    public static PipelineLauncher Create(PipelineEngine engine, PipelineFileRoots? roots = null) => async (launch, ct) =>
    {
        var file = launch.Fire.PipelineFile;
        if (!File.Exists(file)) throw CairnException.InvalidState($"The pipeline file {file} no longer exists.");
        roots?.Check(file);
        var definition = PipelineYaml.Load(file);
        var parameters = launch.OnlyDeclaredParameters
            ? launch.Fire.Parameters.Where(p => definition.Parameters.Any(d => d.Name == p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal)
            : new Dictionary<string, string>(launch.Fire.Parameters, StringComparer.Ordinal);
        var result = await new PipelineRunner(engine).RunAsync(definition, Path.GetDirectoryName(file)!,
            new PipelineRunOptions { Parameters = parameters }, ct).ConfigureAwait(false);
        var failed = result.Steps.FirstOrDefault(s => s.State is StepState.Failed or StepState.Killed);
        return new PipelineLaunchResult(result.PipelineRunId, result.Succeeded,
            result.Succeeded ? null : result.Cancelled ? "cancelled: the server stopped" : $"step '{failed?.Step}' failed: {failed?.Error}");
    };
}
