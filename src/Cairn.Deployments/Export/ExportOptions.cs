namespace Cairn.Deployments.Export;

/// <summary>Where the exported specs point and what they run on; each target reads the settings it has a field for.</summary>
/// <param name="ImageRepository">The registry path of the images <c>cairn models build-image</c> pushed; a variant's image is <c>{ImageRepository}:{model}-{version}</c>.</param>
/// <param name="Namespace">Kubernetes and KServe: the namespace of every object (none: the one kubectl uses).</param>
/// <param name="InstanceType">SageMaker instance type, Vertex AI machine type or Azure ML VM size (each target has a default).</param>
/// <param name="Region">Vertex AI: the location in resource names (default us-central1).</param>
/// <param name="Project">Vertex AI: the Google Cloud project (required there).</param>
/// <param name="ExecutionRoleArn">SageMaker: the IAM role the model assumes (required there).</param>
/// <param name="ContainerPort">The port the container serves on (SageMaker always uses 8080).</param>
public sealed record ExportOptions(
    string ImageRepository = "localhost/cairn-model",
    string? Namespace = null,
    string? InstanceType = null,
    string? Region = null,
    string? Project = null,
    string? ExecutionRoleArn = null,
    int ContainerPort = 8080);

/// <summary>One file of an export, in the order it is applied.</summary>
/// <param name="FileName">A plain file name (no folder); numbered where the provider needs an order.</param>
/// <param name="MediaType"><c>application/yaml</c> or <c>application/json</c>.</param>
public sealed record ExportedFile(string FileName, string Content, string MediaType);
