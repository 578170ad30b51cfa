namespace Cairn.Features;

/// <summary>One requested feature: its definition and the column it gets in the training set.</summary>
internal sealed record SelectedFeature(FeatureReference Reference, FeatureField Field, string Column);

/// <summary>A view with the features requested of it, its source and the join keys of its entities.</summary>
internal sealed record SelectedView(FeatureViewDefinition View, FeatureSourceDefinition Source, IReadOnlyList<FeatureField> JoinKeys, IReadOnlyList<SelectedFeature> Features);

/// <summary>Resolves feature references against a <see cref="FeatureRepository"/>, refusing what it does not declare.</summary>
internal static class FeatureSelection
{
    /// <summary>The views to join, in order of first request; each view's features in request order.</summary>
    public static IReadOnlyList<SelectedView> Resolve(FeatureRepository repository, IReadOnlyList<FeatureReference> features, bool fullFeatureNames)
    {
        if (features.Count == 0) throw CairnException.InvalidParameter("No features requested: name at least one as view:feature, or a feature service.");
        var views = new List<(FeatureViewDefinition View, List<(FeatureReference Ref, FeatureField Field)> Features)>();
        foreach (var reference in features.Distinct())
        {
            var view = repository.Views.FirstOrDefault(v => v.Name == reference.View)
                ?? throw CairnException.InvalidParameter($"Unknown feature view '{reference.View}' in '{reference}'; declared views: {List(repository.Views.Select(v => v.Name))}.");
            var field = view.Features.FirstOrDefault(f => f.Name == reference.Feature)
                ?? throw CairnException.InvalidParameter($"Feature view '{view.Name}' has no feature '{reference.Feature}'; its features: {List(view.Features.Select(f => f.Name))}.");
            var entry = views.FirstOrDefault(v => v.View.Name == view.Name);
            if (entry.View is null) views.Add(entry = (view, []));
            entry.Features.Add((reference, field));
        }

        var columns = ColumnNames(views.SelectMany(v => v.Features.Select(f => f.Ref)).ToList(), fullFeatureNames);
        return views.Select(v => new SelectedView(v.View, SourceOf(repository, v.View), JoinKeysOf(repository, v.View),
            v.Features.Select(f => new SelectedFeature(f.Ref, f.Field, columns[f.Ref])).ToList())).ToList();
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
