using System.Globalization;
using Cairn.Features;
using Cairn.Server.Ui.Components;

namespace Cairn.Server.Ui.FeatureStore;

/// <summary>How the feature pages write links, durations and sources.</summary>
public static class FeatureText
{
    /// <summary>The list of views, services, entities and sources.</summary>
    public const string ListLink = "/features";

    /// <summary>A view's page (its latest definition, versions and diff).</summary>
    public static string ViewLink(string name) => "/features/views/" + Format.Escape(name);

    /// <summary>A view's page opened on the diff between two of its versions.</summary>
    public static string DiffLink(string name, int from, int to) =>
        string.Create(CultureInfo.InvariantCulture, $"{ViewLink(name)}?from={from}&to={to}#diff");

    /// <summary>A service's page.</summary>
    public static string ServiceLink(string name) => "/features/services/" + Format.Escape(name);

    /// <summary>A TTL as definitions write it (see <see cref="FeatureDurations.Format"/>).</summary>
    public static string Ttl(TimeSpan? ttl) => FeatureDurations.Format(ttl);

    /// <summary>Where a source's rows come from: its path, query, table or dataset, whichever its kind uses.</summary>
    public static string Location(FeatureSourceDefinition source) =>
        source.Path ?? source.Query ?? (source.Table is { } table ? table + (source.Connection is { } c ? $" (connection from ${c})" : "") : null) ?? source.Dataset ?? "";

    /// <summary>A view's join keys, through its entities (<c>Origin (string)</c>); an entity that is not registered shows only its name.</summary>
    public static IEnumerable<string> JoinKeys(EntityDefinition? entity) =>
        entity is null ? [] : entity.JoinKeys.Select(k => $"{k.Name} ({k.Type.Name()})");

    /// <summary>The services that use <c>view:feature</c>, in name order.</summary>
    public static IReadOnlyList<string> ServicesUsing(FeatureRepository repository, string view, string feature) =>
        repository.Services.Where(s => s.Features.Contains(new FeatureReference(view, feature)))
            .Select(s => s.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// What changed between two versions of a view, one line each: <see cref="FeaturePlanner.DiffViews"/>, plus the
    /// description and feature descriptions, which the planner leaves out because they change no data.
    /// </summary>
    public static IReadOnlyList<string> Diff(FeatureViewDefinition before, FeatureViewDefinition after)
    {
        var lines = FeaturePlanner.DiffViews(before, after).ToList();
        if (before.Description != after.Description) lines.Add("description changed");
        foreach (var feature in after.Features)
            if (before.Features.FirstOrDefault(f => f.Name == feature.Name) is { } old && old.Description != feature.Description)
                lines.Add($"description of feature {feature.Name} changed");
        return lines;
    }
}
