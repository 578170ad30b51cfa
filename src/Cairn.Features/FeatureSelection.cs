namespace Cairn.Features;

/// <summary>One requested feature: its definition and the column it gets in the training set; not <paramref name="Output"/>: read only as an on-demand view's input.</summary>
internal sealed record SelectedFeature(FeatureReference Reference, FeatureField Field, string Column, bool Output = true);

/// <summary>An on-demand view with the features requested of it (in request order).</summary>
internal sealed record SelectedOnDemandView(OnDemandFeatureViewDefinition View, IReadOnlyList<SelectedFeature> Features);

/// <summary>What a request reads: stored views (requested features and on-demand inputs), then the on-demand views computed from them.</summary>
internal sealed record FeatureSelectionPlan(IReadOnlyList<SelectedView> Views, IReadOnlyList<SelectedOnDemandView> OnDemand);

/// <summary>A view with the features requested of it, its source and the join keys of its entities.</summary>
internal sealed record SelectedView(FeatureViewDefinition View, FeatureSourceDefinition Source, IReadOnlyList<FeatureField> JoinKeys, IReadOnlyList<SelectedFeature> Features);

/// <summary>Resolves feature references against a <see cref="FeatureRepository"/>, refusing what it does not declare.</summary>
internal static class FeatureSelection
{
    /// <summary>The columns that on-demand inputs, which are not requested themselves, get while they are joined.</summary>
    public const string InputColumnPrefix = "__cairn_input__";

    /// <summary>The views to join, in order of first request; each view's features in request order (stored views only).</summary>
    public static IReadOnlyList<SelectedView> Resolve(FeatureRepository repository, IReadOnlyList<FeatureReference> features, bool fullFeatureNames)
    {
        if (features.Count == 0) throw CairnException.InvalidParameter("No features requested: name at least one as view:feature, or a feature service.");
        var requested = features.Distinct().ToList();
        var columns = ColumnNames(requested, fullFeatureNames);
        return ResolveStored(repository, [.. requested.Select(r => (r, columns[r], true))]);
    }

    /// <summary>
    /// Stored and on-demand features together: the stored views to read hold the requested stored
    /// features and, not as outputs, the inputs of the requested on-demand views.
    /// </summary>
    public static FeatureSelectionPlan ResolveWithOnDemand(FeatureRepository repository, IReadOnlyList<FeatureReference> features, bool fullFeatureNames)
    {
        if (features.Count == 0) throw CairnException.InvalidParameter("No features requested: name at least one as view:feature, or a feature service.");
        var requested = features.Distinct().ToList();
        var onDemandViews = (repository.OnDemandViews ?? []).ToDictionary(v => v.Name, StringComparer.Ordinal);
        var columns = ColumnNames(requested, fullFeatureNames);
        var onDemand = new List<(OnDemandFeatureViewDefinition View, List<SelectedFeature> Features)>();
        var stored = new List<(FeatureReference, string, bool)>();
        foreach (var reference in requested)
        {
            if (!onDemandViews.TryGetValue(reference.View, out var view))
            {
                stored.Add((reference, columns[reference], true));
                continue;
            }
            var field = view.Features.FirstOrDefault(f => f.Name == reference.Feature)
                ?? throw CairnException.InvalidParameter($"On-demand feature view '{view.Name}' has no feature '{reference.Feature}'; its features: {List(view.Features.Select(f => f.Name))}.");
            var entry = onDemand.FirstOrDefault(v => v.View.Name == view.Name);
            if (entry.View is null) onDemand.Add(entry = (view, []));
            entry.Features.Add(new SelectedFeature(reference, field, columns[reference]));
        }
        foreach (var input in onDemand.SelectMany(v => v.View.Inputs).Distinct())
            if (!requested.Contains(input)) stored.Add((input, $"{InputColumnPrefix}{input.View}__{input.Feature}", false));
        var views = stored.Count == 0 ? [] : ResolveStored(repository, stored);
        return new FeatureSelectionPlan(views, [.. onDemand.Select(v => new SelectedOnDemandView(v.View, v.Features))]);
    }

