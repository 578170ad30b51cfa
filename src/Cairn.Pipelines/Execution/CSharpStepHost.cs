using System.Reflection;
using System.Runtime.Loader;

namespace Cairn.Pipelines;

/// <summary>
/// The process side of a C# step: loads the user's assembly (with its dependencies from its folder),
/// creates the class, runs it, and writes its outputs to <c>$CAIRN_OUTPUTS</c>.
/// </summary>
public static class CSharpStepHost
{
    /// <returns>The exit code: 0 on success, 1 when the step failed.</returns>
    public static async Task<int> RunAsync(CSharpStepRequest request, string? outputsFile, TextWriter log, CancellationToken ct)
    {
        var step = Create(request);
        using var client = Environment.GetEnvironmentVariable(TrackingUri.EnvironmentVariable) is { } uri ? CairnClient.Open(uri) : null;
        var context = new StepContext
        {
            PipelineName = request.Pipeline, PipelineRunId = request.PipelineRunId, StepName = request.Step, StepRunId = request.StepRunId,
            Workspace = request.Workspace, With = request.With, Parameters = request.Parameters, Log = log, Client = client,
        };
        try
        {
            await step.RunAsync(context, ct).ConfigureAwait(false);
        }
        catch (StepFailedException e)
        {
            log.WriteLine($"error: {e.Message}");
            return 1;
        }
        if (outputsFile is not null)
            await File.AppendAllLinesAsync(outputsFile, context.Outputs.Select(kv => $"{kv.Key}={kv.Value.ReplaceLineEndings(" ")}"), ct).ConfigureAwait(false);
        return 0;
    }

    private static IPipelineStep Create(CSharpStepRequest request)
    {
        if (!File.Exists(request.Assembly)) throw CairnException.NotFound($"step '{request.Step}': there is no assembly at {request.Assembly}.");
        var context = new StepLoadContext(request.Assembly);
        Assembly assembly;
        try
        {
            assembly = context.LoadFromAssemblyPath(Path.GetFullPath(request.Assembly));
        }
        catch (BadImageFormatException)
        {
            throw CairnException.InvalidParameter($"step '{request.Step}': {request.Assembly} is not a .NET assembly.");
        }
        var type = assembly.GetType(request.Class, throwOnError: false)
            ?? throw CairnException.InvalidParameter($"step '{request.Step}': {request.Assembly} has no class {request.Class}.");
        if (!typeof(IPipelineStep).IsAssignableFrom(type) || type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
            throw CairnException.InvalidParameter($"step '{request.Step}': {request.Class} must be a class with a public parameterless constructor implementing Cairn.Pipelines.IPipelineStep.");
        return (IPipelineStep)Activator.CreateInstance(type)!;
    }

    /// <summary>Resolves the step's own dependencies from its folder, and Cairn's (the step interface) from this process, so the types match.</summary>
    private sealed class StepLoadContext(string assemblyPath) : AssemblyLoadContext(isCollectible: false)
    {
        private readonly AssemblyDependencyResolver _resolver = new(Path.GetFullPath(assemblyPath));

        protected override Assembly? Load(AssemblyName name)
        {
            if (name.Name is { } n && n.StartsWith("Cairn.", StringComparison.Ordinal) && Default.Assemblies.Any(a => a.GetName().Name == n)) return null;
            return _resolver.ResolveAssemblyToPath(name) is { } path ? LoadFromAssemblyPath(path) : null;
        }
    }
}
