using System.Globalization;

namespace Cairn.Deployments.Export;

/// <summary>
/// Azure Machine Learning managed online endpoints (CLI v2 YAML): the endpoint, one deployment per
/// variant running its image as a custom container, then the endpoint again with the traffic map and
/// the shadow's mirror_traffic; Azure sets traffic only once the deployments exist.
/// </summary>
internal static class AzureMLExport
{
    public const string EndpointSchema = "https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json";
    public const string DeploymentSchema = "https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json";
    public const string DefaultInstanceType = "Standard_DS3_v2";

    /// <summary>Azure mirrors at most this percent of live traffic.</summary>
    public const int MaxMirrorPercent = 50;

    public static IReadOnlyList<ExportedFile> Export(ExportPlan plan)
    {
        var endpointName = ExportNames.Azure(plan.Spec.Name);
        var header = ExportText.Header(plan.Spec, EndpointExport.AzureML);
        var files = new List<ExportedFile>
        {
            new("1-endpoint.yml", ExportText.ToYaml(Endpoint(plan, endpointName, withTraffic: false), $"{header}\nStep 1: create the endpoint (traffic is set in step 3, once the deployments exist)."), ExportText.Yaml),
        };
        var commands = new List<string> { "az ml online-endpoint create -f 1-endpoint.yml" };
        foreach (var variant in plan.Variants)
        {
            var file = $"2-deployment-{DeploymentName(variant)}.yml";
            files.Add(new(file, ExportText.ToYaml(Deployment(plan, endpointName, variant), $"{header}\nStep 2: deployment of {variant.Model} (variant {variant.Name})."), ExportText.Yaml));
            commands.Add($"az ml online-deployment create -f {file}");
        }
        var mirrorNote = plan.Shadow is not null && plan.ShadowPercent > MaxMirrorPercent
            ? $"\nAzure mirrors at most {MaxMirrorPercent}% of live traffic; the endpoint copies {plan.ShadowPercent}% to its shadow, so {MaxMirrorPercent}% is set."
            : "";
        files.Add(new("3-endpoint-traffic.yml", ExportText.ToYaml(Endpoint(plan, endpointName, withTraffic: true), $"{header}\nStep 3: the traffic split{(plan.Shadow is null ? "" : " and the mirrored share")}.{mirrorNote}"), ExportText.Yaml));
        commands.Add("az ml online-endpoint update -f 3-endpoint-traffic.yml");
        files.Add(new("commands.sh", "#!/bin/sh\n" + ExportText.Comment($"{header}\nRun from this folder after az configure --defaults group=<resource group> workspace=<workspace>.")
            + "set -e\n" + string.Join("\n", commands) + "\n", "text/x-shellscript"));
        return files;
    }

    public static string DeploymentName(ExportVariant variant) => ExportNames.Azure(variant.Name);

    private static Dictionary<string, object> Endpoint(ExportPlan plan, string name, bool withTraffic)
    {
        var endpoint = new Dictionary<string, object>
        {
            ["$schema"] = EndpointSchema,
            ["name"] = name,
            ["auth_mode"] = "key",
            ["description"] = plan.Spec.Description ?? $"endpoints:/{plan.Spec.Name} exported by Cairn",
            ["tags"] = new Dictionary<string, string> { ["cairn_endpoint"] = plan.Spec.Name },
        };
        if (!withTraffic) return endpoint;
        endpoint["traffic"] = plan.Variants.ToDictionary(DeploymentName, v => v.IsShadow ? 0 : v.Weight);
        if (plan.Shadow is { } shadow)
            endpoint["mirror_traffic"] = new Dictionary<string, int> { [DeploymentName(shadow)] = Math.Min(plan.ShadowPercent, MaxMirrorPercent) };
        return endpoint;
    }

    private static Dictionary<string, object> Deployment(ExportPlan plan, string endpointName, ExportVariant variant)
    {
        var port = plan.Options.ContainerPort;
        Dictionary<string, object> Route(string path) => new() { ["port"] = port, ["path"] = path };
        return new Dictionary<string, object>
        {
            ["$schema"] = DeploymentSchema,
            ["name"] = DeploymentName(variant),
            ["endpoint_name"] = endpointName,
            ["description"] = $"{variant.Model}, variant {variant.Name} of endpoints:/{plan.Spec.Name}",
            ["environment"] = new Dictionary<string, object>
            {
                ["image"] = variant.Image,
                // The routes the image serves: Azure's own /score and liveness at /, Open Inference readiness.
                ["inference_config"] = new Dictionary<string, object>
                {
                    ["liveness_route"] = Route("/"),
                    ["readiness_route"] = Route("/v2/health/ready"),
                    ["scoring_route"] = Route("/score"),
                },
            },
            ["environment_variables"] = new Dictionary<string, string> { ["SAGEMAKER_BIND_TO_PORT"] = port.ToString(CultureInfo.InvariantCulture) },
            ["instance_type"] = plan.Options.InstanceType ?? DefaultInstanceType,
            ["instance_count"] = plan.Spec.MinReplicas,
            ["scale_settings"] = new Dictionary<string, object> { ["type"] = "default" },
        };
    }
}
