using Cairn.Monitoring;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Cairn.Features;

/// <summary>
/// Reads feature definitions from YAML (<c>features/*.yaml</c>), in Feast's shape: lists of
/// <c>entities</c>, <c>sources</c>, <c>feature_views</c>, <c>on_demand_feature_views</c> and <c>feature_services</c>, which may be
/// spread over several files and documents. Every error names the file, the line and the key; an
/// unknown key is an error, never ignored. The result is validated by <see cref="FeatureRepositoryRules"/>.
/// </summary>
/// <example>
/// <code>
/// entities:
///   - name: origin_airport
///     join_keys: [{name: Origin, type: string}]
/// sources:
///   - name: flights
///     path: data/flights.parquet
///     timestamp_field: event_time
/// feature_views:
///   - name: airport_delays
///     entities: [origin_airport]
///     source: flights
///     ttl: 7d
///     features: [{name: avg_delay_7d, type: double}]
/// on_demand_feature_views:
///   - name: delay_ratios
///     request_fields: [{name: scheduled_minutes, type: int64}]
///     inputs: [airport_delays:avg_delay_7d]
///     function: delay_ratio
///     features: [{name: delay_ratio, type: double}]
/// feature_services:
///   - name: delay_v1
///     features: [airport_delays:avg_delay_7d]
/// </code>
/// </example>
public static class FeatureRepositoryYaml
{
    /// <summary>The folder of a project that holds its definitions.</summary>
    public const string DefaultFolder = "features";
    /// <summary>The largest definitions file read.</summary>
    public const long MaxFileBytes = 4 * 1024 * 1024;
    /// <summary>The most bytes read from all files of a folder together.</summary>
    public const long MaxTotalBytes = 16 * 1024 * 1024;
    /// <summary>The deepest nesting of lists and mappings accepted (definitions need four).</summary>
    public const int MaxDepth = 32;

    private static readonly string[] TopKeys = ["entities", "sources", "feature_views", "on_demand_feature_views", "feature_services"];
    private static readonly string[] EntityKeys = ["name", "join_keys", "description"];
    private static readonly string[] FieldKeys = ["name", "type", "description"];
    private static readonly string[] SourceKeys = ["name", "kind", "timestamp_field", "path", "query", "table", "connection", "dataset", "description"];
    private static readonly string[] ViewKeys = ["name", "entities", "source", "features", "ttl", "transformation", "online", "description"];
    private static readonly string[] ServiceKeys = ["name", "features", "description"];
    private static readonly string[] OnDemandKeys = ["name", "request_fields", "inputs", "features", "function", "description"];

    /// <summary>
    /// Reads a definitions file, or every <c>*.yaml</c> and <c>*.yml</c> file of a folder (in name
    /// order), into one validated repository.
    /// </summary>
    /// <exception cref="CairnException">NOT_FOUND when nothing is at <paramref name="path"/>; INVALID_PARAMETER_VALUE naming the file, line and key that is wrong.</exception>
    public static FeatureRepository Load(string path)
    {
        IReadOnlyList<string> files;
        if (Directory.Exists(path))
        {
            files = Directory.EnumerateFiles(path, "*.*", SearchOption.TopDirectoryOnly)
                .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0) throw CairnException.NotFound($"The folder {path} has no feature definitions (*.yaml files).");
        }
        else if (File.Exists(path)) files = [path];
        else throw CairnException.NotFound($"There are no feature definitions at {path}: give a folder of *.yaml files (by default ./{DefaultFolder}) or one file.");

