using System.Text.Json.Nodes;
using Cairn.Deployments.Export;

namespace Cairn.Deployments.Tests.Export;

/// <summary>Names users may give endpoints and variants, and what each provider receives for them.</summary>
public sealed class ExportNamesTests
{
    private static readonly string Long = "model-" + new string('x', 64); // 70 characters

    [Fact]
    public void Export_UnknownTarget_ListsTheTargets()
    {
        var e = Assert.Throws<CairnException>(() => EndpointExport.Export(ExportSamples.AbOnly(), "openshift", ExportSamples.Options));
        Assert.Equal(ErrorCodes.InvalidParameterValue, e.ErrorCode);
        Assert.Contains("kubernetes, kserve, sagemaker, vertex, azureml", e.Message);
        Assert.Equal(["kubernetes", "kserve", "sagemaker", "vertex", "azureml"], EndpointExport.Targets);
    }

    [Fact]
    public void Export_PathLikeName_IsRefusedByTheSpecRulesWithAClearMessage()
    {
        foreach (var target in EndpointExport.Targets)
        {
            var e = Assert.Throws<CairnException>(() => EndpointExport.Export(ExportSamples.AbOnly("../x"), target, ExportSamples.Options));
            Assert.Contains("../x", e.Message);
        }
        var variant = ExportSamples.AbOnly() with { Variants = [new EndpointVariant("../x", "models:/delay/3", 100)] };
        Assert.Throws<CairnException>(() => EndpointExport.Export(variant, "sagemaker", ExportSamples.Options));
    }

    public static TheoryData<string> HostileNames => new() { "A_B.c", Long, "9.lives", "ab" };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void Export_HostileNames_BecomeValidSageMakerNames(string name)
    {
        var spec = ExportSamples.SingleWithShadow(name: name) with
        {
            Variants = [new EndpointVariant(name, "models:/delay/3", 100), new EndpointVariant(name + "_shadow", "models:/delay/5", 0, VariantRoles.Shadow)],
            Shadow = new ShadowSettings(name + "_shadow", 20),
        };
        var files = EndpointExport.Export(spec, "sagemaker", ExportSamples.Options);
        foreach (var file in files.Where(f => f.MediaType == "application/json"))
        {
            var body = JsonNode.Parse(file.Content)!;
            var definition = file.FileName[2..] switch
            {
                var f when f.StartsWith("create-model") => "createModel",
                "create-endpoint-config.json" => "createEndpointConfig",
                "create-endpoint.json" => "createEndpoint",
                _ => "registerScalableTarget",
            };
            ExportSchemas.AssertValid("sagemaker.schema.json", definition, body);
        }
        var config = JsonNode.Parse(ExportSamples.Single(files, "2-create-endpoint-config.json").Content)!;
        var variantNames = new[] { config["ProductionVariants"]![0]!, config["ShadowProductionVariants"]![0]! }.Select(v => (string)v["VariantName"]!).ToList();
        Assert.Equal(2, variantNames.Distinct().Count());
        Assert.All(variantNames, n => Assert.True(ExportNames.IsSageMaker(n) && n.Length <= 63, n));
    }

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void Export_HostileNames_BecomeValidAzureNames(string name)
    {
        var spec = ExportSamples.AbOnly(name) with
        {
            Variants = [new EndpointVariant(name, "models:/delay/3", 60), new EndpointVariant(name.ToUpperInvariant() + "2", "models:/delay/4", 40)],
        };
        var files = EndpointExport.Export(spec, "azureml", ExportSamples.Options);
        foreach (var file in files.Where(f => f.MediaType == "application/yaml"))
            ExportSchemas.AssertValid("azureml.schema.json", file.FileName.Contains("deployment") ? "deployment" : "endpoint", YamlToJson.Single(file.Content));
        var traffic = YamlToJson.Single(ExportSamples.Single(files, "3-endpoint-traffic.yml").Content)!["traffic"]!.AsObject();
        Assert.Equal(2, traffic.Count);
        Assert.All(traffic, p => Assert.True(ExportNames.IsAzure(p.Key), p.Key));
    }

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void Export_HostileNames_BecomeValidKServeAndVertexNames(string name)
    {
        var spec = ExportSamples.AbOnly(name) with
        {
            Variants = [new EndpointVariant(name, "models:/delay/3", 60), new EndpointVariant(name + ".b", "models:/delay/4", 40)],
        };
        foreach (var document in YamlToJson.Documents(Assert.Single(EndpointExport.Export(spec, "kserve", ExportSamples.Options)).Content))
            ExportSchemas.AssertValid("kserve.schema.json", null, document);
        var vertex = EndpointExport.Export(spec, "vertex", ExportSamples.Options);
        foreach (var file in vertex.Where(f => f.MediaType == "application/json"))
        {
            var definition = file.FileName[0] switch { '1' => "uploadModel", '2' => "createEndpoint", _ => "deployModel" };
            ExportSchemas.AssertValid("vertex.schema.json", definition, JsonNode.Parse(file.Content));
        }
    }

    [Theory]
    [InlineData("A_B.c", "a-b-c-")]
    [InlineData("delay", "delay")]
    public void Dns_KeepsValidNamesAndHashesChangedOnes(string input, string expectedStart)
    {
        var name = ExportNames.Dns(input);
        Assert.StartsWith(expectedStart, name);
        Assert.True(ExportNames.IsDns(name));
        Assert.NotEqual(ExportNames.Dns("A_B.c"), ExportNames.Dns("a-b-c"));
        Assert.True(ExportNames.Dns(Long).Length <= 63);
    }

    [Fact]
    public void Export_ImageRepositoryWithATag_IsRefused()
    {
        var e = Assert.Throws<CairnException>(() => EndpointExport.Export(ExportSamples.AbOnly(), "kubernetes", new ExportOptions(ImageRepository: "registry.example.com/cairn:latest")));
        Assert.Contains("without a tag", e.Message);
        Assert.Single(EndpointExport.Export(ExportSamples.AbOnly(), "kubernetes", new ExportOptions(ImageRepository: "localhost:5000/cairn")));
        e = Assert.Throws<CairnException>(() => EndpointExport.Export(ExportSamples.AbOnly(), "kubernetes", new ExportOptions(ImageRepository: "Registry.example.com/Team/cairn")));
        Assert.Contains("lower case", e.Message);
    }
}
