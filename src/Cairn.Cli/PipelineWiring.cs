using System.CommandLine;
using Cairn.Pipelines;
using Cairn.Pipelines.Steps;

namespace Cairn.Cli;

/// <summary>What the CLI gives the pipeline engine: the built-in step kinds, itself as the host of C# steps, and the tracking URI for step processes.</summary>
internal static class PipelineWiring
{
    public static IReadOnlyDictionary<string, IPipelineStep> Builtins() => BuiltinSteps.All(Packaging.ImageContext.Write);

    public static PipelineGraph Check(PipelineDefinition definition) => PipelineGraph.Build(definition, Builtins().Keys.ToHashSet());

    public static PipelineEngine Engine(CairnClient client, ParseResult parse) =>
        Engine(client, AbsoluteTrackingUri(parse.GetValue(GlobalOptions.TrackingUri) ?? Environment.GetEnvironmentVariable(Cairn.TrackingUri.EnvironmentVariable)));

    /// <param name="trackingUri">What step processes are given as CAIRN_TRACKING_URI.</param>
    public static PipelineEngine Engine(CairnClient client, string trackingUri) => new(client)
    {
        Builtins = Builtins(),
        CairnCommand = ["dotnet", typeof(PipelineWiring).Assembly.Location],
        TrackingUri = trackingUri,
    };

    /// <summary>Steps run in the pipeline's folder: a relative store folder must still name the same store there.</summary>
    private static string AbsoluteTrackingUri(string? uri) => uri switch
    {
        null or "" => Path.GetFullPath(".cairn"),
        _ when uri.Contains("://", StringComparison.Ordinal) => uri,
        _ => Path.GetFullPath(uri),
    };
}
