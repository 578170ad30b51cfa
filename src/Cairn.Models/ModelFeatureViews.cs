using Cairn.Data;
using Cairn.Features;
using Cairn.Registry;
using Cairn.Tracking;

namespace Cairn.Models;

/// <summary>A feature view version a model was trained on, and the dataset version the run logged that it came through.</summary>
/// <param name="View">The exact definition: <c>features:/view@N</c>.</param>
/// <param name="Input">The run's logged input (<c>data:/name@N</c>) whose <c>derived_from</c> edges lead to the view.</param>
public sealed record ModelFeatureView(FeatureUri View, DataUri Input)
{
    /// <summary><c>features:/view@N via data:/name@N</c>.</summary>
    public override string ToString() => $"{View} via {Input}";
}

/// <summary>Follows the <c>derived_from</c> edges of a run's dataset inputs to the feature view versions behind them.</summary>
public static class ModelFeatureViews
{
    /// <summary>The most dataset versions read while following edges, so that a deep or looping trail stays cheap.</summary>
    public const int MaxDatasetVersions = 200;

    /// <summary>
    /// The feature view versions reached from the run's <c>data:/</c> inputs through <c>derived_from</c>
    /// edges (directly, or through the dataset versions those were derived from), each once per input.
    /// An input whose version no longer exists adds nothing.
    /// </summary>
    public static async Task<IReadOnlyList<ModelFeatureView>> ReadAsync(Run? run, IDatasetStore datasets, CancellationToken ct = default)
    {
        var found = new List<ModelFeatureView>();
        var read = 0;
        foreach (var input in DataInputs(run))
        {
            var seen = new HashSet<string>(StringComparer.Ordinal) { input.ToString() };
            var pending = new Queue<DataUri>([input]);
            while (pending.Count > 0 && read < MaxDatasetVersions)
            {
                var uri = pending.Dequeue();
                read++;
                if (await TryGetAsync(datasets, uri, ct).ConfigureAwait(false) is not { } version) continue;
                foreach (var edge in version.DerivedFrom)
                {
                    if (!seen.Add(edge)) continue;
                    if (FeatureUri.IsFeatureUri(edge)) found.Add(new ModelFeatureView(FeatureUri.Parse(edge), input));
                    else if (DataUri.IsDataUri(edge)) pending.Enqueue(DataUri.Parse(edge));
                }
            }
        }
        return found;
    }

    /// <summary>The run's inputs that are named dataset versions (logged with <c>run.LogInput("data:/name@N")</c>).</summary>
    private static IEnumerable<DataUri> DataInputs(Run? run)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in run?.Inputs?.DatasetInputs ?? [])
        {
            if (input.Dataset.SourceType != ActiveRun.DatasetSourceType || !DataUri.IsDataUri(input.Dataset.Source)) continue;
            DataUri uri;
            try
            {
                uri = DataUri.Parse(input.Dataset.Source);
            }
            catch (CairnException)
            {
                continue; // Logged through the raw API with a source that names no dataset: no edges to follow.
            }
            if (uri.VersionOrDigest is not null && seen.Add(uri.ToString())) yield return uri;
        }
    }

    private static async Task<DatasetVersion?> TryGetAsync(IDatasetStore datasets, DataUri uri, CancellationToken ct)
    {
        try
        {
            return await datasets.GetVersionAsync(uri.Name, uri.VersionOrDigest!, ct).ConfigureAwait(false);
        }
        catch (CairnException e) when (e.ErrorCode is ErrorCodes.ResourceDoesNotExist or ErrorCodes.InvalidParameterValue)
        {
            return null;
        }
    }
}

/// <summary>A model version trained on a feature view, and the view version it was trained on.</summary>
public sealed record FeatureViewModel(ModelVersion Version, ModelFeatureView Trained);

/// <summary>Which model versions were trained on a feature view: the edges of <see cref="ModelFeatureViews"/> read from the models' side.</summary>
public static class FeatureViewModels
{
    /// <summary>How many model versions, newest first, a look reads at most (a view page stays quick on a large registry).</summary>
    public const int MaxModelVersions = 200;

    /// <summary>
    /// The model versions among the <see cref="MaxModelVersions"/> newest whose run's training data was
    /// derived from a version of <paramref name="view"/>, newest first; a version whose run is gone is skipped.
    /// </summary>
    public static async Task<IReadOnlyList<FeatureViewModel>> FindAsync(string view, IRegistryStore registry, ITrackingStore tracking, IDatasetStore datasets,
        CancellationToken ct = default)
    {
        var versions = await registry.SearchModelVersionsAsync(new RegistryQuery(MaxResults: MaxModelVersions, OrderBy: ["creation_timestamp DESC"]), ct).ConfigureAwait(false);
        var found = new List<FeatureViewModel>();
        foreach (var version in versions.Items.Where(v => !string.IsNullOrEmpty(v.RunId)))
        {
            Run run;
            try
            {
                run = await tracking.GetRunAsync(version.RunId!, ct).ConfigureAwait(false);
            }
            catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
            {
                continue;
            }
            foreach (var trained in await ModelFeatureViews.ReadAsync(run, datasets, ct).ConfigureAwait(false))
                if (trained.View.Name == view) found.Add(new FeatureViewModel(version, trained));
        }
        return found;
    }
}
