using System.Text.Json;

namespace Cairn.Features;

/// <summary>What a change does to one definition.</summary>
public enum FeatureChangeKind
{
    /// <summary>A definition that is not registered yet.</summary>
    Add,
    /// <summary>A registered definition whose content differs.</summary>
    Change,
    /// <summary>A registered definition the new repository no longer has.</summary>
    Remove,
}

/// <summary>One definition (an entity, source, view or service) added, changed or removed, with what differs.</summary>
public sealed record FeatureChange(string Kind, string Name, FeatureChangeKind Change, IReadOnlyList<string> Details);

/// <summary>
/// What <c>cairn features apply</c> would do: the changes from the registered definitions to the new
/// ones, and the incompatible ones among them (a feature a registered service uses removed or
/// retyped), which apply refuses unless forced.
/// </summary>
public sealed record FeaturePlan(IReadOnlyList<FeatureChange> Changes, IReadOnlyList<string> Incompatibilities)
{
    /// <summary>Whether nothing would change.</summary>
    public bool IsEmpty => Changes.Count == 0;

    /// <summary>Refuses an incompatible plan unless <paramref name="force"/>.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE listing every incompatibility, each naming the service it breaks.</exception>
    public void EnsureApplicable(bool force)
    {
        if (Incompatibilities.Count > 0 && !force)
            throw CairnException.InvalidParameter(
                $"The new definitions break what registered feature services use: {string.Join("; ", Incompatibilities)}. " +
                "Change the service too, or apply with --force if the models using it are retired.");
    }
}

/// <summary>Compares registered feature definitions with new ones.</summary>
public static class FeaturePlanner
{
    /// <summary>The kinds of definitions, as <see cref="FeatureChange.Kind"/> names them.</summary>
    public const string Entity = "entity", Source = "source", View = "feature_view", Service = "feature_service", OnDemandView = "on_demand_feature_view";

    private static readonly JsonSerializerOptions Canonical = CairnJson.Options;

    /// <summary>The plan from <paramref name="registered"/> (empty for a first apply) to <paramref name="proposed"/>, which is validated first.</summary>
    /// <exception cref="CairnException">The proposed definitions are invalid (see <see cref="FeatureRepositoryRules.Validate"/>).</exception>
    public static FeaturePlan Plan(FeatureRepository registered, FeatureRepository proposed)
    {
        FeatureRepositoryRules.Validate(proposed);
        var changes = new List<FeatureChange>();
        Compare(Entity, registered.Entities, proposed.Entities, e => e.Name, EntityDetails, changes);
        Compare(Source, registered.Sources, proposed.Sources, s => s.Name, (_, _) => ["definition changed"], changes);
        Compare(View, registered.Views, proposed.Views, v => v.Name, ViewDetails, changes);
        Compare(OnDemandView, registered.OnDemandViews ?? [], proposed.OnDemandViews ?? [], v => v.Name, OnDemandDetails, changes);
        Compare(Service, registered.Services, proposed.Services, s => s.Name, ServiceDetails, changes);
        return new FeaturePlan(changes, Incompatibilities(registered, proposed));
    }

    private static void Compare<T>(string kind, IReadOnlyList<T> before, IReadOnlyList<T> after, Func<T, string> name, Func<T, T, List<string>> details, List<FeatureChange> changes)
    {
        var old = before.ToDictionary(name, StringComparer.Ordinal);
        foreach (var item in after)
        {
            if (!old.Remove(name(item), out var previous)) changes.Add(new FeatureChange(kind, name(item), FeatureChangeKind.Add, []));
            else if (JsonSerializer.Serialize(previous, Canonical) != JsonSerializer.Serialize(item, Canonical))
            {
                var found = details(previous, item);
                changes.Add(new FeatureChange(kind, name(item), FeatureChangeKind.Change, found.Count > 0 ? found : ["definition changed"]));
            }
        }
        changes.AddRange(old.Values.Select(item => new FeatureChange(kind, name(item), FeatureChangeKind.Remove, [])));
    }

    private static List<string> EntityDetails(EntityDefinition before, EntityDefinition after) =>
        FieldDetails("join key", before.JoinKeys, after.JoinKeys);

    /// <summary>What differs between two versions of a view, one line each (features added, removed or retyped, entities, source, TTL...); empty when nothing does.</summary>
    public static IReadOnlyList<string> DiffViews(FeatureViewDefinition before, FeatureViewDefinition after) => ViewDetails(before, after);

    private static List<string> ViewDetails(FeatureViewDefinition before, FeatureViewDefinition after)
    {
        var details = FieldDetails("feature", before.Features, after.Features);
        if (!before.Entities.SequenceEqual(after.Entities)) details.Add($"entities {string.Join(",", before.Entities)} -> {string.Join(",", after.Entities)}");
        if (before.Source != after.Source) details.Add($"source {before.Source} -> {after.Source}");
        if (before.Ttl != after.Ttl) details.Add($"ttl {Ttl(before.Ttl)} -> {Ttl(after.Ttl)}");
        if (before.Transformation != after.Transformation) details.Add("transformation changed");
        if (before.Online != after.Online) details.Add($"online {(before.Online ? "true" : "false")} -> {(after.Online ? "true" : "false")}");
        return details;
    }

