using Cairn.Quality.Tables;
using YamlDotNet.RepresentationModel;

namespace Cairn.Quality.Validation;

/// <summary>
/// An expectations file: an optional <c>schema</c> (columns and types) and a list of
/// <c>expectations</c>, each <c>- expect: kind</c> with its column and bounds. See docs/quality.md.
/// </summary>
public sealed class Expectations
{
    /// <summary>The file the expectations were read from, named in every error and report line.</summary>
    public string Source { get; }

    public SchemaExpectation? Schema { get; }
    public IReadOnlyList<Expectation> Items { get; }

    /// <summary>The schema first, then the list, in file order.</summary>
    public IEnumerable<Expectation> All => Schema is null ? Items : Items.Prepend(Schema);

    public Expectations(string source, SchemaExpectation? schema, IReadOnlyList<Expectation> items)
    {
        Source = source;
        Schema = schema;
        Items = items;
    }

    public static readonly IReadOnlyList<string> Kinds =
        ["not_null", "range", "allowed_values", "unique", "row_count", "freshness", "mean", "stddev", "quantile"];

    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the file and line of what is wrong.</exception>
    public static Expectations Load(string path)
    {
        if (!File.Exists(path)) throw CairnException.InvalidParameter($"The expectations file '{path}' does not exist.");
        return Parse(File.ReadAllText(path), path);
    }

    public static Expectations Parse(string yaml, string source)
    {
        var root = YamlMap.Load(yaml, source);
        var schema = root.Map("schema") is { } s ? ParseSchema(s) : null;
        var items = new List<Expectation>();
        foreach (var node in root.Sequence("expectations")?.Children ?? [])
        {
            if (node is not YamlMappingNode map) throw YamlMap.Error(source, node, "each expectation must be a mapping starting with 'expect: <kind>'");
            items.Add(ParseOne(new YamlMap(map, source)));
        }
        root.RejectUnknownKeys();
        if (schema is null && items.Count == 0) throw root.Error("the file has no 'schema' and no 'expectations': nothing to check");
        return new Expectations(source, schema, items);
    }

    private static SchemaExpectation ParseSchema(YamlMap map)
    {
        var columns = map.Find("columns") switch
        {
            YamlMappingNode m => m.Children.Select(c => (Name: map.Scalar(c.Key, "columns"), Type: ParseType(map, c.Value))).ToList(),
            YamlSequenceNode list => list.Children.Select(n => (Name: map.Scalar(n, "columns"), Type: (ColumnType?)null)).ToList(),
            null => throw map.Error("'schema' needs 'columns': a mapping of column names to types (string, integer, number, boolean, timestamp, any)"),
            var other => throw map.Error(other, "'columns' must map column names to types"),
        };
        var allowExtra = map.Boolean("allow_extra_columns") ?? true;
        map.RejectUnknownKeys();
        return new SchemaExpectation(columns, allowExtra, map.Line);
    }

    private static ColumnType? ParseType(YamlMap map, YamlNode node)
    {
        if (node is YamlScalarNode { Value: null or "" or "~" or "null" or "any" }) return null;
        var text = map.Scalar(node, "type");
        return ColumnTypes.Parse(text) ?? throw map.Error(node, $"unknown type '{text}' (use string, integer, number, boolean, timestamp or any)");
    }

    private static Expectation ParseOne(YamlMap map)
    {
        var kindNode = map.Required("expect", $"the kind of expectation ({string.Join(", ", Kinds)})");
        var kind = map.Scalar(kindNode, "expect");
        var line = map.Line;
        Expectation result = kind switch
        {
            "not_null" => new NotNullExpectation(Column(map), Fraction(map, "max_missing_fraction") ?? 0, line),
            "range" => Bounded(map, (min, max) => new RangeExpectation(Column(map), min, max, line)),
            "allowed_values" => new AllowedValuesExpectation(Column(map), Values(map), line),
            "unique" => new UniqueExpectation(map.Names("columns") ?? map.Names("column") ?? throw map.Error("'unique' needs 'column' or 'columns'"), line),
            "row_count" => RowCount(map, line),
            "freshness" => new FreshnessExpectation(Column(map), MaxAge(map), line),
            "mean" => Bounded(map, (min, max) => new DistributionExpectation(Column(map), Statistic.Mean, null, min, max, line)),
            "stddev" => Bounded(map, (min, max) => new DistributionExpectation(Column(map), Statistic.Stddev, null, min, max, line)),
            "quantile" => Bounded(map, (min, max) => new DistributionExpectation(Column(map), Statistic.Quantile, Quantile(map), min, max, line)),
            _ => throw map.Error(kindNode, $"unknown expectation '{kind}' (known: {string.Join(", ", Kinds)})"),
        };
        map.RejectUnknownKeys();
        return result;
    }

    private static string Column(YamlMap map) => map.RequiredString("column", "the column it checks");

    private static double? Fraction(YamlMap map, string key)
    {
        var value = map.Number(key);
        return value is null or (>= 0 and <= 1) ? value : throw map.Error(map.Find(key)!, $"'{key}' must be a fraction between 0 and 1, not {value}");
    }

    private static double Quantile(YamlMap map)
    {
        var node = map.Required("q", "the quantile, between 0 and 1 (0.5 is the median)");
        var q = map.ToNumber(node, "q");
        return q is >= 0 and <= 1 ? q : throw map.Error(node, $"'q' must be between 0 and 1, not {q}");
    }

    private static T Bounded<T>(YamlMap map, Func<double?, double?, T> create)
    {
        var min = map.Number("min");
        var max = map.Number("max");
        if (min is null && max is null) throw map.Error("give 'min', 'max' or both");
        if (min > max) throw map.Error($"'min' ({min}) is greater than 'max' ({max})");
        return create(min, max);
    }

    private static RowCountExpectation RowCount(YamlMap map, int line)
    {
        var min = map.Integer("min", 0);
        var max = map.Integer("max", 0);
        if (min is null && max is null) throw map.Error("give 'min', 'max' or both");
        if (min > max) throw map.Error($"'min' ({min}) is greater than 'max' ({max})");
        return new RowCountExpectation(min, max, line);
    }

    private static IReadOnlyList<string> Values(YamlMap map)
    {
        var list = map.Sequence("values") ?? throw map.Error("'allowed_values' needs 'values': the list of allowed values");
        if (list.Children.Count == 0) throw map.Error(list, "'values' is empty: no value would be allowed");
        return list.Children.Select(n => map.Scalar(n, "values")).ToList();
    }

    private static TimeSpan MaxAge(YamlMap map)
    {
        var node = map.Required("max_age", "how old the newest value may be, e.g. 36h or 7d");
        var text = map.Scalar(node, "max_age");
        return Durations.TryParse(text, out var age) ? age : throw map.Error(node, $"'max_age' must be a number and a unit (s, m, h, d, w), such as 36h or 7d, not '{text}'");
    }
}
