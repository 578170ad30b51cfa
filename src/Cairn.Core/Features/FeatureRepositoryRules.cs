using Cairn.Data;

namespace Cairn.Features;

/// <summary>
/// What feature definitions must satisfy before they are planned or registered. Names become SQL
/// identifiers, Parquet columns and Redis keys, so they are plain identifiers; every reference
/// (a view's entities and source, a service's features) must resolve.
/// </summary>
public static class FeatureRepositoryRules
{
    /// <summary>The longest name of an entity, source, view, service, feature or column.</summary>
    public const int MaxNameLength = 100;
    /// <summary>The longest SQL text of a query source or a transformation.</summary>
    public const int MaxSqlLength = 100_000;

    /// <summary>An ASCII letter or '_' first, then letters, digits or '_', up to <see cref="MaxNameLength"/>.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming <paramref name="what"/>.</exception>
    public static string Name(string? name, string what)
    {
        if (string.IsNullOrWhiteSpace(name)) throw CairnException.InvalidParameter($"{Capitalized(what)} needs a name.");
        if (name.Length > MaxNameLength) throw CairnException.InvalidParameter($"The name of {what} is {name.Length} characters long; the limit is {MaxNameLength}.");
        if (!(char.IsAsciiLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw CairnException.InvalidParameter($"Invalid name '{name}' for {what}: use letters, digits and '_', starting with a letter or '_'.");
        return name;
    }

    /// <summary>Checks the whole repository; the first problem found is the error.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the definition and what is wrong.</exception>
    public static void Validate(FeatureRepository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var entities = Unique(repository.Entities, e => Name(e.Name, "an entity"), "entity");
        var sources = Unique(repository.Sources, s => Name(s.Name, "a source"), "source");
        var views = Unique(repository.Views, v => Name(v.Name, "a feature view"), "feature view");
        var onDemand = Unique(repository.OnDemandViews, v => Name(v.Name, "an on-demand feature view"), "on-demand feature view");
        Unique(repository.Services, s => Name(s.Name, "a feature service"), "feature service");
        // Services and inputs name features as view:feature, so one name must not mean two views.
        if (onDemand.Keys.FirstOrDefault(n => views.Keys.Any(v => string.Equals(v, n, StringComparison.OrdinalIgnoreCase))) is { } both)
            throw CairnException.InvalidParameter($"'{both}' names both a feature view and an on-demand feature view; rename one.");
        foreach (var entity in repository.Entities ?? []) Entity(entity);
        foreach (var source in repository.Sources ?? []) Source(source);
        foreach (var view in repository.Views ?? []) View(view, entities, sources);
        foreach (var view in repository.OnDemandViews ?? []) OnDemandFeatureViewRules.Validate(view, views, entities);
        var features = views.ToDictionary(v => v.Key, v => v.Value.Features, StringComparer.Ordinal);
        foreach (var (name, view) in onDemand) features[name] = view.Features;
        foreach (var service in repository.Services ?? []) Service(service, features);
    }

    private static void Entity(EntityDefinition entity)
    {
        var where = $"entity '{entity.Name}'";
        if (entity.JoinKeys is not { Count: > 0 }) throw CairnException.InvalidParameter($"The {where} needs at least one join key.");
        Unique(entity.JoinKeys, k => Name(k.Name, $"a join key of {where}"), $"join key of {where}");
        var bad = entity.JoinKeys.FirstOrDefault(k => k.Type is not (FeatureType.Int64 or FeatureType.String));
        if (bad is not null) throw CairnException.InvalidParameter($"The join key '{bad.Name}' of {where} is {bad.Type.Name()}: join keys are int64 or string.");
    }

    private static void Source(FeatureSourceDefinition source)
    {
        var where = $"source '{source.Name}'";
        if (!FeatureSourceKinds.All.Contains(source.Kind))
            throw CairnException.InvalidParameter($"The {where} has kind '{source.Kind}'; use {string.Join(", ", FeatureSourceKinds.All)}.");
        Name(source.TimestampField, $"the timestamp field of {where}");
        var locations = new (string Kind, string Field, string? Value)[]
        {
            (FeatureSourceKinds.File, "path", source.Path), (FeatureSourceKinds.Query, "query", source.Query),
            (FeatureSourceKinds.Postgres, "table", source.Table), (FeatureSourceKinds.Dataset, "dataset", source.Dataset),
        };
        foreach (var (kind, field, value) in locations)
        {
            if (kind == source.Kind && string.IsNullOrWhiteSpace(value)) throw CairnException.InvalidParameter($"The {where} is of kind {kind}: it needs a {field}.");
            if (kind != source.Kind && value is not null) throw CairnException.InvalidParameter($"The {where} is of kind {source.Kind}: a {field} belongs to a {kind} source.");
        }
        if (source.Path is { } path && (path.Length > 4096 || path.Contains('\0')))
            throw CairnException.InvalidParameter($"The path of {where} must be 1 to 4096 characters without NUL.");
        if (source.Query is { Length: > MaxSqlLength }) throw CairnException.InvalidParameter($"The query of {where} is longer than {MaxSqlLength} characters.");
        if (source.Table is { } table)
        {
            var parts = table.Split('.');
            if (parts.Length > 2) throw CairnException.InvalidParameter($"The table of {where} is '{table}': write schema.table, or table alone for the search path.");
            foreach (var part in parts) Name(part, $"the table of {where} (schema.table)");
        }
        if (source.Kind == FeatureSourceKinds.Postgres && string.IsNullOrWhiteSpace(source.Connection))
            throw CairnException.InvalidParameter($"The {where} is of kind postgres: it needs a connection, the name of the environment variable that holds the connection string (such as FEATURES_PG).");
        if (source.Connection is not null && source.Kind != FeatureSourceKinds.Postgres)
            throw CairnException.InvalidParameter($"The {where} is of kind {source.Kind}: a connection belongs to a postgres source.");
        if (source.Connection is { } variable && !variable.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw CairnException.InvalidParameter($"The connection of {where} names the environment variable holding it (such as FEATURES_PG), never the connection string itself.");
        if (source.Dataset is { } dataset)
        {
            var uri = DataUri.Parse(dataset);
            if (uri.VersionOrDigest is null) throw CairnException.InvalidParameter($"The dataset of {where} must name a version, such as {dataset}@3, so that training sets can be rebuilt.");
        }
    }

    private static void View(FeatureViewDefinition view, IReadOnlyDictionary<string, EntityDefinition> entities, IReadOnlyDictionary<string, FeatureSourceDefinition> sources)
    {
        var where = $"feature view '{view.Name}'";
        if (view.Entities is not { Count: > 0 }) throw CairnException.InvalidParameter($"The {where} needs at least one entity.");
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in view.Entities)
        {
            if (name is null) throw CairnException.InvalidParameter($"The {where} has an empty entry in its entities.");
            if (!entities.TryGetValue(name, out var entity)) throw CairnException.InvalidParameter($"The {where} names the entity '{name}', which is not defined.");
            foreach (var key in entity.JoinKeys)
                if (!keys.Add(key.Name)) throw CairnException.InvalidParameter($"The {where} has the join key '{key.Name}' twice (from its entities).");
        }
        if (!sources.TryGetValue(view.Source ?? "", out var source)) throw CairnException.InvalidParameter($"The {where} reads the source '{view.Source}', which is not defined.");
        if (view.Features is not { Count: > 0 }) throw CairnException.InvalidParameter($"The {where} needs at least one feature.");
        Unique(view.Features, f => Name(f.Name, $"a feature of {where}"), $"feature of {where}");
        var clash = view.Features.FirstOrDefault(f => keys.Contains(f.Name) || string.Equals(f.Name, source.TimestampField, StringComparison.OrdinalIgnoreCase));
        if (clash is not null) throw CairnException.InvalidParameter($"The feature '{clash.Name}' of {where} has the name of a join key or of the timestamp field.");
        if (view.Ttl is { } ttl && ttl <= TimeSpan.Zero) throw CairnException.InvalidParameter($"The ttl of {where} must be positive, or left out for values valid until replaced.");
        if (view.Transformation is { } sql && (string.IsNullOrWhiteSpace(sql) || sql.Length > MaxSqlLength))
            throw CairnException.InvalidParameter($"The transformation of {where} must be a SQL query of 1 to {MaxSqlLength} characters.");
    }

    private static void Service(FeatureServiceDefinition service, IReadOnlyDictionary<string, IReadOnlyList<FeatureField>> views)
    {
        var where = $"feature service '{service.Name}'";
        if (service.Features is not { Count: > 0 }) throw CairnException.InvalidParameter($"The {where} needs at least one feature.");
        var seen = new HashSet<FeatureReference>();
        foreach (var reference in service.Features)
        {
            if (reference.View is null || reference.Feature is null) throw CairnException.InvalidParameter($"The {where} has a feature without a view or a name: write view:feature.");
            if (!views.TryGetValue(reference.View, out var fields)) throw CairnException.InvalidParameter($"The {where} uses {reference}, but there is no feature view '{reference.View}' (nor an on-demand one).");
            if (fields.All(f => f.Name != reference.Feature))
                throw CairnException.InvalidParameter($"The {where} uses {reference}, but the view '{reference.View}' has no feature '{reference.Feature}' (it has {string.Join(", ", fields.Select(f => f.Name))}).");
            if (!seen.Add(reference)) throw CairnException.InvalidParameter($"The {where} lists {reference} twice.");
        }
    }

    internal static Dictionary<string, T> Unique<T>(IReadOnlyList<T>? items, Func<T, string> name, string what)
    {
        var byName = new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items ?? [])
            if (item is null) throw CairnException.InvalidParameter($"There is an empty entry among the {what} definitions.");
            else if (!byName.TryAdd(name(item), item)) throw CairnException.InvalidParameter($"There are two of {what} named '{name(item)}' (names are compared ignoring case).");
        return new Dictionary<string, T>(byName, StringComparer.Ordinal);
    }

    private static string Capitalized(string what) => char.ToUpperInvariant(what[0]) + what[1..];
}
