using Cairn.Deployments.Export;
using k8s;
using k8s.Models;

namespace Cairn.Deployments.Tests.Export;

/// <summary>The kubernetes target, read back into the client's typed models as kubectl would read it.</summary>
public sealed class KubernetesExportTests
{
    private static List<object> Load(EndpointSpec spec, ExportOptions? options = null)
    {
        var file = Assert.Single(EndpointExport.Export(spec, "kubernetes", options ?? ExportSamples.Options));
        Assert.Equal("application/yaml", file.MediaType);
        Assert.EndsWith(".yaml", file.FileName);
        // strict: a field the models do not know fails, as kubectl apply --validate=strict would.
        return KubernetesYaml.LoadAllFromString(file.Content, strict: true);
    }

    [Fact]
    public void Export_AbWithShadow_RoundTripsIntoTypedObjectsOfTheRightKinds()
    {
        var objects = Load(ExportSamples.AbWithShadow());

        Assert.Equal(3, objects.OfType<V1Deployment>().Count());
        Assert.Equal(4, objects.OfType<V1Service>().Count()); // one per variant and the endpoint's
        Assert.Equal(3, objects.OfType<V2HorizontalPodAutoscaler>().Count());
        Assert.Equal(10, objects.Count);
        foreach (var d in objects.OfType<V1Deployment>()) Assert.Equal(("apps/v1", "Deployment"), (d.ApiVersion, d.Kind));
        foreach (var s in objects.OfType<V1Service>()) Assert.Equal(("v1", "Service"), (s.ApiVersion, s.Kind));
        foreach (var h in objects.OfType<V2HorizontalPodAutoscaler>()) Assert.Equal(("autoscaling/v2", "HorizontalPodAutoscaler"), (h.ApiVersion, h.Kind));
        foreach (var meta in objects.Cast<IKubernetesObject<V1ObjectMeta>>().Select(o => o.Metadata))
        {
            Assert.True(ExportNames.IsDns(meta.Name), $"'{meta.Name}' is not a DNS-1035 label");
            Assert.Equal("models", meta.NamespaceProperty);
        }
    }

    [Fact]
    public void Export_Deployments_SelectTheirOwnPodsAndRunTheVariantsImageWithProbes()
    {
        var objects = Load(ExportSamples.AbWithShadow());
        var deployments = objects.OfType<V1Deployment>().ToList();
        var images = deployments.Select(d => Assert.Single(d.Spec.Template.Spec.Containers).Image).Order().ToList();
        Assert.Equal(["registry.example.com/ml/cairn-model:delay-3", "registry.example.com/ml/cairn-model:delay-4", "registry.example.com/ml/cairn-model:delay-5"], images);

        foreach (var deployment in deployments)
        {
            var selector = deployment.Spec.Selector.MatchLabels;
            var podLabels = deployment.Spec.Template.Metadata.Labels;
            Assert.All(selector, pair => Assert.Equal(pair.Value, podLabels[pair.Key]));
            // No other Deployment's pods match this selector.
            Assert.All(deployments.Where(d => d != deployment), other =>
                Assert.False(selector.All(pair => other.Spec.Template.Metadata.Labels.TryGetValue(pair.Key, out var v) && v == pair.Value)));

            var container = deployment.Spec.Template.Spec.Containers[0];
            Assert.Equal(8080, Assert.Single(container.Ports).ContainerPort);
            Assert.Equal("/v2/health/ready", container.ReadinessProbe.HttpGet.Path);
            Assert.Equal("/v2/health/live", container.LivenessProbe.HttpGet.Path);
            Assert.Equal("http", container.ReadinessProbe.HttpGet.Port.Value);
            Assert.Equal("8080", Assert.Single(container.Env, e => e.Name == "SAGEMAKER_BIND_TO_PORT").Value);
            Assert.NotNull(container.Resources.Requests["cpu"]); // the HPA's utilisation is relative to it
        }
    }

    [Fact]
    public void Export_Services_PointAtTheRightPods()
    {
        var objects = Load(ExportSamples.AbWithShadow());
        var deployments = objects.OfType<V1Deployment>().ToList();
        var services = objects.OfType<V1Service>().ToList();
        bool Selects(V1Service s, V1Deployment d) => s.Spec.Selector.All(p => d.Spec.Template.Metadata.Labels.TryGetValue(p.Key, out var v) && v == p.Value);

        var endpointService = Assert.Single(services, s => s.Metadata.Name == "delay");
        var routed = deployments.Where(d => Selects(endpointService, d)).Select(d => d.Metadata.Annotations["cairn.dev/variant-name"]).Order();
        Assert.Equal(["blue", "green"], routed); // the shadow answers no requests
        foreach (var deployment in deployments)
        {
            var own = Assert.Single(services, s => s.Metadata.Name == deployment.Metadata.Name);
            Assert.Equal([deployment], deployments.Where(d => Selects(own, d)));
            Assert.Equal("http", Assert.Single(own.Spec.Ports).TargetPort.Value);
        }
    }