        var total = 0L;
        var parts = new List<FeatureRepository>();
        foreach (var file in files)
        {
            var length = new FileInfo(file).Length;
            if (length > MaxFileBytes) throw CairnException.InvalidParameter($"{file} is {length} bytes; a definitions file may have at most {MaxFileBytes}.");
            total += length;
            if (total > MaxTotalBytes) throw CairnException.InvalidParameter($"The definitions in {path} are more than {MaxTotalBytes} bytes together.");
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw CairnException.InvalidParameter($"Cannot read the definitions file {file}: {e.Message}");
            }
            parts.Add(Read(text, file));
        }
        var repository = new FeatureRepository(
            [.. parts.SelectMany(p => p.Entities)], [.. parts.SelectMany(p => p.Sources)],
            [.. parts.SelectMany(p => p.Views)], [.. parts.SelectMany(p => p.Services)])
        {
            OnDemandViews = [.. parts.SelectMany(p => p.OnDemandViews)],
        };
        Validate(repository, path);
        return repository;
    }

    /// <summary>Reads definitions from YAML text and validates them; <paramref name="file"/> names it in errors.</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the file, line and key that is wrong.</exception>
    public static FeatureRepository Parse(string text, string file)
    {
        if (text.Length > MaxFileBytes) throw CairnException.InvalidParameter($"{file} is longer than {MaxFileBytes} characters.");
        var repository = Read(text, file);
        Validate(repository, file);
        return repository;
    }

    private static void Validate(FeatureRepository repository, string path)
    {
        try
        {
            FeatureRepositoryRules.Validate(repository);
        }
        catch (CairnException e)
        {
            throw CairnException.InvalidParameter($"{path}: {e.Message}");
        }
    }

    private static FeatureRepository Read(string text, string file)
    {
        RefuseAliasesAndDeepNesting(text, file);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw CairnException.InvalidParameter($"{file}:{e.Start.Line}: not valid YAML: {(e.InnerException ?? e).Message}");
        }
        var reader = new Reader(file);
        var entities = new List<EntityDefinition>();
        var sources = new List<FeatureSourceDefinition>();
        var views = new List<FeatureViewDefinition>();
        var services = new List<FeatureServiceDefinition>();
        var onDemand = new List<OnDemandFeatureViewDefinition>();
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is YamlScalarNode { Value: null or "" }) continue; // an empty document
            var keys = reader.Keys(document.RootNode, TopKeys, "a definitions file");
            if (keys.TryGetValue("entities", out var e)) entities.AddRange(reader.Items(e, "entities").Select(reader.Entity));
            if (keys.TryGetValue("sources", out var s)) sources.AddRange(reader.Items(s, "sources").Select(reader.Source));
            if (keys.TryGetValue("feature_views", out var v)) views.AddRange(reader.Items(v, "feature_views").Select(reader.View));
            if (keys.TryGetValue("feature_services", out var f)) services.AddRange(reader.Items(f, "feature_services").Select(reader.Service));
            if (keys.TryGetValue("on_demand_feature_views", out var o)) onDemand.AddRange(reader.Items(o, "on_demand_feature_views").Select(reader.OnDemandView));
        }
        return new FeatureRepository(entities, sources, views, services) { OnDemandViews = onDemand };
    }

    /// <summary>
    /// Aliases can expand a small file into billions of nodes (the "billion laughs"), and deep nesting
    /// can exhaust the stack of the recursive loader: both are refused from the event stream first.
    /// </summary>
    private static void RefuseAliasesAndDeepNesting(string text, string file)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case AnchorAlias alias:
                        throw CairnException.InvalidParameter($"{file}:{alias.Start.Line}: aliases (*{alias.Value}) are not supported in feature definitions; write the value out.");
                    case NodeEvent { Anchor.IsEmpty: false } anchored:
                        throw CairnException.InvalidParameter($"{file}:{anchored.Start.Line}: anchors (&{anchored.Anchor}) are not supported in feature definitions; write the value out.");
                    case MappingStart or SequenceStart when ++depth > MaxDepth:
                        throw CairnException.InvalidParameter($"{file}:{parser.Current.Start.Line}: lists and mappings are nested more than {MaxDepth} deep.");
                    case MappingEnd or SequenceEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (YamlException e)
        {
            throw CairnException.InvalidParameter($"{file}:{e.Start.Line}: not valid YAML: {(e.InnerException ?? e).Message}");
        }
    }

    private sealed class Reader(string file)
    {
        private CairnException Error(YamlNode node, string message) => CairnException.InvalidParameter($"{file}:{node.Start.Line}: {message}.");

        public Dictionary<string, YamlNode> Keys(YamlNode node, string[] allowed, string what)
        {
            if (node is not YamlMappingNode mapping) throw Error(node, $"{what} must be a mapping of keys ({string.Join(", ", allowed)}) to values");
            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (k, v) in mapping.Children)
            {
                var key = k is YamlScalarNode { Value: { Length: > 0 } name } ? name : throw Error(k, $"a key of {what} must be a plain name");
                if (!allowed.Contains(key)) throw Error(k, $"'{key}' is not a key of {what}; the keys are {string.Join(", ", allowed)}");
                if (!result.TryAdd(key, v)) throw Error(k, $"'{key}' is given twice in {what}");
            }
            return result;
        }

        public IEnumerable<YamlNode> Items(YamlNode node, string what) => node switch
        {
            YamlSequenceNode sequence => sequence.Children,
            YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" } => [],
            _ => throw Error(node, $"'{what}' must be a list"),
        };

        private string Scalar(YamlNode node, string what) =>
            node is YamlScalarNode { Value: { } value } ? value : throw Error(node, $"{what} must be a single value, not a list or mapping");

        private string? Optional(Dictionary<string, YamlNode> keys, string key, string where) =>
            keys.TryGetValue(key, out var node) ? Scalar(node, $"'{key}' of {where}") : null;

        private string Required(Dictionary<string, YamlNode> keys, string key, string where, YamlNode at) =>
            Optional(keys, key, where) is { Length: > 0 } value ? value : throw Error(at, $"{where} needs '{key}'");

        private static string Named(Dictionary<string, YamlNode> keys, string what) =>
            keys.TryGetValue("name", out var n) && n is YamlScalarNode { Value: { Length: > 0 } name } ? $"{what} '{name}'" : what;

        private List<string> Names(YamlNode node, string what) =>
            [.. Items(node, what).Select(item => Scalar(item, $"each entry of '{what}'"))];

        private List<FeatureField> Fields(YamlNode node, string what) =>
            [.. Items(node, what).Select(item =>
            {
                var keys = Keys(item, FieldKeys, $"each entry of '{what}'");
                var where = Named(keys, $"an entry of '{what}'");
                var type = Required(keys, "type", where, item);
                FeatureType parsed;
                try
                {
                    parsed = FeatureTypes.Parse(type, where);
                }
                catch (CairnException e)
                {
                    throw Error(keys["type"], e.Message.TrimEnd('.'));
                }
                return new FeatureField(Required(keys, "name", where, item), parsed, Optional(keys, "description", where));
            })];

        public EntityDefinition Entity(YamlNode node)
        {
            var keys = Keys(node, EntityKeys, "an entity");
            var where = Named(keys, "the entity");
            return new EntityDefinition(Required(keys, "name", where, node),
                keys.TryGetValue("join_keys", out var k) ? Fields(k, "join_keys") : throw Error(node, $"{where} needs 'join_keys'"),
                Optional(keys, "description", where));
        }

        public FeatureSourceDefinition Source(YamlNode node)
        {
            var keys = Keys(node, SourceKeys, "a source");
            var where = Named(keys, "the source");
            var location = new[] { (FeatureSourceKinds.File, "path"), (FeatureSourceKinds.Query, "query"), (FeatureSourceKinds.Postgres, "table"), (FeatureSourceKinds.Dataset, "dataset") }
                .Where(l => keys.ContainsKey(l.Item2)).Select(l => l.Item1).ToList();
            // The kind follows from the one location given; written out, it must agree (checked by the rules).
            var kind = Optional(keys, "kind", where) ?? (location.Count == 1 ? location[0]
                : throw Error(node, $"{where} needs one of 'path', 'query', 'table' or 'dataset' (or a 'kind')"));
            return new FeatureSourceDefinition(Required(keys, "name", where, node), kind, Required(keys, "timestamp_field", where, node),
                Optional(keys, "path", where), Optional(keys, "query", where), Optional(keys, "table", where),
                Optional(keys, "connection", where), Optional(keys, "dataset", where), Optional(keys, "description", where));
        }

        public FeatureViewDefinition View(YamlNode node)
        {
            var keys = Keys(node, ViewKeys, "a feature view");
            var where = Named(keys, "the feature view");
            TimeSpan? ttl = null;
            if (keys.TryGetValue("ttl", out var t))
            {
                var text = Scalar(t, $"'ttl' of {where}");
                try
                {
                    ttl = MonitorDuration.Parse(text, $"ttl of {where}");
                }
                catch (CairnException e)
                {
                    throw Error(t, e.Message.TrimEnd('.'));
                }
            }
            var online = true;
            if (keys.TryGetValue("online", out var o))
                online = Scalar(o, $"'online' of {where}") switch
                {
                    "true" or "True" or "yes" => true,
                    "false" or "False" or "no" => false,
                    _ => throw Error(o, $"'online' of {where} must be true or false"),
                };
            return new FeatureViewDefinition(Required(keys, "name", where, node),
                keys.TryGetValue("entities", out var ents) ? Names(ents, "entities") : throw Error(node, $"{where} needs 'entities'"),
                Required(keys, "source", where, node),
                keys.TryGetValue("features", out var f) ? Fields(f, "features") : throw Error(node, $"{where} needs 'features'"),
                ttl, Optional(keys, "transformation", where), online, Optional(keys, "description", where));
        }

        public FeatureServiceDefinition Service(YamlNode node)
        {
            var keys = Keys(node, ServiceKeys, "a feature service");
            var where = Named(keys, "the feature service");
            if (!keys.TryGetValue("features", out var f)) throw Error(node, $"{where} needs 'features' (a list of view:feature)");
            return new FeatureServiceDefinition(Required(keys, "name", where, node), References(f, "features", where), Optional(keys, "description", where));
        }

        public OnDemandFeatureViewDefinition OnDemandView(YamlNode node)
        {
            var keys = Keys(node, OnDemandKeys, "an on-demand feature view");
            var where = Named(keys, "the on-demand feature view");
            return new OnDemandFeatureViewDefinition(Required(keys, "name", where, node),
                keys.TryGetValue("request_fields", out var r) ? Fields(r, "request_fields") : [],
                keys.TryGetValue("inputs", out var i) ? References(i, "inputs", where) : [],
                keys.TryGetValue("features", out var f) ? Fields(f, "features") : throw Error(node, $"{where} needs 'features'"),
                Required(keys, "function", where, node), Optional(keys, "description", where));
        }

        private List<FeatureReference> References(YamlNode node, string what, string where) =>
            [.. Items(node, what).Select(item =>
            {
                var text = Scalar(item, $"each entry of '{what}' of {where}");
                try
                {
                    return FeatureReference.Parse(text);
                }
                catch (CairnException e)
                {
                    throw Error(item, e.Message.TrimEnd('.'));
                }
            })];
    }
}
