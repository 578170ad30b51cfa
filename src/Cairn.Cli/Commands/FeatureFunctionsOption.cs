using System.CommandLine;
using Cairn.Features;

namespace Cairn.Cli.Commands;

/// <summary><c>--feature-functions path.dll</c>: the assembly whose on-demand feature functions a command may run, loaded once.</summary>
internal static class FeatureFunctionsOption
{
    public static Option<string?> Create() => new("--feature-functions")
    {
        Description = "An assembly (.dll) of on-demand feature functions (classes implementing IOnDemandFeatureFunction); needed when on-demand features are read.",
    };

    /// <summary>The functions of the assembly given (a relative path read from <paramref name="folder"/>), or none.</summary>
    public static OnDemandFeatureFunctions Load(ParseResult parse, Option<string?> option, string folder) =>
        parse.GetValue(option) is { } path ? OnDemandFeatureFunctions.LoadAssembly(Path.Combine(folder, path)) : OnDemandFeatureFunctions.None;
}
