using k8s;
using k8s.Models;

namespace Cairn.Deployments.Export;

/// <summary>
/// Plain Kubernetes: per variant a Deployment, a Service and a HorizontalPodAutoscaler, and one
/// Service for the endpoint. A Service spreads connections evenly over the ready pods it selects,
/// so the weights are approximated by replica counts proportional to them; an exact split needs
/// KServe or a mesh (Istio, Linkerd) in front.
/// </summary>
internal static class KubernetesExport
{
    public const string EndpointLabel = "cairn.dev/endpoint";
    public const string VariantLabel = "cairn.dev/variant";
    /// <summary>"true" on the pods the endpoint Service selects: live variants with a weight above 0.</summary>
    public const string ReceivesTrafficLabel = "cairn.dev/receives-traffic";
    public const string ContainerName = "model";
    public const string PortName = "http";

    /// <summary>HPAs scale on CPU against the request below: Kubernetes has no request-concurrency metric without an adapter.</summary>
    public const int CpuTargetPercent = 70;
    public const string CpuRequest = "500m";
    public const string MemoryRequest = "512Mi";

    public static IReadOnlyList<ExportedFile> Export(ExportPlan plan)
    {
        var objects = new List<object>();
        foreach (var variant in plan.Variants)
        {
            var (min, max) = Replicas(plan, variant);
            objects.Add(Deployment(plan, variant, min));
            objects.Add(VariantService(plan, variant));
            objects.Add(Autoscaler(plan, variant, min, max));
        }
        objects.Add(EndpointService(plan));
        var header = ExportText.Header(plan.Spec, EndpointExport.Kubernetes) + "\n"
            + "The endpoint Service spreads requests over the pods of every live variant, so the weights hold as far as\n"
            + "the replica counts match them; for an exact split, export --target kserve or route with a service mesh.";
        var yaml = ExportText.Comment(header)
            + string.Join("---\n", objects.Select(KubernetesYaml.Serialize).Select(d => d.EndsWith('\n') ? d : d + "\n"));
        return [new ExportedFile($"{ExportNames.Dns(plan.Spec.Name)}.yaml", yaml, ExportText.Yaml)];
    }

    /// <summary>
    /// A variant's replica range: the endpoint's range scaled by its share of the live weight, so
    /// that with two variants at 90/10 and min 1 the first starts with 2 pods and the second with 1.
    /// Variants without live traffic (shadow, weight 0) get the endpoint's range.
    /// </summary>
    public static (int Min, int Max) Replicas(ExportPlan plan, ExportVariant variant)
    {
        var weighted = plan.Live.Count(v => v.Weight > 0);
        if (variant.IsShadow || variant.Weight == 0 || weighted <= 1) return (plan.Spec.MinReplicas, plan.Spec.MaxReplicas);
        var share = weighted * variant.Weight / 100.0;
        var min = Math.Max(1, (int)Math.Round(plan.Spec.MinReplicas * share, MidpointRounding.AwayFromZero));
        var max = Math.Max(min, (int)Math.Round(plan.Spec.MaxReplicas * share, MidpointRounding.AwayFromZero));
        return (min, max);
    }

    public static string VariantObjectName(ExportPlan plan, ExportVariant variant) => ExportNames.Dns($"{plan.Spec.Name}-{variant.Name}");

    private static Dictionary<string, string> SelectorLabels(ExportPlan plan, ExportVariant variant) => new()
    {
        [EndpointLabel] = ExportNames.LabelValue(plan.Spec.Name),
        [VariantLabel] = ExportNames.LabelValue(variant.Name),
    };

    private static Dictionary<string, string> Labels(ExportPlan plan, ExportVariant? variant)
    {
        var labels = new Dictionary<string, string>
        {
            ["app.kubernetes.io/name"] = ExportNames.LabelValue(plan.Spec.Name),
            ["app.kubernetes.io/managed-by"] = "cairn",
            [EndpointLabel] = ExportNames.LabelValue(plan.Spec.Name),
        };
        if (variant is not null)
        {
            labels[VariantLabel] = ExportNames.LabelValue(variant.Name);
            labels[ReceivesTrafficLabel] = !variant.IsShadow && variant.Weight > 0 ? "true" : "false";
        }
        return labels;
    }

