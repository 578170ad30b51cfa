using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace Cairn.Deployments.Export;

/// <summary>Writes the providers' documents: YAML for kubectl and az, indented JSON for the AWS and Google request bodies.</summary>
internal static class ExportText
{
    public const string Yaml = "application/yaml";
    public const string Json = "application/json";

    private static readonly ISerializer YamlWriter = new SerializerBuilder()
        .WithQuotingNecessaryStrings() // "100" and "true" stay strings when read back
        .DisableAliases()
        .Build();

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>A YAML document from nested dictionaries and lists (keys kept in the order given), after a comment header.</summary>
    public static string ToYaml(object document, string header) => Comment(header) + YamlWriter.Serialize(document);

    /// <summary>Each line of <paramref name="text"/> as a '#' comment; nothing for no text.</summary>
    public static string Comment(string text) =>
        text.Length == 0 ? "" : string.Join("", text.Split('\n').Select(line => $"# {line}".TrimEnd() + "\n"));

    public static string ToJson(JsonNode document) => document.ToJsonString(Indented) + "\n";

    public static string Header(EndpointSpec spec, string target) =>
        $"Exported by `cairn deploy export {spec.Name} --target {target}` from endpoints:/{spec.Name}.";
}
