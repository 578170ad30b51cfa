using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cairn.Pipelines.Tests;

/// <summary>
/// Reads a CI file as its service does and gives the JSON a schema is checked against. Plain
/// scalars are typed by the YAML 1.2 core rules (true, 3, null), except for Azure Pipelines, which
/// reads every scalar as text; quoted scalars are always text. A repeated key is an error.
/// </summary>
internal static class CiYamlJson
{
    public static JsonNode? Convert(string yaml, bool scalarsAsText = false)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        Assert.Single(stream.Documents);
        return Node(stream.Documents[0].RootNode, scalarsAsText);
    }

    private static JsonNode? Node(YamlNode node, bool scalarsAsText) => node switch
    {
        YamlMappingNode mapping => Object(mapping, scalarsAsText),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(c => Node(c, scalarsAsText)).ToArray()),
        YamlScalarNode scalar => Scalar(scalar, scalarsAsText),
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}"),
    };

    private static JsonObject Object(YamlMappingNode mapping, bool scalarsAsText)
    {
        var result = new JsonObject();
        foreach (var (key, value) in mapping.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            if (result.ContainsKey(name)) throw new InvalidOperationException($"Key '{name}' appears twice.");
            result[name] = Node(value, scalarsAsText);
        }
        return result;
    }

    private static JsonNode? Scalar(YamlScalarNode scalar, bool scalarsAsText)
    {
        var text = scalar.Value ?? "";
        if (scalarsAsText || scalar.Style != ScalarStyle.Plain) return JsonValue.Create(text);
        if (text is "" or "~" or "null" or "Null" or "NULL") return null;
        if (text is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (text is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return JsonValue.Create(integer);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && char.IsAsciiDigit(text[^1])) return JsonValue.Create(number);
        return JsonValue.Create(text);
    }
}
