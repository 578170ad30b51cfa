namespace Cairn.Features;

/// <summary>The kinds of registered definitions, as <see cref="FeatureDefinitionVersion.Kind"/> and <see cref="FeatureChange.Kind"/> name them.</summary>
public static class FeatureDefinitionKinds
{
    /// <summary>An <see cref="EntityDefinition"/>.</summary>
    public const string Entity = FeaturePlanner.Entity;
    /// <summary>A <see cref="FeatureSourceDefinition"/>.</summary>
    public const string Source = FeaturePlanner.Source;
    /// <summary>A <see cref="FeatureViewDefinition"/>.</summary>
    public const string View = FeaturePlanner.View;
    /// <summary>A <see cref="FeatureServiceDefinition"/>.</summary>
    public const string Service = FeaturePlanner.Service;

    /// <summary>An <see cref="OnDemandFeatureViewDefinition"/>.</summary>
    public const string OnDemandView = FeaturePlanner.OnDemandView;

    /// <summary>Every kind.</summary>
    public static readonly IReadOnlyList<string> All = [Entity, Source, View, Service, OnDemandView];

    /// <summary>The most definitions one apply may hold, and the most history entries one call returns.</summary>
    public const int MaxDefinitions = 10_000;

    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the kinds.</exception>
    public static string Check(string? kind) =>
        kind is not null && All.Contains(kind) ? kind : throw CairnException.InvalidParameter($"Unknown definition kind '{kind}': use {string.Join(", ", All)}.");
}

/// <summary>
/// One version of one registered definition: exactly one of <see cref="Entity"/>, <see cref="Source"/>,
/// <see cref="View"/>, <see cref="Service"/> or <see cref="OnDemandView"/> is set, as <see cref="Kind"/> says, or none when
/// <see cref="Removed"/> (the apply that removed the definition).
/// </summary>
public sealed record FeatureDefinitionVersion(
    string Kind,
    string Name,
    int Version,
    long Apply,
    long CreationTime,
    bool Removed = false,
    EntityDefinition? Entity = null,
    FeatureSourceDefinition? Source = null,
    FeatureViewDefinition? View = null,
    FeatureServiceDefinition? Service = null,
    OnDemandFeatureViewDefinition? OnDemandView = null)
{
    /// <summary><c>features:/name@N</c> for a view; for other kinds <c>kind name@N</c>.</summary>
    public string Address => Kind == FeatureDefinitionKinds.View ? new FeatureUri(Name, Version).ToString() : $"{Kind} {Name}@{Version}";
}

/// <summary>What an apply did: its number (0 when nothing changed), its plan and the versions it wrote.</summary>
public sealed record FeatureApplyResult(long Apply, FeaturePlan Plan, IReadOnlyList<FeatureDefinitionVersion> Versions);
