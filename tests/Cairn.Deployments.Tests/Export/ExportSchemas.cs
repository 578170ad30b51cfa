using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Cairn.Deployments.Tests.Export;

/// <summary>
/// The JSON Schemas in Schemas/, written from the providers' published API references, and the check of
/// an exported document against one of their definitions.
/// </summary>
internal static class ExportSchemas
{
    /// <summary>The schema's complaints about <paramref name="document"/> as the definition <paramref name="definition"/> (null: the root); none when valid.</summary>
    public static IReadOnlyList<string> Errors(string file, string? definition, JsonNode? document)
    {
        var schema = Load(file, definition);
        using var json = JsonDocument.Parse(document?.ToJsonString() ?? "null");
        var result = schema.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return [];
        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")).ToList();
        return errors.Count > 0 ? errors : ["invalid"];
    }

    public static void AssertValid(string file, string? definition, JsonNode? document)
    {
        var errors = Errors(file, definition, document);
        Assert.True(errors.Count == 0, $"{file}#{definition}: {string.Join("; ", errors)}\n{document?.ToJsonString()}");
    }

    private static JsonSchema Load(string file, string? definition, [CallerFilePath] string here = "")
    {
        // Read beside the sources, so the test project needs no content items to copy them.
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "Schemas", file)))!.AsObject();
        if (definition is not null) root["$ref"] = $"#/$defs/{definition}";
        return JsonSchema.FromText(root.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry() },
            new Uri($"https://cairn.invalid/export-schemas/{definition ?? "root"}/{file}"));
    }
}
