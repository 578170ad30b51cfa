using Cairn.Registry;

namespace Cairn.Deployments.Export;

/// <summary>One variant as every target sees it: its model version, the image that serves it, its share.</summary>
/// <param name="Weight">Percent of live traffic (0 for the shadow).</param>
internal sealed record ExportVariant(string Name, string Model, string ModelName, string Version, string Image, int Weight, bool IsShadow);

/// <summary>The validated endpoint with its variants resolved to images, shared by the targets.</summary>
internal sealed record ExportPlan(EndpointSpec Spec, IReadOnlyList<ExportVariant> Variants, ExportOptions Options)
{
    public IReadOnlyList<ExportVariant> Live => Variants.Where(v => !v.IsShadow).ToList();

    /// <summary>Kubernetes and KServe: the namespace, checked to be a DNS-1123 label.</summary>
    public string? Namespace => Options.Namespace;

    public ExportVariant? Shadow => Variants.FirstOrDefault(v => v.IsShadow);

    /// <summary>Percent of live requests copied to the shadow.</summary>
    public int ShadowPercent => Spec.Shadow?.Percent ?? 100;

    /// <summary>The canary and its share while a rollout runs; null otherwise.</summary>
    public (ExportVariant Canary, ExportVariant Baseline)? RunningCanary =>
        Spec.Canary is { Status: CanaryStatuses.Running } c
        && Variants.FirstOrDefault(v => v.Name == c.Variant) is { } canary
        && Variants.FirstOrDefault(v => v.Name == c.Baseline) is { } baseline
            ? (canary, baseline) : null;

    public static ExportPlan From(EndpointSpec spec, ExportOptions options)
    {
        spec = EndpointSpecRules.Validate(spec);
        ArgumentNullException.ThrowIfNull(options);
        var repository = options.ImageRepository;
        if (string.IsNullOrWhiteSpace(repository) || repository.Any(char.IsWhiteSpace) || repository.Contains('@')
            || repository.LastIndexOf(':') > repository.LastIndexOf('/'))
            throw CairnException.InvalidParameter($"The image repository '{repository}' must be a registry path without a tag or digest, e.g. registry.example.com/team/cairn-model; each variant's tag is added to it.");
        if (repository.Contains('/') && repository[(repository.IndexOf('/') + 1)..].Any(char.IsAsciiLetterUpper))
            throw CairnException.InvalidParameter($"The image repository '{repository}' has upper-case letters in its path; image paths are lower case.");
        if (options.Namespace is { } ns && !ExportNames.IsNamespace(ns))
            throw CairnException.InvalidParameter($"The namespace '{ns}' is not a Kubernetes namespace name: at most 63 lowercase letters, digits and '-', alphanumeric at both ends.");
        if (options.ContainerPort is < 1 or > 65535)
            throw CairnException.InvalidParameter($"The container port {options.ContainerPort} is not a port (1 to 65535).");
        var variants = spec.Variants.Select(v =>
        {
            var model = ModelUri.Parse(v.Model);
            var version = model.Version!;
            var image = $"{options.ImageRepository}:{ExportNames.ImageTag(model.Name, version)}";
            return new ExportVariant(v.Name, v.Model, model.Name, version, image, v.Weight, v.Role == VariantRoles.Shadow);
        }).ToList();
        return new ExportPlan(spec, variants, options);
    }
}
