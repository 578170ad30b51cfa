using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cairn.Quality;

/// <summary>
/// A YAML mapping read key by key, each error naming the file and line. Keys nobody asked for are
/// refused by <see cref="RejectUnknownKeys"/>, so a typo such as <c>mn: 0</c> is an error, not a
/// check that silently does nothing.
/// </summary>
internal sealed class YamlMap
{
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public string Source { get; }
    public YamlMappingNode Node { get; }
    public int Line => (int)Node.Start.Line;

    public YamlMap(YamlMappingNode node, string source)
    {
        Node = node;
        Source = source;
    }

    /// <summary>Parses a whole file whose top level is a mapping.</summary>
    public static YamlMap Load(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw CairnException.InvalidParameter($"{source} line {e.Start.Line}: not valid YAML: {Message(e)}");
        }
        catch (ArgumentException e)
        {
            // Duplicate keys surface from the node's dictionary.
            throw CairnException.InvalidParameter($"{source}: not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
            throw CairnException.InvalidParameter($"{source} is empty.");
        return stream.Documents[0].RootNode is YamlMappingNode root
            ? new YamlMap(root, source)
            : throw Error(source, stream.Documents[0].RootNode, "the file must be a mapping of keys to values");
    }

    /// <summary>The message of a YAML error without the mark YamlDotNet puts in front of it (the line is given separately).</summary>
    private static string Message(YamlException e)
    {
        var message = e.InnerException?.Message ?? e.Message;
        var close = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && close > 0 ? message[(close + 3)..] : message;
    }

    public static CairnException Error(string source, YamlNode node, string message) =>
        CairnException.InvalidParameter($"{source} line {node.Start.Line}: {message}.");

    public CairnException Error(YamlNode node, string message) => Error(Source, node, message);

    public CairnException Error(string message) => Error(Source, Node, message);

    public bool Has(string key) => Find(key) is not null;

    public YamlNode? Find(string key)
    {
        _read.Add(key);
        return Node.Children.TryGetValue(new YamlScalarNode(key), out var value) && !IsNull(value) ? value : null;
    }

    public YamlNode Required(string key, string what) => Find(key) ?? throw Error($"'{key}' is missing: give {what}");

    public string? String(string key) => Find(key) is { } node ? Scalar(node, key) : null;

    public string RequiredString(string key, string what) => Scalar(Required(key, what), key);

    public double? Number(string key) => Find(key) is { } node ? ToNumber(node, key) : null;

    public long? Integer(string key, long min = long.MinValue)
    {
        if (Find(key) is not { } node) return null;
        var text = Scalar(node, key);
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw Error(node, $"'{key}' must be a whole number, not '{text}'");
        return value >= min ? value : throw Error(node, $"'{key}' must be at least {min}, not {value}");
    }

    public bool? Boolean(string key) => Find(key) is { } node ? ToBoolean(node, key) : null;

    public YamlMap? Map(string key) => Find(key) switch
    {
        null => null,
        YamlMappingNode map => new YamlMap(map, Source),
        var other => throw Error(other, $"'{key}' must be a mapping (key: value lines)"),
    };

    public YamlSequenceNode? Sequence(string key) => Find(key) switch
    {
        null => null,
        YamlSequenceNode list => list,
        var other => throw Error(other, $"'{key}' must be a list"),
    };

    /// <summary>A key whose value is one name or a list of names (<c>column: a</c> or <c>columns: [a, b]</c>).</summary>
    public IReadOnlyList<string>? Names(string key)
    {
        return Find(key) switch
        {
            null => null,
            YamlScalarNode scalar => [Scalar(scalar, key)],
            YamlSequenceNode list when list.Children.Count > 0 => list.Children.Select(n => Scalar(n, key)).ToList(),
            var other => throw Error(other, $"'{key}' must be a name or a non-empty list of names"),
        };
    }

    public void RejectUnknownKeys()
    {
        foreach (var (key, _) in Node.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!_read.Contains(name))
                throw Error(key, $"unknown key '{name}' (expected one of: {string.Join(", ", _read.Order(StringComparer.Ordinal))})");
        }
    }

    public string Scalar(YamlNode node, string key) =>
        node is YamlScalarNode { Value: { } value } ? value : throw Error(node, $"'{key}' must be a single value, not a list or mapping");

    public double ToNumber(YamlNode node, string key)
    {
        var text = Scalar(node, key);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? value
            : throw Error(node, $"'{key}' must be a number, not '{text}'");
    }

    public bool ToBoolean(YamlNode node, string key)
    {
        var text = Scalar(node, key);
        return text.ToLowerInvariant() switch
        {
            "true" or "yes" => true,
            "false" or "no" => false,
            _ => throw Error(node, $"'{key}' must be true or false, not '{text}'"),
        };
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "" or "~" or "null" or "Null" or "NULL" };
}
