namespace Cairn.Features;

/// <summary>
/// What an on-demand feature view must satisfy. The function sees request fields and inputs by
/// their names alone (<c>scheduled_minutes</c>, <c>avg_delay_7d</c>), so those names must not
/// collide; request fields become request or entity-table columns, so they must not be join keys;
/// outputs become columns beside them, so they must not collide with either.
/// </summary>
internal static class OnDemandFeatureViewRules
{
    public static void Validate(OnDemandFeatureViewDefinition view, IReadOnlyDictionary<string, FeatureViewDefinition> views, IReadOnlyDictionary<string, EntityDefinition> entities)
    {
        var where = $"on-demand feature view '{view.Name}'";
        FeatureRepositoryRules.Name(view.Function, $"the function of {where}");
        var requestFields = view.RequestFields ?? [];
        var inputs = view.Inputs ?? [];
        if (requestFields.Count == 0 && inputs.Count == 0)
            throw CairnException.InvalidParameter($"The {where} needs request fields, inputs (view:feature), or both: its function has nothing to compute from.");
        if (view.Features is not { Count: > 0 }) throw CairnException.InvalidParameter($"The {where} needs at least one feature.");
        FeatureRepositoryRules.Unique(requestFields, f => FeatureRepositoryRules.Name(f.Name, $"a request field of {where}"), $"request field of {where}");
        FeatureRepositoryRules.Unique(view.Features, f => FeatureRepositoryRules.Name(f.Name, $"a feature of {where}"), $"feature of {where}");

        var joinKeys = entities.Values.SelectMany(e => e.JoinKeys).Select(k => k.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (requestFields.FirstOrDefault(f => joinKeys.Contains(f.Name)) is { } key)
            throw CairnException.InvalidParameter($"The request field '{key.Name}' of {where} has the name of a join key; request fields are values sent beside the join keys.");

        // The names the function reads: request fields, then each input by its feature name.
        var seen = requestFields.ToDictionary(f => f.Name, f => $"request field '{f.Name}'", StringComparer.OrdinalIgnoreCase);
        foreach (var input in inputs)
        {
            if (input.View is null || input.Feature is null) throw CairnException.InvalidParameter($"The {where} has an input without a view or a name: write view:feature.");
            if (!views.TryGetValue(input.View, out var source))
                throw CairnException.InvalidParameter($"The {where} reads {input}, but there is no feature view '{input.View}' (inputs are features of stored views).");
            if (source.Features.All(f => f.Name != input.Feature))
                throw CairnException.InvalidParameter($"The {where} reads {input}, but the view '{source.Name}' has no feature '{input.Feature}' (it has {string.Join(", ", source.Features.Select(f => f.Name))}).");
            if (!seen.TryAdd(input.Feature, $"input {input}"))
                throw CairnException.InvalidParameter($"The {where} reads {input} and {seen[input.Feature]}, which its function would see under one name '{input.Feature}'.");
        }
        if (view.Features.FirstOrDefault(f => seen.ContainsKey(f.Name)) is { } clash)
            throw CairnException.InvalidParameter($"The feature '{clash.Name}' of {where} has the name of its {seen[clash.Name]}; give the output another name.");
    }
}
