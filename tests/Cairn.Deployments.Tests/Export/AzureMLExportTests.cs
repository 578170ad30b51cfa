using System.Text.Json.Nodes;
using Cairn.Deployments.Export;

namespace Cairn.Deployments.Tests.Export;

/// <summary>The azureml target against a schema written from Azure ML's CLI v2 online endpoint and deployment YAML references.</summary>
public sealed class AzureMLExportTests
{
    private const string Schema = "azureml.schema.json";

    private static JsonNode Yaml(IReadOnlyList<ExportedFile> files, string name, string definition)
    {
        var file = ExportSamples.Single(files, name);
        Assert.Equal("application/yaml", file.MediaType);
        var document = YamlToJson.Single(file.Content)!;
        ExportSchemas.AssertValid(Schema, definition, document);
        return document;
    }

    [Fact]
    public void Export_AbWithShadow_WritesEndpointDeploymentsThenTrafficAndMirror()
    {
        var files = EndpointExport.Export(ExportSamples.AbWithShadow(), "azureml", ExportSamples.Options);
        Assert.Equal(["1-endpoint.yml", "2-deployment-blue.yml", "2-deployment-green.yml", "2-deployment-dark.yml", "3-endpoint-traffic.yml", "commands.sh"],
            files.Select(f => f.FileName));

        var endpoint = Yaml(files, "1-endpoint.yml", "endpoint");
        Assert.Equal(("delay", "key"), ((string?)endpoint["name"], (string?)endpoint["auth_mode"]));
        Assert.Null(endpoint["traffic"]); // Azure refuses traffic for deployments that do not exist yet

        var blue = Yaml(files, "2-deployment-blue.yml", "deployment");
        Assert.Equal(("blue", "delay"), ((string?)blue["name"], (string?)blue["endpoint_name"]));
        Assert.Equal("registry.example.com/ml/cairn-model:delay-3", (string?)blue["environment"]!["image"]);
        Assert.Equal("/score", (string?)blue["environment"]!["inference_config"]!["scoring_route"]!["path"]);
        Assert.Equal(("Standard_DS3_v2", 2), ((string?)blue["instance_type"], (int)blue["instance_count"]!));
        Assert.Equal("8080", (string?)blue["environment_variables"]!["SAGEMAKER_BIND_TO_PORT"]);
        Yaml(files, "2-deployment-green.yml", "deployment");
        Yaml(files, "2-deployment-dark.yml", "deployment");

        var traffic = Yaml(files, "3-endpoint-traffic.yml", "endpoint");
        var split = traffic["traffic"]!.AsObject().ToDictionary(p => p.Key, p => (int)p.Value!);
        Assert.Equal(new Dictionary<string, int> { ["blue"] = 70, ["green"] = 30, ["dark"] = 0 }, split);
        Assert.Equal(100, split.Values.Sum());
        Assert.Equal(40, (int)traffic["mirror_traffic"]!["dark"]!);
    }

    [Fact]
    public void Export_ShadowAboveAzuresMirrorLimit_IsCappedAtFiftyAndSaysSo()
    {
        var files = EndpointExport.Export(ExportSamples.SingleWithShadow(shadowPercent: 100), "azureml", ExportSamples.Options);
        var traffic = Yaml(files, "3-endpoint-traffic.yml", "endpoint");
        Assert.Equal(50, (int)traffic["mirror_traffic"]!["dark"]!);
        Assert.Contains("at most 50%", ExportSamples.Single(files, "3-endpoint-traffic.yml").Content);
    }

    [Fact]
    public void Schema_RejectsAZeroInstanceCountAndAShortName()
    {
        var files = EndpointExport.Export(ExportSamples.AbOnly(), "azureml", ExportSamples.Options);
        var deployment = YamlToJson.Single(ExportSamples.Single(files, "2-deployment-blue.yml").Content)!;
        deployment["instance_count"] = 0;
        Assert.NotEmpty(ExportSchemas.Errors(Schema, "deployment", deployment));
        deployment["instance_count"] = 1;
        deployment["name"] = "ab";
        Assert.NotEmpty(ExportSchemas.Errors(Schema, "deployment", deployment));
    }
}