    private static Dictionary<string, string> Annotations(ExportPlan plan, ExportVariant? variant)
    {
        var annotations = new Dictionary<string, string> { ["cairn.dev/endpoint-name"] = plan.Spec.Name };
        if (variant is not null)
        {
            annotations["cairn.dev/variant-name"] = variant.Name;
            annotations["cairn.dev/model"] = variant.Model;
            annotations["cairn.dev/role"] = variant.IsShadow ? VariantRoles.Shadow : VariantRoles.Live;
            annotations["cairn.dev/weight"] = variant.Weight.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return annotations;
    }

    private static V1ObjectMeta Metadata(ExportPlan plan, string name, ExportVariant? variant) => new()
    {
        Name = name,
        NamespaceProperty = plan.Namespace,
        Labels = Labels(plan, variant),
        Annotations = Annotations(plan, variant),
    };

    private static V1Deployment Deployment(ExportPlan plan, ExportVariant variant, int replicas)
    {
        var name = VariantObjectName(plan, variant);
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Metadata(plan, name, variant),
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = SelectorLabels(plan, variant) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = Labels(plan, variant), Annotations = Annotations(plan, variant) },
                    Spec = new V1PodSpec { Containers = [Container(plan, variant)] },
                },
            },
        };
    }

    private static V1Container Container(ExportPlan plan, ExportVariant variant) => new()
    {
        Name = ContainerName,
        Image = variant.Image,
        Ports = [new V1ContainerPort { Name = PortName, ContainerPort = plan.Options.ContainerPort, Protocol = "TCP" }],
        // The image's server takes its port from the SageMaker contract variable (see cairn models build-image).
        Env = [new V1EnvVar { Name = "SAGEMAKER_BIND_TO_PORT", Value = plan.Options.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) }],
        ReadinessProbe = Probe("/v2/health/ready", initialDelay: 2),
        LivenessProbe = Probe("/v2/health/live", initialDelay: 10),
        Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(CpuRequest), ["memory"] = new(MemoryRequest) },
        },
    };

    private static V1Probe Probe(string path, int initialDelay) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = PortName },
        InitialDelaySeconds = initialDelay,
        PeriodSeconds = 10,
        FailureThreshold = 3,
    };

    private static V1Service VariantService(ExportPlan plan, ExportVariant variant) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Metadata(plan, VariantObjectName(plan, variant), variant),
        Spec = new V1ServiceSpec
        {
            Selector = SelectorLabels(plan, variant),
            Ports = [new V1ServicePort { Name = PortName, Port = 80, TargetPort = PortName, Protocol = "TCP" }],
        },
    };

    private static V1Service EndpointService(ExportPlan plan) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Metadata(plan, ExportNames.Dns(plan.Spec.Name), null),
        Spec = new V1ServiceSpec
        {
            Selector = new Dictionary<string, string>
            {
                [EndpointLabel] = ExportNames.LabelValue(plan.Spec.Name),
                [ReceivesTrafficLabel] = "true",
            },
            Ports = [new V1ServicePort { Name = PortName, Port = 80, TargetPort = PortName, Protocol = "TCP" }],
        },
    };

    private static V2HorizontalPodAutoscaler Autoscaler(ExportPlan plan, ExportVariant variant, int min, int max) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = Metadata(plan, VariantObjectName(plan, variant), variant),
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = VariantObjectName(plan, variant) },
            MinReplicas = min,
            MaxReplicas = max,
            Metrics =
            [
                new V2MetricSpec
                {
                    Type = "Resource",
                    Resource = new V2ResourceMetricSource { Name = "cpu", Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = CpuTargetPercent } },
                },
            ],
            Behavior = plan.Spec.Autoscaling is { } a
                ? new V2HorizontalPodAutoscalerBehavior { ScaleDown = new V2HPAScalingRules { StabilizationWindowSeconds = a.CooldownSeconds } }
                : null,
        },
    };
}
