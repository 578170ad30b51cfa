using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Cairn.Deployments.Export;

/// <summary>
/// Vertex AI: per variant a models.upload body (the image as a custom container, on the routes
/// <c>cairn serve</c> reads from AIP_PREDICT_ROUTE and AIP_HEALTH_ROUTE), an endpoints.create body,
/// and per variant an endpoints.deployModel body. Deployed models get fixed IDs, so the last live
/// variant's request can set the whole traffic split; commands.sh sends them in order with curl.
/// </summary>
internal static partial class VertexExport
{
    public const string DefaultRegion = "us-central1";
    public const string DefaultMachineType = "n1-standard-2";
    public const string PredictRoute = "/vertex/predict";
    public const string HealthRoute = "/vertex/health";
    public const string CpuMetric = "aiplatform.googleapis.com/prediction/online/cpu/utilization";

    /// <summary>The key of trafficSplit that stands for the model a deployModel request deploys.</summary>
    public const string ThisModel = "0";

    public static IReadOnlyList<ExportedFile> Export(ExportPlan plan)
    {
        var project = plan.Options.Project;
        if (string.IsNullOrWhiteSpace(project))
            throw CairnException.InvalidParameter("Vertex AI needs the Google Cloud project: pass --project <project-id>.");
        if (!ProjectId().IsMatch(project))
            throw CairnException.InvalidParameter($"'{project}' is not a Google Cloud project ID (6 to 30 lowercase letters, digits and '-', a letter first).");
        var region = plan.Options.Region ?? DefaultRegion;
        if (!RegionName().IsMatch(region))
            throw CairnException.InvalidParameter($"'{region}' is not a Vertex AI location such as {DefaultRegion}.");
        var parent = $"projects/{project}/locations/{region}";
        var endpointId = ExportNames.Vertex(plan.Spec.Name);
        var api = $"https://{region}-aiplatform.googleapis.com/v1";
        var files = new List<ExportedFile>();
        var commands = new List<string>();

        foreach (var variant in plan.Variants)
        {
            var file = $"1-upload-model-{ExportNames.Vertex(variant.Name)}.json";
            files.Add(Json(file, new JsonObject
            {
                ["modelId"] = ModelId(plan, variant),
                ["model"] = new JsonObject
                {
                    ["displayName"] = $"{variant.ModelName} {variant.Version}",
                    ["description"] = $"{variant.Model}, variant {variant.Name} of endpoints:/{plan.Spec.Name}",
                    ["containerSpec"] = new JsonObject
                    {
                        ["imageUri"] = variant.Image,
                        ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = plan.Options.ContainerPort }),
                        ["predictRoute"] = PredictRoute,
                        ["healthRoute"] = HealthRoute,
                    },
                },
            }));
            commands.Add(Curl($"{api}/{parent}/models:upload", file));
        }

        files.Add(Json("2-create-endpoint.json", new JsonObject
        {
            ["displayName"] = plan.Spec.Name,
            ["description"] = plan.Spec.Description ?? $"endpoints:/{plan.Spec.Name} exported by Cairn",
        }));
        commands.Add(Curl($"{api}/{parent}/endpoints?endpointId={endpointId}", "2-create-endpoint.json"));

        var live = plan.Live;
        var ordered = live.Concat(plan.Shadow is { } s ? [s] : Array.Empty<ExportVariant>()).ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            var variant = ordered[i];
            var request = new JsonObject { ["deployedModel"] = DeployedModel(plan, variant, parent) };
            // The first deployment takes all traffic, later ones none until the last live one sets the endpoint's split.
            if (i == 0 && live.Count > 1) request["trafficSplit"] = new JsonObject { [ThisModel] = 100 };
            else if (i == live.Count - 1) request["trafficSplit"] = TrafficSplit(plan, variant);
            var file = $"3-deploy-model-{ExportNames.Vertex(variant.Name)}.json";
            files.Add(Json(file, request));
            commands.Add(Curl($"{api}/{parent}/endpoints/{endpointId}:deployModel", file));
        }
        files.Add(Commands(plan, commands));
        return files;
    }

    public static string ModelId(ExportPlan plan, ExportVariant variant) => ExportNames.Vertex($"{plan.Spec.Name}-{variant.Name}");

    /// <summary>Ten digits from a hash of endpoint and variant: Vertex wants 1 to 10 digits, fixed here so the split can name them.</summary>
    public static string DeployedModelId(ExportPlan plan, ExportVariant variant)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{plan.Spec.Name}\0{variant.Name}"));
        var number = 1_000_000_000UL + BitConverter.ToUInt64(hash, 0) % 8_999_999_999UL;
        return number.ToString(CultureInfo.InvariantCulture);
    }

    private static JsonObject DeployedModel(ExportPlan plan, ExportVariant variant, string parent)
    {
        var resources = new JsonObject
        {
            ["machineSpec"] = new JsonObject { ["machineType"] = plan.Options.InstanceType ?? DefaultMachineType },
            ["minReplicaCount"] = plan.Spec.MinReplicas,
            ["maxReplicaCount"] = plan.Spec.MaxReplicas,
        };
        if (plan.Spec.MaxReplicas > plan.Spec.MinReplicas)
            resources["autoscalingMetricSpecs"] = new JsonArray(new JsonObject { ["metricName"] = CpuMetric, ["target"] = KubernetesExport.CpuTargetPercent });
        return new JsonObject
        {
            ["id"] = DeployedModelId(plan, variant),
            ["model"] = $"{parent}/models/{ModelId(plan, variant)}",
            ["displayName"] = variant.Name,
            ["dedicatedResources"] = resources,
        };
    }

    private static JsonObject TrafficSplit(ExportPlan plan, ExportVariant deploying)
    {
        var split = new JsonObject();
        foreach (var v in plan.Live) split[v == deploying ? ThisModel : DeployedModelId(plan, v)] = v.Weight;
        return split;
    }

    private static ExportedFile Json(string name, JsonObject body) => new(name, ExportText.ToJson(body), ExportText.Json);

    private static string Curl(string url, string file) =>
        $"curl -fsS -X POST -H \"Authorization: Bearer $(gcloud auth print-access-token)\" -H 'Content-Type: application/json' '{url}' -d @{file}";

    private static ExportedFile Commands(ExportPlan plan, IEnumerable<string> commands) => new("commands.sh",
        "#!/bin/sh\n" + ExportText.Comment(ExportText.Header(plan.Spec, EndpointExport.Vertex)
            + "\nRun from this folder. models.upload, endpoints.create and deployModel are long-running operations:\nwait for each to finish (gcloud ai operations describe) before the next step.")
        + "set -e\n" + string.Join("\n", commands) + "\n", "text/x-shellscript");

    [GeneratedRegex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$")]
    private static partial Regex ProjectId();

    [GeneratedRegex("^[a-z]+-[a-z]+[0-9]+$")]
    private static partial Regex RegionName();
}