    [Fact]
    public void Export_Autoscalers_TargetTheirDeploymentWithReplicasProportionalToTheWeights()
    {
        var objects = Load(ExportSamples.AbWithShadow());
        var deployments = objects.OfType<V1Deployment>().ToDictionary(d => d.Metadata.Annotations["cairn.dev/variant-name"]);
        var autoscalers = objects.OfType<V2HorizontalPodAutoscaler>().ToDictionary(h => h.Metadata.Annotations["cairn.dev/variant-name"]);

        // min 2, max 6 over two live variants at 70/30: 2 x 2 x 0.7 = 2.8 -> 3, 2 x 2 x 0.3 = 1.2 -> 1; max 8.4 -> 8, 3.6 -> 4.
        Assert.Equal((3, 8), (autoscalers["blue"].Spec.MinReplicas!.Value, autoscalers["blue"].Spec.MaxReplicas));
        Assert.Equal((1, 4), (autoscalers["green"].Spec.MinReplicas!.Value, autoscalers["green"].Spec.MaxReplicas));
        Assert.Equal((2, 6), (autoscalers["dark"].Spec.MinReplicas!.Value, autoscalers["dark"].Spec.MaxReplicas));
        foreach (var (variant, hpa) in autoscalers)
        {
            Assert.Equal(deployments[variant].Spec.Replicas, hpa.Spec.MinReplicas);
            Assert.Equal(("apps/v1", "Deployment", deployments[variant].Metadata.Name), (hpa.Spec.ScaleTargetRef.ApiVersion, hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name));
            var metric = Assert.Single(hpa.Spec.Metrics);
            Assert.Equal(("cpu", "Utilization", 70), (metric.Resource.Name, metric.Resource.Target.Type, metric.Resource.Target.AverageUtilization!.Value));
            Assert.Equal(45, hpa.Spec.Behavior.ScaleDown.StabilizationWindowSeconds);
        }
    }

    [Fact]
    public void Export_OneVariant_UsesTheEndpointsReplicaRange()
    {
        var spec = new EndpointSpec("solo", [new EndpointVariant("only", "models:/m/1", 100)], MinReplicas: 2, MaxReplicas: 5);
        var hpa = Assert.Single(Load(spec, new ExportOptions()).OfType<V2HorizontalPodAutoscaler>());
        Assert.Equal((2, 5), (hpa.Spec.MinReplicas!.Value, hpa.Spec.MaxReplicas));
        Assert.Null(hpa.Metadata.NamespaceProperty);
        Assert.Equal("localhost/cairn-model:m-1", Load(spec, new ExportOptions()).OfType<V1Deployment>().Single().Spec.Template.Spec.Containers[0].Image);
    }

    [Theory]
    [InlineData("Team_Model.v2")]
    [InlineData("9lives")]
    [InlineData("a-very-long-endpoint-name-that-keeps-going-and-going-past-the-limit-of-dns")]
    public void Export_NamesThatKubernetesRefuses_BecomeDnsLabelsAndLabelValues(string name)
    {
        var spec = ExportSamples.AbWithShadow(name) with
        {
            Variants = [new EndpointVariant("Blue_1.x", "models:/My.Model/3", 100), new EndpointVariant("dark", "models:/delay/5", 0, VariantRoles.Shadow)],
        };
        var objects = Load(spec);
        foreach (var meta in objects.Cast<IKubernetesObject<V1ObjectMeta>>().Select(o => o.Metadata))
        {
            Assert.True(ExportNames.IsDns(meta.Name), meta.Name);
            Assert.All(meta.Labels.Values, v => Assert.Matches("^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$", v));
            Assert.Equal(name, meta.Annotations["cairn.dev/endpoint-name"]); // the exact name survives in an annotation
        }
        Assert.Equal(objects.Cast<IKubernetesObject<V1ObjectMeta>>().Select(o => (o.GetType(), o.Metadata.Name)).Distinct().Count(), objects.Count);
    }

    [Fact]
    public void Export_BadNamespace_IsRefusedWithTheRule()
    {
        var e = Assert.Throws<CairnException>(() => EndpointExport.Export(ExportSamples.AbOnly(), "kubernetes", ExportSamples.Options with { Namespace = "My_NS" }));
        Assert.Contains("namespace", e.Message);
    }
}