    private static List<string> OnDemandDetails(OnDemandFeatureViewDefinition before, OnDemandFeatureViewDefinition after)
    {
        var details = FieldDetails("feature", before.Features, after.Features);
        details.AddRange(FieldDetails("request field", before.RequestFields, after.RequestFields));
        details.AddRange(after.Inputs.Except(before.Inputs).Select(f => $"+ input {f}"));
        details.AddRange(before.Inputs.Except(after.Inputs).Select(f => $"- input {f}"));
        if (before.Function != after.Function) details.Add($"function {before.Function} -> {after.Function}");
        return details;
    }

    private static List<string> ServiceDetails(FeatureServiceDefinition before, FeatureServiceDefinition after)
    {
        var details = after.Features.Except(before.Features).Select(f => $"+ {f}").ToList();
        details.AddRange(before.Features.Except(after.Features).Select(f => $"- {f}"));
        return details;
    }

    private static List<string> FieldDetails(string what, IReadOnlyList<FeatureField> before, IReadOnlyList<FeatureField> after)
    {
        var old = before.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var details = new List<string>();
        foreach (var field in after)
        {
            if (!old.Remove(field.Name, out var previous)) details.Add($"+ {what} {field.Name} ({field.Type.Name()})");
            else if (previous.Type != field.Type) details.Add($"{what} {field.Name}: {previous.Type.Name()} -> {field.Type.Name()}");
        }
        details.AddRange(old.Values.Select(f => $"- {what} {f.Name}"));
        return details;
    }

    /// <summary>Every feature a registered service uses that the proposed views remove or retype, and every join key they retype.</summary>
    private static List<string> Incompatibilities(FeatureRepository registered, FeatureRepository proposed)
    {
        var oldViews = registered.Views.ToDictionary(v => v.Name, StringComparer.Ordinal);
        var newViews = proposed.Views.ToDictionary(v => v.Name, StringComparer.Ordinal);
        var oldEntities = registered.Entities.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var newEntities = proposed.Entities.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var found = new List<string>();
        var oldOnDemand = (registered.OnDemandViews ?? []).ToDictionary(v => v.Name, StringComparer.Ordinal);
        var newOnDemand = (proposed.OnDemandViews ?? []).ToDictionary(v => v.Name, StringComparer.Ordinal);
        foreach (var service in registered.Services)
            foreach (var reference in service.Features)
            {
                if (oldOnDemand.TryGetValue(reference.View, out var oldComputed))
                {
                    if (OnDemandIncompatibility(service, reference, oldComputed, newOnDemand.GetValueOrDefault(reference.View)) is { } broken) found.Add(broken);
                    continue;
                }
                if (!oldViews.TryGetValue(reference.View, out var oldView)) continue;
                var oldType = oldView.Features.FirstOrDefault(f => f.Name == reference.Feature)?.Type;
                if (!newViews.TryGetValue(reference.View, out var newView))
                    found.Add($"the view '{reference.View}' is removed, and service '{service.Name}' uses {reference}");
                else if (newView.Features.FirstOrDefault(f => f.Name == reference.Feature) is not { } field)
                    found.Add($"{reference} is removed, and service '{service.Name}' uses it");
                else if (oldType is { } type && field.Type != type)
                    found.Add($"{reference} changes type {type.Name()} -> {field.Type.Name()}, and service '{service.Name}' uses it");
                else
                    foreach (var entity in newView.Entities)
                        if (oldEntities.TryGetValue(entity, out var oldEntity) && newEntities.TryGetValue(entity, out var newEntity))
                            foreach (var key in newEntity.JoinKeys)
                                if (oldEntity.JoinKeys.FirstOrDefault(k => k.Name == key.Name) is { } oldKey && oldKey.Type != key.Type)
                                    found.Add($"the join key '{key.Name}' of entity '{entity}' changes type {oldKey.Type.Name()} -> {key.Type.Name()}, and service '{service.Name}' uses {reference}");
            }
        return [.. found.Distinct()];
    }

    private static string? OnDemandIncompatibility(FeatureServiceDefinition service, FeatureReference reference, OnDemandFeatureViewDefinition before, OnDemandFeatureViewDefinition? after)
    {
        var oldType = before.Features.FirstOrDefault(f => f.Name == reference.Feature)?.Type;
        if (after is null) return $"the on-demand view '{reference.View}' is removed, and service '{service.Name}' uses {reference}";
        if (after.Features.FirstOrDefault(f => f.Name == reference.Feature) is not { } field) return $"{reference} is removed, and service '{service.Name}' uses it";
        return oldType is { } type && field.Type != type ? $"{reference} changes type {type.Name()} -> {field.Type.Name()}, and service '{service.Name}' uses it" : null;
    }

    private static string Ttl(TimeSpan? ttl) => FeatureDurations.Format(ttl);
}
