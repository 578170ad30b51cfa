using Cairn.Artifacts;
using Cairn.Tracking;

namespace Cairn.Registry;

/// <summary>Where a model version's package is: its source is a run URI or an artifact URI.</summary>
public static class ModelSources
{
    /// <summary><c>runs:/&lt;id&gt;/model</c> becomes the run's artifact URI plus <c>/model</c>; artifact URIs stay as they are.</summary>
    public static async Task<string> ToArtifactUriAsync(string source, ITrackingStore tracking, CancellationToken ct = default)
    {
        if (!source.StartsWith(RunUri.Scheme, StringComparison.Ordinal)) return source;
        var runUri = await tracking.ResolveRunUriAsync(source, ct).ConfigureAwait(false);
        var run = await tracking.GetRunAsync(runUri.RunId, ct).ConfigureAwait(false);
        return run.Info.ArtifactUri.TrimEnd('/') + (runUri.ArtifactPath.Length > 0 ? "/" + runUri.ArtifactPath : "");
    }

    /// <summary>The artifact-store path of a version's package folder.</summary>
    public static async Task<string> ToStorePathAsync(string source, ITrackingStore tracking, CancellationToken ct = default) =>
        ArtifactPath.FromUri(await ToArtifactUriAsync(source, tracking, ct).ConfigureAwait(false));
}
