using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cairn.Deployments.Export;

/// <summary>
/// Amazon SageMaker: the request bodies of CreateModel (one per variant), CreateEndpointConfig
/// (production variants with their weights, the shadow as a shadow production variant),
/// CreateEndpoint, and Application Auto Scaling's RegisterScalableTarget per variant; each is the
/// <c>--cli-input-json</c> of the aws command of the same name, listed in commands.sh.
/// </summary>
internal static partial class SageMakerExport
{
    public const string DefaultInstanceType = "ml.m5.large";

    public static IReadOnlyList<ExportedFile> Export(ExportPlan plan)
    {
        var role = plan.Options.ExecutionRoleArn;
        if (string.IsNullOrWhiteSpace(role))
            throw CairnException.InvalidParameter("SageMaker needs the IAM role its models run as: pass --execution-role-arn arn:aws:iam::<account>:role/<name>.");
        if (!RoleArn().IsMatch(role))
            throw CairnException.InvalidParameter($"'{role}' is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>).");
        if (plan.Shadow is not null && plan.Live.Count > 1)
            throw CairnException.InvalidParameter($"SageMaker copies requests to a shadow variant only from a single production variant, and endpoint '{plan.Spec.Name}' has {plan.Live.Count} live variants; remove the shadow or keep one live variant before exporting to SageMaker.");
        var instanceType = plan.Options.InstanceType ?? DefaultInstanceType;
        if (!instanceType.StartsWith("ml.", StringComparison.Ordinal))
            throw CairnException.InvalidParameter($"'{instanceType}' is not a SageMaker instance type; they start with 'ml.', e.g. {DefaultInstanceType}.");

        var endpointName = ExportNames.SageMaker(plan.Spec.Name);
        var configName = ExportNames.SageMaker($"{plan.Spec.Name}-config");
        var files = new List<ExportedFile>();
        var commands = new List<string>();
        foreach (var variant in plan.Variants)
        {
            var file = $"1-create-model-{ExportNames.SageMaker(variant.Name)}.json";
            files.Add(Json(file, new JsonObject
            {
                ["ModelName"] = ModelName(plan, variant),
                ["PrimaryContainer"] = new JsonObject
                {
                    ["Image"] = variant.Image,
                    ["Mode"] = "SingleModel",
                    ["Environment"] = new JsonObject { ["CAIRN_MODEL"] = variant.Model },
                },
                ["ExecutionRoleArn"] = role,
            }));
            commands.Add($"aws sagemaker create-model --cli-input-json file://{file}");
        }

        var config = new JsonObject
        {
            ["EndpointConfigName"] = configName,
            ["ProductionVariants"] = new JsonArray(plan.Live.Select(v => (JsonNode)ProductionVariant(plan, v, v.Weight, instanceType)).ToArray()),
        };
        // A shadow's weight relative to the production variant's is the share of requests SageMaker copies to it.
        if (plan.Shadow is { } shadow)
            config["ShadowProductionVariants"] = new JsonArray(ProductionVariant(plan, shadow, plan.Live[0].Weight * plan.ShadowPercent / 100.0, instanceType));
        files.Add(Json("2-create-endpoint-config.json", config));
        commands.Add("aws sagemaker create-endpoint-config --cli-input-json file://2-create-endpoint-config.json");

        files.Add(Json("3-create-endpoint.json", new JsonObject { ["EndpointName"] = endpointName, ["EndpointConfigName"] = configName }));
        commands.Add("aws sagemaker create-endpoint --cli-input-json file://3-create-endpoint.json");
        commands.Add($"aws sagemaker wait endpoint-in-service --endpoint-name {endpointName}");

        foreach (var variant in plan.Variants)
        {
            var file = $"4-register-scalable-target-{ExportNames.SageMaker(variant.Name)}.json";
            files.Add(Json(file, new JsonObject
            {
                ["ServiceNamespace"] = "sagemaker",
                ["ResourceId"] = $"endpoint/{endpointName}/variant/{ExportNames.SageMaker(variant.Name)}",
                ["ScalableDimension"] = "sagemaker:variant:DesiredInstanceCount",
                ["MinCapacity"] = plan.Spec.MinReplicas,
                ["MaxCapacity"] = plan.Spec.MaxReplicas,
            }));
            commands.Add($"aws application-autoscaling register-scalable-target --cli-input-json file://{file}");
        }
        files.Add(Commands(plan, commands));
        return files;
    }

    public static string ModelName(ExportPlan plan, ExportVariant variant) => ExportNames.SageMaker($"{plan.Spec.Name}-{variant.Name}");

    private static JsonObject ProductionVariant(ExportPlan plan, ExportVariant variant, double weight, string instanceType) => new()
    {
        ["VariantName"] = ExportNames.SageMaker(variant.Name),
        ["ModelName"] = ModelName(plan, variant),
        ["InitialInstanceCount"] = plan.Spec.MinReplicas,
        ["InstanceType"] = instanceType,
        ["InitialVariantWeight"] = weight,
    };

    private static ExportedFile Json(string name, JsonObject body) => new(name, ExportText.ToJson(body), ExportText.Json);

    private static ExportedFile Commands(ExportPlan plan, IEnumerable<string> commands) => new("commands.sh",
        "#!/bin/sh\n" + ExportText.Comment(ExportText.Header(plan.Spec, EndpointExport.SageMaker) + "\nRun from this folder with AWS credentials for the account of the execution role.")
        + "set -e\n" + string.Join("\n", commands) + "\n", "text/x-shellscript");

    [GeneratedRegex(@"^arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$")]
    private static partial Regex RoleArn();
}