    private static IReadOnlyList<SelectedView> ResolveStored(FeatureRepository repository, IReadOnlyList<(FeatureReference Ref, string Column, bool Output)> features)
    {
        var views = new List<(FeatureViewDefinition View, List<SelectedFeature> Features)>();
        foreach (var (reference, column, output) in features)
        {
            var view = repository.Views.FirstOrDefault(v => v.Name == reference.View)
                ?? throw CairnException.InvalidParameter($"Unknown feature view '{reference.View}' in '{reference}'; declared views: " +
                    $"{List(repository.Views.Select(v => v.Name).Concat((repository.OnDemandViews ?? []).Select(v => v.Name)))}.");
            var field = view.Features.FirstOrDefault(f => f.Name == reference.Feature)
                ?? throw CairnException.InvalidParameter($"Feature view '{view.Name}' has no feature '{reference.Feature}'; its features: {List(view.Features.Select(f => f.Name))}.");
            var entry = views.FirstOrDefault(v => v.View.Name == view.Name);
            if (entry.View is null) views.Add(entry = (view, []));
            entry.Features.Add(new SelectedFeature(reference, field, column, output));
        }
        return views.Select(v => new SelectedView(v.View, SourceOf(repository, v.View), JoinKeysOf(repository, v.View), v.Features)).ToList();
    }

    /// <summary>The features of the named service.</summary>
    public static IReadOnlyList<FeatureReference> OfService(FeatureRepository repository, string service) =>
        (repository.Services.FirstOrDefault(s => s.Name == service)
            ?? throw CairnException.InvalidParameter($"Unknown feature service '{service}'; declared services: {List(repository.Services.Select(s => s.Name))}.")).Features;

    private static Dictionary<FeatureReference, string> ColumnNames(IReadOnlyList<FeatureReference> references, bool fullFeatureNames)
    {
        if (fullFeatureNames) return references.ToDictionary(r => r, r => $"{r.View}__{r.Feature}");
        var clash = references.GroupBy(r => r.Feature, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (clash is not null)
            throw CairnException.InvalidParameter($"Features {List(clash.Select(r => r.ToString()))} would share the column '{clash.Key}'; request full feature names (view__feature columns).");
        return references.ToDictionary(r => r, r => r.Feature);
    }

    private static FeatureSourceDefinition SourceOf(FeatureRepository repository, FeatureViewDefinition view) =>
        repository.Sources.FirstOrDefault(s => s.Name == view.Source)
            ?? throw CairnException.InvalidParameter($"Feature view '{view.Name}' reads source '{view.Source}', which is not declared; declared sources: {List(repository.Sources.Select(s => s.Name))}.");

    private static List<FeatureField> JoinKeysOf(FeatureRepository repository, FeatureViewDefinition view)
    {
        if (view.Entities.Count == 0) throw CairnException.InvalidParameter($"Feature view '{view.Name}' names no entity, so it has no join key to match entity rows on.");
        var keys = new List<FeatureField>();
        foreach (var name in view.Entities)
        {
            var entity = repository.Entities.FirstOrDefault(e => e.Name == name)
                ?? throw CairnException.InvalidParameter($"Feature view '{view.Name}' names entity '{name}', which is not declared; declared entities: {List(repository.Entities.Select(e => e.Name))}.");
            foreach (var key in entity.JoinKeys)
            {
                var same = keys.FirstOrDefault(k => k.Name == key.Name);
                if (same is null) keys.Add(key);
                else if (same.Type != key.Type)
                    throw CairnException.InvalidParameter($"Feature view '{view.Name}': join key '{key.Name}' is {same.Type.Name()} in one entity and {key.Type.Name()} in another.");
            }
        }
        return keys;
    }

    private static string List(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "(none)" : string.Join(", ", list);
    }
}
