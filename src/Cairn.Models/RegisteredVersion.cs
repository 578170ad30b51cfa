using System.Globalization;
using Cairn.Registry;

namespace Cairn.Models;

/// <summary>
/// A registered model version as the SDK hands it out: the version as a number (the wire and the
/// stores keep MLflow's string), its package source, run, aliases and tags.
/// </summary>
public sealed record RegisteredVersion(
    string Name,
    int Version,
    string Source,
    string? RunId,
    ModelVersionStatus Status,
    string? Description,
    IReadOnlyList<string> Aliases,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset CreationTime)
{
    /// <summary>The <c>models:/name/version</c> URI that loads or serves this version.</summary>
    public string Uri => $"{ModelUri.Scheme}{Name}/{Version.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The store's record as the SDK's; a version that is not a positive whole number is refused.</summary>
    public static RegisteredVersion From(ModelVersion version) => new(
        version.Name,
        ParseVersion(version.Name, version.Version),
        version.Source,
        version.RunId,
        version.Status,
        version.Description,
        version.Aliases,
        version.Tags.GroupBy(t => t.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal),
        DateTimeOffset.FromUnixTimeMilliseconds(version.CreationTimestamp));

    private static int ParseVersion(string name, string version) =>
        int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw CairnException.InvalidState($"The registry answered version '{version}' of model '{name}', which is not a positive whole number; Cairn numbers versions 1, 2, 3...");
}
