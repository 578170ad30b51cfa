using System.Text.Json.Nodes;
using Cairn.Deployments.Export;

namespace Cairn.Deployments.Tests.Export;

/// <summary>The kserve target against a schema written from KServe's InferenceService and InferenceGraph references.</summary>
public sealed class KServeExportTests
{
    private const string Schema = "kserve.schema.json";

    private static IReadOnlyList<JsonNode?> Documents(ExportedFile file)
    {
        var documents = YamlToJson.Documents(file.Content);
        foreach (var document in documents) ExportSchemas.AssertValid(Schema, null, document);
        return documents;
    }

    [Fact]
    public void Export_AbSplit_IsOneInferenceServicePerVariantBehindAWeightedSplitter()
    {
        var file = Assert.Single(EndpointExport.Export(ExportSamples.AbOnly(), "kserve", ExportSamples.Options));
        var documents = Documents(file);

        var services = documents.Where(d => (string?)d!["kind"] == "InferenceService").ToList();
        Assert.Equal(2, services.Count);
        var graph = Assert.Single(documents, d => (string?)d!["kind"] == "InferenceGraph")!;
        Assert.Equal("delay", (string?)graph["metadata"]!["name"]);
        var root = graph["spec"]!["nodes"]!["root"]!;
        Assert.Equal("Splitter", (string?)root["routerType"]);
        var steps = root["steps"]!.AsArray().ToDictionary(s => (string)s!["serviceName"]!, s => (int)s!["weight"]!);
        Assert.Equal(new Dictionary<string, int> { ["delay-blue"] = 70, ["delay-green"] = 30 }, steps);
        Assert.Equal(100, steps.Values.Sum());
        Assert.All(steps.Keys, name => Assert.Contains(services, s => (string?)s!["metadata"]!["name"] == name));

        var blue = services.Single(s => (string?)s!["metadata"]!["name"] == "delay-blue")!["spec"]!["predictor"]!;
        Assert.Equal((2, 6), ((int)blue["minReplicas"]!, (int)blue["maxReplicas"]!));
        Assert.Equal(("concurrency", 8), ((string?)blue["scaleMetric"], (int)blue["scaleTarget"]!));
        Assert.Null(blue["canaryTrafficPercent"]);
        Assert.Equal("registry.example.com/ml/cairn-model:delay-3", (string?)blue["containers"]![0]!["image"]);
        Assert.Equal("models", (string?)services[0]!["metadata"]!["namespace"]);
    }

    [Fact]
    public void Export_RunningCanary_IsTheBaselineThenTheCanaryWithItsTrafficPercent()
    {
        var files = EndpointExport.Export(ExportSamples.RunningCanary(), "kserve", ExportSamples.Options);
        Assert.Equal(["1-delay-baseline.yaml", "2-delay-canary.yaml"], files.Select(f => f.FileName));
        var baseline = Assert.Single(Documents(files[0]))!;
        var canary = Assert.Single(Documents(files[1]))!;

        // One InferenceService: the second apply makes a new revision and KServe keeps the rest on the first.
        Assert.Equal((string?)baseline["metadata"]!["name"], (string?)canary["metadata"]!["name"]);
        Assert.Null(baseline["spec"]!["predictor"]!["canaryTrafficPercent"]);
        Assert.Equal("registry.example.com/ml/cairn-model:delay-3", (string?)baseline["spec"]!["predictor"]!["containers"]![0]!["image"]);
        Assert.Equal(10, (int)canary["spec"]!["predictor"]!["canaryTrafficPercent"]!);
        Assert.Equal("registry.example.com/ml/cairn-model:delay-4", (string?)canary["spec"]!["predictor"]!["containers"]![0]!["image"]);
    }

    [Fact]
    public void Export_CanaryBesideAThirdLiveVariant_IsRefused()
    {
        var spec = ExportSamples.RunningCanary() with
        {
            Variants = [new EndpointVariant("blue", "models:/delay/3", 80), new EndpointVariant("green", "models:/delay/4", 10), new EndpointVariant("red", "models:/delay/2", 10)],
        };
        var e = Assert.Throws<CairnException>(() => EndpointExport.Export(spec, "kserve", ExportSamples.Options));
        Assert.Contains("red", e.Message);
    }

    [Fact]
    public void Export_Shadow_IsItsOwnInferenceServiceAndTheHeaderSaysKServeDoesNotMirror()
    {
        var file = Assert.Single(EndpointExport.Export(ExportSamples.SingleWithShadow(), "kserve", ExportSamples.Options));
        var documents = Documents(file);
        Assert.Equal(["delay", "delay-dark"], documents.Select(d => (string?)d!["metadata"]!["name"]));
        Assert.Contains("does not mirror", file.Content);
    }

    [Fact]
    public void Schema_RejectsABrokenInferenceService()
    {
        var file = Assert.Single(EndpointExport.Export(ExportSamples.RunningCanary(), "kserve", ExportSamples.Options).Skip(1));
        var document = YamlToJson.Single(file.Content)!;
        document["spec"]!["predictor"]!["canaryTrafficPercent"] = 120;
        Assert.NotEmpty(ExportSchemas.Errors(Schema, null, document));
        document["spec"]!["predictor"]!["canaryTrafficPercent"] = 10;
        document["metadata"]!["name"] = "Delay_Model";
        Assert.NotEmpty(ExportSchemas.Errors(Schema, null, document));
    }
}
