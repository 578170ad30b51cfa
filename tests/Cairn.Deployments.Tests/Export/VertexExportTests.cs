using System.Text.Json.Nodes;
using Cairn.Deployments.Export;

namespace Cairn.Deployments.Tests.Export;

/// <summary>The vertex target against a schema written from the Vertex AI REST reference (models.upload, endpoints.create, endpoints.deployModel).</summary>
public sealed class VertexExportTests
{
    private const string Schema = "vertex.schema.json";

    private static JsonNode Body(IReadOnlyList<ExportedFile> files, string name, string definition)
    {
        var body = JsonNode.Parse(ExportSamples.Single(files, name).Content)!;
        ExportSchemas.AssertValid(Schema, definition, body);
        return body;
    }

    [Fact]
    public void Export_AbWithShadow_UploadsEachModelAndTheLastLiveDeploymentSetsTheSplit()
    {
        var files = EndpointExport.Export(ExportSamples.AbWithShadow(), "vertex", ExportSamples.Options);
        Assert.Equal(
            ["1-upload-model-blue.json", "1-upload-model-green.json", "1-upload-model-dark.json", "2-create-endpoint.json",
             "3-deploy-model-blue.json", "3-deploy-model-green.json", "3-deploy-model-dark.json", "commands.sh"],
            files.Select(f => f.FileName));

        var upload = Body(files, "1-upload-model-blue.json", "uploadModel");
        Assert.Equal("delay-blue", (string?)upload["modelId"]);
        var container = upload["model"]!["containerSpec"]!;
        Assert.Equal("registry.example.com/ml/cairn-model:delay-3", (string?)container["imageUri"]);
        Assert.Equal(("/vertex/predict", "/vertex/health", 8080), ((string?)container["predictRoute"], (string?)container["healthRoute"], (int)container["ports"]![0]!["containerPort"]!));
        Body(files, "2-create-endpoint.json", "createEndpoint");

        var blue = Body(files, "3-deploy-model-blue.json", "deployModel");
        var green = Body(files, "3-deploy-model-green.json", "deployModel");
        var dark = Body(files, "3-deploy-model-dark.json", "deployModel");
        Assert.Equal("projects/cairn-demo/locations/europe-west4/models/delay-blue", (string?)blue["deployedModel"]!["model"]);
        var resources = blue["deployedModel"]!["dedicatedResources"]!;
        Assert.Equal(("n1-standard-2", 2, 6), ((string?)resources["machineSpec"]!["machineType"], (int)resources["minReplicaCount"]!, (int)resources["maxReplicaCount"]!));

        // blue first takes everything; green, deployed last of the live ones, sets 70/30 by blue's fixed ID and "0" for itself.
        Assert.Equal(100, (int)blue["trafficSplit"]!["0"]!);
        var split = green["trafficSplit"]!.AsObject().ToDictionary(p => p.Key, p => (int)p.Value!);
        var blueId = (string)blue["deployedModel"]!["id"]!;
        Assert.Equal(new Dictionary<string, int> { [blueId] = 70, ["0"] = 30 }, split);
        Assert.Equal(100, split.Values.Sum());
        Assert.Null(dark["trafficSplit"]); // the shadow takes no traffic: Vertex has no mirroring
        Assert.Equal(3, new[] { blue, green, dark }.Select(b => (string)b["deployedModel"]!["id"]!).Distinct().Count());
        Assert.Contains("europe-west4-aiplatform.googleapis.com/v1/projects/cairn-demo/locations/europe-west4/endpoints/delay:deployModel", ExportSamples.Single(files, "commands.sh").Content);
    }

    [Fact]
    public void Export_OneVariant_SetsAllTrafficInItsOnlyDeployment()
    {
        var spec = new EndpointSpec("solo", [new EndpointVariant("only", "models:/m/1", 100)]);
        var files = EndpointExport.Export(spec, "vertex", ExportSamples.Options with { Region = null, InstanceType = "e2-standard-4" });
        var deploy = Body(files, "3-deploy-model-only.json", "deployModel");
        Assert.Equal(100, (int)deploy["trafficSplit"]!["0"]!);
        Assert.StartsWith("projects/cairn-demo/locations/us-central1/", (string?)deploy["deployedModel"]!["model"]);
        Assert.Equal("e2-standard-4", (string?)deploy["deployedModel"]!["dedicatedResources"]!["machineSpec"]!["machineType"]);
        Assert.Null(deploy["deployedModel"]!["dedicatedResources"]!["autoscalingMetricSpecs"]); // min = max: nothing to scale
    }

    [Fact]
    public void Export_WithoutAProject_SaysToPassOne()
    {
        var e = Assert.Throws<CairnException>(() => EndpointExport.Export(ExportSamples.AbOnly(), "vertex", ExportSamples.Options with { Project = null }));
        Assert.Contains("--project", e.Message);
    }

    [Fact]
    public void Schema_RejectsAZeroReplicaCountAndANonNumericSplitKey()
    {
        var files = EndpointExport.Export(ExportSamples.AbOnly(), "vertex", ExportSamples.Options);
        var body = JsonNode.Parse(ExportSamples.Single(files, "3-deploy-model-green.json").Content)!;
        body["deployedModel"]!["dedicatedResources"]!["minReplicaCount"] = 0;
        Assert.NotEmpty(ExportSchemas.Errors(Schema, "deployModel", body));
        body["deployedModel"]!["dedicatedResources"]!["minReplicaCount"] = 1;
        body["trafficSplit"]!["green"] = 0;
        Assert.NotEmpty(ExportSchemas.Errors(Schema, "deployModel", body));
    }
}
