namespace Cairn.Features;

/// <summary>A typed column: a feature of a view or a join key of an entity.</summary>
public sealed record FeatureField(string Name, FeatureType Type, string? Description = null);

/// <summary>What features are about (an airport, a customer): its join keys and their types.</summary>
public sealed record EntityDefinition(string Name, IReadOnlyList<FeatureField> JoinKeys, string? Description = null);

/// <summary>The kinds of <see cref="FeatureSourceDefinition"/>.</summary>
public static class FeatureSourceKinds
{
    /// <summary>A Parquet or CSV file, or a folder of them (<see cref="FeatureSourceDefinition.Path"/>).</summary>
    public const string File = "file";
    /// <summary>A DuckDB SQL query (<see cref="FeatureSourceDefinition.Query"/>).</summary>
    public const string Query = "query";
    /// <summary>A PostgreSQL table (<see cref="FeatureSourceDefinition.Table"/>, connection from the environment variable named in <see cref="FeatureSourceDefinition.Connection"/>).</summary>
    public const string Postgres = "postgres";
    /// <summary>A dataset version of Cairn's data versioning (<see cref="FeatureSourceDefinition.Dataset"/>, <c>data:/name@3</c>).</summary>
    public const string Dataset = "dataset";

    /// <summary>Every kind, in the order the docs list them.</summary>
    public static readonly IReadOnlyList<string> All = [File, Query, Postgres, Dataset];
}

/// <summary>
/// Where a view's rows come from. Exactly one of <see cref="Path"/>, <see cref="Query"/>,
/// <see cref="Table"/> or <see cref="Dataset"/> is set, as <see cref="Kind"/> says; every row has
/// an event time in <see cref="TimestampField"/>.
/// </summary>
public sealed record FeatureSourceDefinition(
    string Name,
    string Kind,
    string TimestampField,
    string? Path = null,
    string? Query = null,
    string? Table = null,
    string? Connection = null,
    string? Dataset = null,
    string? Description = null);

/// <summary>
/// A group of features of one or more entities, read from one source: the rows of the source (or of
/// <see cref="Transformation"/>, a DuckDB SQL query over the source named <c>source</c>) carry the
/// entities' join keys, the source's event time and the features. A value is valid from its event
/// time until a newer one arrives or <see cref="Ttl"/> passes (no TTL: valid until replaced).
/// </summary>
public sealed record FeatureViewDefinition(
    string Name,
    IReadOnlyList<string> Entities,
    string Source,
    IReadOnlyList<FeatureField> Features,
    TimeSpan? Ttl = null,
    string? Transformation = null,
    bool Online = true,
    string? Description = null);

/// <summary>A feature named as <c>view:feature</c>.</summary>
public readonly record struct FeatureReference(string View, string Feature)
{
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE when the text is not <c>view:feature</c>.</exception>
    public static FeatureReference Parse(string? text)
    {
        var colon = text?.IndexOf(':') ?? -1;
        if (text is null || colon <= 0 || colon == text.Length - 1 || text.IndexOf(':', colon + 1) >= 0)
            throw CairnException.InvalidParameter($"'{text}' is not a feature reference: write view:feature, such as airport_delays:avg_delay_7d.");
        return new FeatureReference(text[..colon].Trim(), text[(colon + 1)..].Trim());
    }

    /// <summary><c>view:feature</c>.</summary>
    public override string ToString() => $"{View}:{Feature}";
}

/// <summary>
/// Features computed at request time (Feast's on-demand feature view) by the C# function named
/// <see cref="Function"/>, from values sent with the request (<see cref="RequestFields"/>: extra
/// entity columns online, columns of the entity table offline) and stored features
/// (<see cref="Inputs"/>). The same function runs for online lookups and training sets, so the two
/// never disagree. Services name its features as <c>name:feature</c>, like a view's.
/// </summary>
public sealed record OnDemandFeatureViewDefinition(
    string Name,
    IReadOnlyList<FeatureField> RequestFields,
    IReadOnlyList<FeatureReference> Inputs,
    IReadOnlyList<FeatureField> Features,
    string Function,
    string? Description = null);

/// <summary>A named group of features a model uses (Feast's feature service).</summary>
public sealed record FeatureServiceDefinition(string Name, IReadOnlyList<FeatureReference> Features, string? Description = null);

/// <summary>
/// Everything a project declares (its <c>features/*.yaml</c> or C# definitions): what
/// <c>cairn features plan</c> compares with the registered versions and <c>apply</c> registers.
/// </summary>
public sealed record FeatureRepository(
    IReadOnlyList<EntityDefinition> Entities,
    IReadOnlyList<FeatureSourceDefinition> Sources,
    IReadOnlyList<FeatureViewDefinition> Views,
    IReadOnlyList<FeatureServiceDefinition> Services)
{
    /// <summary>The on-demand feature views (computed at request time); empty unless given.</summary>
    public IReadOnlyList<OnDemandFeatureViewDefinition> OnDemandViews { get; init; } = [];

    /// <summary>An empty repository.</summary>
    public static readonly FeatureRepository Empty = new([], [], [], []);
}
