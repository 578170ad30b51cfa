namespace Cairn.Features;

/// <summary>
/// The <c>derived_from</c> edges of a training set tracked as a dataset version: the feature view
/// versions it joined and, where a view's source is itself a versioned node of the trail, that version.
/// </summary>
public static class TrainingSetLineage
{
    /// <summary>
    /// <c>features:/view@N</c> for each view the training set has a column of (the registered version,
    /// as read after the join), each followed by what its source adds; in the order of the columns.
    /// </summary>
    /// <param name="repository">The registered definitions the join read (for the views' sources).</param>
    /// <param name="result">What the join wrote.</param>
    /// <param name="definitions">The definition store, for the views' version numbers.</param>
    /// <param name="ct">Cancels the store calls.</param>
    public static async Task<IReadOnlyList<string>> DerivedFromAsync(FeatureRepository repository, TrainingSetResult result,
        IFeatureDefinitionStore definitions, CancellationToken ct = default)
    {
        var edges = new List<string>();
        // An on-demand feature is computed from stored features: the training set derives from their views.
        var viewNames = result.Features.Select(f => f.Feature.View).Distinct(StringComparer.Ordinal)
            .SelectMany(name => repository.OnDemandViews.FirstOrDefault(v => v.Name == name) is { } onDemand ? onDemand.Inputs.Select(i => i.View) : [name])
            .Distinct(StringComparer.Ordinal);
        foreach (var viewName in viewNames)
        {
            var view = await definitions.GetDefinitionAsync(FeatureDefinitionKinds.View, viewName, null, ct).ConfigureAwait(false);
            edges.Add(new FeatureUri(view.Name, view.Version).ToString());
            var source = repository.Sources.FirstOrDefault(s => s.Name == view.View?.Source);
            if (source is not null && SourceEdge(source) is { } edge && !edges.Contains(edge, StringComparer.Ordinal)) edges.Add(edge);
        }
        return edges;
    }

    /// <summary>The version of the trail a source read, or null when it has none to name.</summary>
    private static string? SourceEdge(FeatureSourceDefinition source) => source.Kind switch
    {
        // Files, queries and tables are read as they are at join time: there is no version to point at.
        FeatureSourceKinds.File or FeatureSourceKinds.Query or FeatureSourceKinds.Postgres => null,
        // A dataset source names the version it read (data:/name@N).
        FeatureSourceKinds.Dataset => source.Dataset,
        _ => null,
    };
}
