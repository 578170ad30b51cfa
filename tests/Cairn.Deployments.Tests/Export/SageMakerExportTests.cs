using System.Text.Json.Nodes;
using Cairn.Deployments.Export;

namespace Cairn.Deployments.Tests.Export;

/// <summary>The sagemaker target against a schema written from the SageMaker and Application Auto Scaling API references.</summary>
public sealed class SageMakerExportTests
{
    private const string Schema = "sagemaker.schema.json";

    private static JsonNode Body(IReadOnlyList<ExportedFile> files, string name, string definition)
    {
        var file = ExportSamples.Single(files, name);
        Assert.Equal("application/json", file.MediaType);
        var body = JsonNode.Parse(file.Content)!;
        ExportSchemas.AssertValid(Schema, definition, body);
        return body;
    }

    [Fact]
    public void Export_AbSplit_WritesModelsConfigEndpointAndScalableTargets()
    {
        var files = EndpointExport.Export(ExportSamples.AbOnly(), "sagemaker", ExportSamples.Options);
        Assert.Equal(
            ["1-create-model-blue.json", "1-create-model-green.json", "2-create-endpoint-config.json", "3-create-endpoint.json",
             "4-register-scalable-target-blue.json", "4-register-scalable-target-green.json", "commands.sh"],
            files.Select(f => f.FileName));

        var model = Body(files, "1-create-model-blue.json", "createModel");
        Assert.Equal("delay-blue", (string?)model["ModelName"]);
        Assert.Equal("registry.example.com/ml/cairn-model:delay-3", (string?)model["PrimaryContainer"]!["Image"]);
        Assert.Equal("arn:aws:iam::123456789012:role/CairnSageMaker", (string?)model["ExecutionRoleArn"]);
        Body(files, "1-create-model-green.json", "createModel");

        var config = Body(files, "2-create-endpoint-config.json", "createEndpointConfig");
        var variants = config["ProductionVariants"]!.AsArray();
        Assert.Equal([("blue", "delay-blue", 70.0), ("green", "delay-green", 30.0)],
            variants.Select(v => ((string)v!["VariantName"]!, (string)v["ModelName"]!, (double)v["InitialVariantWeight"]!)));
        Assert.All(variants, v => Assert.Equal((2, "ml.m5.large"), ((int)v!["InitialInstanceCount"]!, (string)v["InstanceType"]!)));
        Assert.Null(config["ShadowProductionVariants"]);

        var endpoint = Body(files, "3-create-endpoint.json", "createEndpoint");
        Assert.Equal(("delay", (string?)config["EndpointConfigName"]), ((string?)endpoint["EndpointName"], (string?)endpoint["EndpointConfigName"]));

        var target = Body(files, "4-register-scalable-target-green.json", "registerScalableTarget");
        Assert.Equal("endpoint/delay/variant/green", (string?)target["ResourceId"]);
        Assert.Equal((2, 6), ((int)target["MinCapacity"]!, (int)target["MaxCapacity"]!));
        Assert.Contains("aws sagemaker create-endpoint-config --cli-input-json file://2-create-endpoint-config.json", ExportSamples.Single(files, "commands.sh").Content);
    }

    [Fact]
    public void Export_Shadow_IsAShadowProductionVariantWhoseWeightIsTheCopiedShare()
    {
        var files = EndpointExport.Export(ExportSamples.SingleWithShadow(shadowPercent: 25), "sagemaker", ExportSamples.Options with { InstanceType = "ml.c5.xlarge" });
        var config = Body(files, "2-create-endpoint-config.json", "createEndpointConfig");
        var production = Assert.Single(config["ProductionVariants"]!.AsArray())!;
        var shadow = Assert.Single(config["ShadowProductionVariants"]!.AsArray())!;
        Assert.Equal(("dark", "delay-dark", "ml.c5.xlarge"), ((string)shadow["VariantName"]!, (string)shadow["ModelName"]!, (string)shadow["InstanceType"]!));
        Assert.Equal(0.25, (double)shadow["InitialVariantWeight"]! / (double)production["InitialVariantWeight"]!, 6);
        Body(files, "4-register-scalable-target-dark.json", "registerScalableTarget");
    }

    [Fact]
    public void Export_ShadowBesideTwoLiveVariants_IsRefusedBecauseSageMakerMirrorsOneVariant()
    {
        var e = Assert.Throws<CairnException>(() => EndpointExport.Export(ExportSamples.AbWithShadow(), "sagemaker", ExportSamples.Options));
        Assert.Contains("single production variant", e.Message);
    }

    [Theory]
    [InlineData(null, "--execution-role-arn")]
    [InlineData("arn:aws:iam::12:role/x", "not an IAM role ARN")]
    public void Export_WithoutAValidRole_SaysWhatToPass(string? role, string expected)
    {
        var e = Assert.Throws<CairnException>(() => EndpointExport.Export(ExportSamples.AbOnly(), "sagemaker", ExportSamples.Options with { ExecutionRoleArn = role }));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Schema_RejectsANegativeWeightAndAZeroInstanceCount()
    {
        var files = EndpointExport.Export(ExportSamples.AbOnly(), "sagemaker", ExportSamples.Options);
        var config = JsonNode.Parse(ExportSamples.Single(files, "2-create-endpoint-config.json").Content)!;
        config["ProductionVariants"]![0]!["InitialVariantWeight"] = -1;
        Assert.NotEmpty(ExportSchemas.Errors(Schema, "createEndpointConfig", config));
        config["ProductionVariants"]![0]!["InitialVariantWeight"] = 1;
        config["ProductionVariants"]![0]!["InitialInstanceCount"] = 0;
        Assert.NotEmpty(ExportSchemas.Errors(Schema, "createEndpointConfig", config));
    }
}
