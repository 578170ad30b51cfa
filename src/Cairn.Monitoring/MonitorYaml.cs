using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Cairn.Monitoring;

/// <summary>
/// A monitor file (<c>monitors/*.yaml</c>): the spec's fields as snake_case keys, as the REST API
/// takes them. The YAML becomes JSON and is read with the spec's own JSON rules, so the file and
/// the API accept exactly the same keys; a key the spec does not have is an error naming it.
/// </summary>
/// <example>
/// <code>
/// name: delay-drift
/// model: models:/delay@champion
/// reference: data:/flights@3
/// window: 1h
/// schedule: "0 * * * *"
/// alerts:
///   - name: drift
///     rule: drift_share > 0.3
///     severity: critical
/// destinations:
///   - type: webhook
///     url: https://hooks.example.com/cairn
/// </code>
/// </example>
public static class MonitorYaml
{
    /// <summary>Reads a monitor file; the spec is not yet validated (the store does that).</summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming the file, and the line or key that is wrong.</exception>
    public static MonitorSpec Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CairnException.InvalidParameter($"Cannot read the monitor file {path}: {e.Message}");
        }
        return Parse(text, path);
    }

    public static MonitorSpec Parse(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw CairnException.InvalidParameter($"{source} line {e.Start.Line}: not valid YAML: {(e.InnerException ?? e).Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw CairnException.InvalidParameter($"{source}: a monitor file is a mapping of keys (name, model, window, alerts...) to values.");
        var json = ToJson(root, source);
        try
        {
            return json.Deserialize<MonitorSpec>(MonitorSpecRules.Json)
                ?? throw CairnException.InvalidParameter($"{source} is empty.");
        }
        catch (JsonException e)
        {
            var key = Key(e.Path);
            throw CairnException.InvalidParameter(e.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? $"{source}: unknown key '{key}'. A monitor file has name, model, reference, window, schedule, time_zone, inference_log, features, drift, performance, alerts, destinations, description and serving_metrics (see docs/monitors.md)."
                : $"{source}: the value of '{key}' has the wrong type ({FirstSentence(e.Message)}).");
        }
    }

    /// <summary>$.drift.per_feature.Distance.methd → drift.per_feature.Distance.methd; $.alerts[0].rul → alerts[0].rul.</summary>
    private static string Key(string? path) => path is { Length: > 2 } ? path[2..] : "(top level)";

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    /// <summary>Scalars become strings (numbers are read from strings by the spec's JSON options); <c>~</c>, <c>null</c> and empty become null.</summary>
    private static JsonNode? ToJson(YamlNode node, string source) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(pair => KeyValuePair.Create(
            pair.Key is YamlScalarNode { Value: { Length: > 0 } key } ? key
                : throw CairnException.InvalidParameter($"{source} line {pair.Key.Start.Line}: a key must be a plain name."),
            ToJson(pair.Value, source)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(child => ToJson(child, source)).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" } => null,
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => throw CairnException.InvalidParameter($"{source} line {node.Start.Line}: aliases and other YAML features are not supported in a monitor file."),
    };
}
