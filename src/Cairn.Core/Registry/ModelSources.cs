using Cairn.Artifacts;
using Cairn.Tracking;

namespace Cairn.Registry;

/// <summary>Where a model version's package is: its source is a run URI, a model URI or an artifact URI.</summary>
public static class ModelSources
{
    /// <summary>
    /// <c>runs:/&lt;id&gt;/model</c> becomes the run's artifact URI plus <c>/model</c>; <c>models:/</c>
    /// and this server's artifact URIs stay as they are. Anything else is refused, never handed
    /// out: a source stored before sources were checked (see <see cref="ClientLocations"/>), or a
    /// run under such an experiment, could name any place.
    /// </summary>
    public static async Task<string> ToArtifactUriAsync(string source, ITrackingStore tracking, CancellationToken ct = default)
    {
        if (ModelUri.IsModelUri(source)) return source;
        var uri = source;
        if (source.StartsWith(RunUri.Scheme, StringComparison.Ordinal))
        {
            var runUri = await tracking.ResolveRunUriAsync(source, ct).ConfigureAwait(false);
            var run = await tracking.GetRunAsync(runUri.RunId, ct).ConfigureAwait(false);
            uri = run.Info.ArtifactUri.TrimEnd('/') + (runUri.ArtifactPath.Length > 0 ? "/" + runUri.ArtifactPath : "");
        }
        try
        {
            return ArtifactPath.ToUri(ArtifactPath.FromUri(uri));
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.InvalidParameterValue)
        {
            throw CairnException.InvalidParameter($"The model version source '{source}' is not a location this server serves ({e.Message}); register the model again from runs:/ or mlflow-artifacts:/.");
        }
    }

    /// <summary>The artifact-store path of a version's package folder.</summary>
    public static async Task<string> ToStorePathAsync(string source, ITrackingStore tracking, CancellationToken ct = default) =>
        ArtifactPath.FromUri(await ToArtifactUriAsync(source, tracking, ct).ConfigureAwait(false));
}
