namespace Cairn.Deployments.Export;

/// <summary>
/// <c>cairn deploy export</c>: an endpoint's variants, weights, shadow, canary and replica range as
/// the files another platform applies, each variant served by the image <c>cairn models build-image</c>
/// built for its model version. Nothing is contacted; the files are written for kubectl, aws, gcloud or az.
/// </summary>
public static class EndpointExport
{
    public const string Kubernetes = "kubernetes";
    public const string KServe = "kserve";
    public const string SageMaker = "sagemaker";
    public const string Vertex = "vertex";
    public const string AzureML = "azureml";

    public static IReadOnlyList<string> Targets { get; } = [Kubernetes, KServe, SageMaker, Vertex, AzureML];

    /// <returns>The files, in the order they are applied.</returns>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE: an unknown target, a spec the target cannot express, or a missing option.</exception>
    public static IReadOnlyList<ExportedFile> Export(EndpointSpec spec, string target, ExportOptions options)
    {
        var normalized = (target ?? "").Trim().ToLowerInvariant();
        if (!Targets.Contains(normalized))
            throw CairnException.InvalidParameter($"Unknown export target '{target}'; the targets are {string.Join(", ", Targets)}.");
        var plan = ExportPlan.From(spec, options);
        return normalized switch
        {
            Kubernetes => KubernetesExport.Export(plan),
            KServe => KServeExport.Export(plan),
            SageMaker => SageMakerExport.Export(plan),
            Vertex => VertexExport.Export(plan),
            _ => AzureMLExport.Export(plan),
        };
    }
}
