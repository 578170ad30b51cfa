using Cairn.Deployments.Export;

namespace Cairn.Deployments.Tests.Export;

/// <summary>Endpoints the export tests share: an A/B split with a shadow, a single variant with a shadow, a running canary.</summary>
internal static class ExportSamples
{
    public static readonly ExportOptions Options = new(
        ImageRepository: "registry.example.com/ml/cairn-model",
        Namespace: "models",
        Region: "europe-west4",
        Project: "cairn-demo",
        ExecutionRoleArn: "arn:aws:iam::123456789012:role/CairnSageMaker");

    /// <summary>blue 70 %, green 30 %, and a shadow getting 40 % of requests copied.</summary>
    public static EndpointSpec AbWithShadow(string name = "delay") => new(
        name,
        [
            new EndpointVariant("blue", "models:/delay/3", 70),
            new EndpointVariant("green", "models:/delay/4", 30),
            new EndpointVariant("dark", "models:/delay/5", 0, VariantRoles.Shadow),
        ],
        MinReplicas: 2, MaxReplicas: 6, Autoscaling: new AutoscalingSettings(TargetConcurrency: 8, CooldownSeconds: 45),
        Shadow: new ShadowSettings("dark", 40));

    public static EndpointSpec AbOnly(string name = "delay") => AbWithShadow(name) with { Variants = AbWithShadow(name).Variants.Take(2).ToList(), Shadow = null };

    /// <summary>One live variant and a shadow copying <paramref name="shadowPercent"/> % of its requests.</summary>
    public static EndpointSpec SingleWithShadow(int shadowPercent = 25, string name = "delay") => new(
        name,
        [
            new EndpointVariant("blue", "models:/delay/3", 100),
            new EndpointVariant("dark", "models:/delay/5", 0, VariantRoles.Shadow),
        ],
        MinReplicas: 1, MaxReplicas: 3,
        Shadow: new ShadowSettings("dark", shadowPercent));

    /// <summary>green is a canary at its first step (10 %) against blue.</summary>
    public static EndpointSpec RunningCanary(string name = "delay") => new(
        name,
        [
            new EndpointVariant("blue", "models:/delay/3", 90),
            new EndpointVariant("green", "models:/delay/4", 10),
        ],
        MinReplicas: 1, MaxReplicas: 4,
        Canary: new CanaryState("green", "blue", [10, 50, 100], 300));

    public static ExportedFile Single(IReadOnlyList<ExportedFile> files, string name) =>
        Assert.Single(files, f => f.FileName == name);
}
