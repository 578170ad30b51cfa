using Cairn.Registry;

namespace Cairn.Artifacts;

/// <summary>
/// Locations a client names for later reads: an experiment's <c>artifact_location</c> and a model
/// version's <c>source</c>. Only what this server serves itself passes: its artifact proxy
/// (<c>mlflow-artifacts:/path</c>, which is where its own artifact destination appears to
/// clients), a run's artifacts (<c>runs:/</c>) or a registered version (<c>models:/</c>). Anything
/// else (<c>file:///etc/passwd</c>, another bucket, a stranger's web server) would have the server,
/// or every client that downloads the model, read from wherever the first client chose.
/// </summary>
public static class ClientLocations
{
    /// <summary>Refuses an artifact_location the server would not serve; null or empty means the default.</summary>
    public static void CheckArtifactLocation(string? location)
    {
        if (string.IsNullOrEmpty(location)) return;
        if (!IsProxyUri(location))
            throw Refused("artifact_location", location, "give mlflow-artifacts:/<path>, or no artifact_location for the server's default");
        Check("artifact_location", location, () => ArtifactPath.FromUri(location));
    }

    public static void CheckModelSource(string source)
    {
        if (source.StartsWith(RunUri.Scheme, StringComparison.Ordinal)) Check("source", source, () => RunUri.Parse(source));
        else if (Cairn.Tracking.LoggedModelIds.FromUri(source) is not null) { } // models:/<logged model id> (MLflow 3)
        else if (ModelUri.IsModelUri(source)) Check("source", source, () => ModelUri.Parse(source));
        else if (IsProxyUri(source))
        {
            // MLflow's server refuses relative references in a source in these words.
            if (source.Split('/').Contains(".."))
                throw CairnException.InvalidParameter($"Invalid model version source: '{source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.");
            Check("source", source, () => ArtifactPath.FromUri(source));
        }
        else if (IsLocal(source))
            // MLflow's server takes a local path only inside the run's local artifact folder; a Cairn
            // server's runs keep their artifacts behind its proxy, never in a local folder, so none passes.
            throw CairnException.InvalidParameter($"Invalid model version source: '{source}'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.");
        else throw Refused("source", source, "give runs:/<run_id>/<path>, models:/<name>/<version>, models:/<logged model id> or mlflow-artifacts:/<path>");
    }

    /// <summary>A path or <c>file:</c> URI, as MLflow's <c>is_local_uri</c> sees it (a one-letter scheme is a Windows drive).</summary>
    private static bool IsLocal(string source)
    {
        var colon = source.IndexOf(':');
        var scheme = colon > 0 && char.IsAsciiLetter(source[0]) && source[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.') ? source[..colon] : "";
        return scheme.Length <= 1 || scheme.Equals("file", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The single-slash form only: <c>mlflow-artifacts://host/...</c> sends MLflow's clients to
    /// that host's proxy instead of this one.
    /// </summary>
    private static bool IsProxyUri(string uri) =>
        uri.StartsWith(ArtifactPath.Scheme + "/", StringComparison.Ordinal) && !uri.StartsWith(ArtifactPath.Scheme + "//", StringComparison.Ordinal);

    private static void Check(string field, string value, Action parse)
    {
        try
        {
            parse();
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.InvalidParameterValue)
        {
            throw Refused(field, value, e.Message);
        }
    }

    private static CairnException Refused(string field, string value, string why) =>
        CairnException.InvalidParameter(
            $"Invalid {field} '{(value.Length <= 200 ? value : value[..200] + "...")}': this server only reads locations it serves itself; {why}");
}
