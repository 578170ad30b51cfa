using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cairn.Pipelines.CiCd;
using Json.Schema;

namespace Cairn.Pipelines.Tests;

/// <summary>The JSON Schemas in CiSchemas/, one per provider, and the check of a CI file against them.</summary>
internal static class CiSchemas
{
    private static readonly Dictionary<CiProvider, JsonSchema> Loaded = new()
    {
        [CiProvider.GitHub] = Load("github-workflow.schema.json"),
        [CiProvider.AzureDevOps] = Load("azure-pipelines.schema.json"),
        [CiProvider.GitLab] = Load("gitlab-ci.schema.json"),
    };

    /// <summary>The JSON a provider reads from <paramref name="yaml"/>.</summary>
    public static JsonNode ToJson(CiProvider provider, string yaml) =>
        CiYamlJson.Convert(yaml, scalarsAsText: provider == CiProvider.AzureDevOps) ?? throw new InvalidOperationException("The file is empty.");

    /// <summary>The schema's complaints about <paramref name="document"/>; none when it is valid.</summary>
    public static IReadOnlyList<string> Errors(CiProvider provider, JsonNode document)
    {
        using var json = JsonDocument.Parse(document.ToJsonString());
        var result = Loaded[provider].Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (result.IsValid) return [];
        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")).ToList();
        return errors.Count > 0 ? errors : ["invalid"];
    }

    private static JsonSchema Load(string file, [CallerFilePath] string here = "")
    {
        // Read beside the sources, so the test project needs no content items to copy them.
        var path = Path.Combine(Path.GetDirectoryName(here)!, "CiSchemas", file);
        return JsonSchema.FromText(File.ReadAllText(path), new BuildOptions { SchemaRegistry = new SchemaRegistry() }, new Uri($"https://cairn.invalid/ci-schemas/{file}"));
    }
}
