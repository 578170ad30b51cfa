using System.Globalization;

namespace Cairn.Deployments.Export;

/// <summary>
/// KServe: InferenceServices (serving.kserve.io/v1beta1) whose predictor runs the variant's image as a
/// custom container. One live variant is one InferenceService; several are one each behind an
/// InferenceGraph Splitter that holds the weights. A running canary uses KServe's own canary: the
/// InferenceService is applied first with the baseline, then with the canary and
/// <c>canaryTrafficPercent</c>, and KServe keeps the rest on the previous revision.
/// </summary>
internal static class KServeExport
{
    public const string ApiVersion = "serving.kserve.io/v1beta1";
    public const string GraphApiVersion = "serving.kserve.io/v1alpha1";

    /// <summary>KServe's name for a custom predictor container.</summary>
    public const string ContainerName = "kserve-container";

    /// <summary>Knative names the revision "{name}-predictor-00001", and that must stay a 63-character label.</summary>
    public const int MaxNameLength = 45;

    public static IReadOnlyList<ExportedFile> Export(ExportPlan plan)
    {
        var header = ExportText.Header(plan.Spec, EndpointExport.KServe);
        var endpointName = ExportNames.Dns(plan.Spec.Name, MaxNameLength);
        var shadow = plan.Shadow is { } s ? InferenceService(plan, VariantName(plan, s), s, null) : null;
        const string shadowNote = "KServe does not mirror requests: the shadow variant is deployed as its own InferenceService\nand receives copies only if a mesh (e.g. an Istio VirtualService with mirror) sends them.";

        if (plan.RunningCanary is var (canary, baseline))
        {
            var others = plan.Live.Where(v => v != canary && v != baseline && v.Weight > 0).Select(v => v.Name).ToList();
            if (others.Count > 0)
                throw CairnException.InvalidParameter($"KServe's canary splits one InferenceService between two revisions, but endpoint '{plan.Spec.Name}' also sends traffic to {string.Join(", ", others)}; finish or stop the canary, or set those weights to 0, before exporting to KServe.");
            var canaryHeader = $"{header}\nStep 2 of 2: the canary. Apply after step 1 is ready; KServe sends {canary.Weight}% to this revision and keeps\nthe rest on the previous one (the baseline). Removing canaryTrafficPercent promotes the canary (all traffic to this revision).";
            var files = new List<ExportedFile>
            {
                new($"1-{endpointName}-baseline.yaml", ExportText.ToYaml(InferenceService(plan, endpointName, baseline, null), $"{header}\nStep 1 of 2: the baseline revision ({baseline.Name}), the one the canary is compared with."), ExportText.Yaml),
                new($"2-{endpointName}-canary.yaml", ExportText.ToYaml(InferenceService(plan, endpointName, canary, canary.Weight), canaryHeader), ExportText.Yaml),
            };
            if (shadow is not null) files.Add(new($"3-{endpointName}-shadow.yaml", ExportText.ToYaml(shadow, $"{header}\n{shadowNote}"), ExportText.Yaml));
            return files;
        }

        var documents = new List<object>();
        var live = plan.Live;
        if (live.Count == 1) documents.Add(InferenceService(plan, endpointName, live[0], null));
        else
        {
            foreach (var variant in live) documents.Add(InferenceService(plan, VariantName(plan, variant), variant, null));
            documents.Add(Splitter(plan, endpointName));
        }
        if (shadow is not null) documents.Add(shadow);
        var text = string.Join("---\n", documents.Select((d, i) => ExportText.ToYaml(d, i == 0 ? header + (shadow is null ? "" : "\n" + shadowNote) : "")));
        return [new ExportedFile($"{endpointName}.yaml", text, ExportText.Yaml)];
    }

    public static string VariantName(ExportPlan plan, ExportVariant variant) => ExportNames.Dns($"{plan.Spec.Name}-{variant.Name}", MaxNameLength);

    private static Dictionary<string, object> Metadata(ExportPlan plan, string name, ExportVariant? variant)
    {
        var metadata = new Dictionary<string, object> { ["name"] = name };
        if (plan.Namespace is { } ns) metadata["namespace"] = ns;
        var labels = new Dictionary<string, string>
        {
            ["app.kubernetes.io/managed-by"] = "cairn",
            [KubernetesExport.EndpointLabel] = ExportNames.LabelValue(plan.Spec.Name),
        };
        var annotations = new Dictionary<string, string> { ["cairn.dev/endpoint-name"] = plan.Spec.Name };
        if (variant is not null)
        {
            labels[KubernetesExport.VariantLabel] = ExportNames.LabelValue(variant.Name);
            annotations["cairn.dev/variant-name"] = variant.Name;
            annotations["cairn.dev/model"] = variant.Model;
        }
        metadata["labels"] = labels;
        metadata["annotations"] = annotations;
        return metadata;
    }

    private static Dictionary<string, object> InferenceService(ExportPlan plan, string name, ExportVariant variant, int? canaryTrafficPercent)
    {
        var port = plan.Options.ContainerPort.ToString(CultureInfo.InvariantCulture);
        var predictor = new Dictionary<string, object>
        {
            ["minReplicas"] = plan.Spec.MinReplicas,
            ["maxReplicas"] = plan.Spec.MaxReplicas,
        };
        if (plan.Spec.Autoscaling is { } autoscaling)
        {
            // Knative's concurrency autoscaler is the same rule as Cairn's router: requests in flight per replica.
            predictor["scaleMetric"] = "concurrency";
            predictor["scaleTarget"] = Math.Max(1, (int)Math.Ceiling(autoscaling.TargetConcurrency));
        }
        if (canaryTrafficPercent is { } percent) predictor["canaryTrafficPercent"] = percent;
        predictor["containers"] = new List<object>
        {
            new Dictionary<string, object>
            {
                ["name"] = ContainerName,
                ["image"] = variant.Image,
                ["ports"] = new List<object> { new Dictionary<string, object> { ["containerPort"] = plan.Options.ContainerPort, ["protocol"] = "TCP" } },
                ["env"] = new List<object> { new Dictionary<string, object> { ["name"] = "SAGEMAKER_BIND_TO_PORT", ["value"] = port } },
                ["readinessProbe"] = new Dictionary<string, object> { ["httpGet"] = new Dictionary<string, object> { ["path"] = "/v2/health/ready" } },
            },
        };
        return new Dictionary<string, object>
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = "InferenceService",
            ["metadata"] = Metadata(plan, name, variant),
            ["spec"] = new Dictionary<string, object> { ["predictor"] = predictor },
        };
    }

    /// <summary>An InferenceGraph whose root node splits requests over the variants' InferenceServices by weight.</summary>
    private static Dictionary<string, object> Splitter(ExportPlan plan, string name)
    {
        var steps = plan.Live.Where(v => v.Weight > 0).Select(v => (object)new Dictionary<string, object>
        {
            ["name"] = ExportNames.Dns(v.Name),
            ["serviceName"] = VariantName(plan, v),
            ["weight"] = v.Weight,
        }).ToList();
        return new Dictionary<string, object>
        {
            ["apiVersion"] = GraphApiVersion,
            ["kind"] = "InferenceGraph",
            ["metadata"] = Metadata(plan, name, null),
            ["spec"] = new Dictionary<string, object>
            {
                ["nodes"] = new Dictionary<string, object>
                {
                    ["root"] = new Dictionary<string, object> { ["routerType"] = "Splitter", ["steps"] = steps },
                },
            },
        };
    }
}
