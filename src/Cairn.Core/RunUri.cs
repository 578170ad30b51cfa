namespace Cairn;

/// <summary>A <c>runs:/&lt;run_id&gt;/&lt;artifact path&gt;</c> reference to a run's artifact.</summary>
public sealed record RunUri(string RunId, string ArtifactPath)
{
    public const string Scheme = "runs:/";

    /// <summary>Parses a URI that names its run by the full 32-character id.</summary>
    public static RunUri Parse(string uri)
    {
        var (runId, path) = Split(uri);
        if (!Ids.IsValid(runId))
            throw CairnException.InvalidParameter($"'{uri}' does not name a run: '{runId}' is not a 32-character hex run id.");
        return new RunUri(runId, path);
    }

    /// <summary>
    /// The run id as written (it may be a prefix, see <c>RunIds.ResolveRunUriAsync</c>) and the
    /// normalized artifact path of a <c>runs:/</c> URI.
    /// </summary>
    public static (string RunId, string ArtifactPath) Split(string uri)
    {
        if (!uri.StartsWith(Scheme, StringComparison.Ordinal))
            throw CairnException.InvalidParameter($"'{uri}' is not a run URI: expected runs:/<run_id>/<path>.");
        var rest = uri[Scheme.Length..].TrimStart('/');
        var slash = rest.IndexOf('/');
        var runId = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? "" : rest[(slash + 1)..];
        return (runId, Artifacts.ArtifactPath.Normalize(path));
    }

    public override string ToString() => Scheme + RunId + (ArtifactPath.Length > 0 ? "/" + ArtifactPath : "");
}
