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

    /// <summary>
    /// Like the overload without a registry, but a <c>models:/</c> source (a copied version, as
    /// MLflow's <c>copy_model_version</c> registers it) is followed to the version it names, so the
    /// copy downloads what its original does, as MLflow's server answers it.
    /// </summary>
    public static async Task<string> ToArtifactUriAsync(string source, ITrackingStore tracking, IRegistryStore registry, CancellationToken ct = default)
    {
        const int MaxHops = 16;
        for (var hop = 0; hop < MaxHops && ModelUri.IsModelUri(source); hop++)
        {
            var uri = ModelUri.Parse(source);
            var version = uri.Alias is not null
                ? await registry.GetModelVersionByAliasAsync(uri.Name, uri.Alias, ct).ConfigureAwait(false)
                : await registry.GetModelVersionAsync(uri.Name, uri.Version!, ct).ConfigureAwait(false);
            source = version.Source;
        }
        if (ModelUri.IsModelUri(source))
            throw CairnException.InvalidParameter($"The model version source '{source}' names other versions more than {MaxHops} times over; register it again from runs:/ or mlflow-artifacts:/.");
        return await ToArtifactUriAsync(source, tracking, ct).ConfigureAwait(false);
    }

    /// <summary>The artifact-store path of a version's package folder.</summary>
    public static async Task<string> ToStorePathAsync(string source, ITrackingStore tracking, CancellationToken ct = default) =>
        ArtifactPath.FromUri(await ToArtifactUriAsync(source, tracking, ct).ConfigureAwait(false));
}
