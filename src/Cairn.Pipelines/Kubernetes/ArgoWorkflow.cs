using k8s.Models;

namespace Cairn.Pipelines.Kubernetes;

// The subset of Argo Workflows' argoproj.io/v1alpha1 Workflow that Cairn writes. KubernetesClient has
// no model for this custom resource; these records borrow its core types (metadata, containers)
// and serialize with KubernetesYaml, whose camelCase names match Argo's field names.

/// <summary>An Argo Workflow: one container template per step and a DAG template that orders them.</summary>
public sealed record ArgoWorkflow
{
    public const string WorkflowApiVersion = "argoproj.io/v1alpha1";
    public const string WorkflowKind = "Workflow";

    public string ApiVersion { get; init; } = WorkflowApiVersion;
    public string Kind { get; init; } = WorkflowKind;
    public V1ObjectMeta Metadata { get; init; } = new();
    public ArgoWorkflowSpec Spec { get; init; } = new();
}

public sealed record ArgoWorkflowSpec
{
    /// <summary>The name of the template the Workflow starts with: here the DAG.</summary>
    public string Entrypoint { get; init; } = "";
    public List<ArgoTemplate> Templates { get; init; } = [];
    public ArgoTtlStrategy? TtlStrategy { get; init; }
}

/// <summary>How long Argo keeps a finished Workflow (and so its Pods' records).</summary>
public sealed record ArgoTtlStrategy
{
    public int? SecondsAfterCompletion { get; init; }
}

/// <summary>A template holds either a container (a step) or a DAG (the order of steps).</summary>
public sealed record ArgoTemplate
{
    public string Name { get; init; } = "";
    /// <summary>Labels and annotations for the template's Pod.</summary>
    public ArgoPodMetadata? Metadata { get; init; }
    public V1Container? Container { get; init; }
    public ArgoDagTemplate? Dag { get; init; }
    public ArgoRetryStrategy? RetryStrategy { get; init; }
    /// <summary>Seconds each try may run before Argo stops its Pod.</summary>
    public long? ActiveDeadlineSeconds { get; init; }
}

public sealed record ArgoPodMetadata
{
    public Dictionary<string, string>? Labels { get; init; }
    public Dictionary<string, string>? Annotations { get; init; }
}

public sealed record ArgoDagTemplate
{
    public List<ArgoDagTask> Tasks { get; init; } = [];
}

/// <summary>A node of the DAG: runs a template once the tasks it depends on have succeeded.</summary>
public sealed record ArgoDagTask
{
    public string Name { get; init; } = "";
    public string Template { get; init; } = "";
    public List<string>? Dependencies { get; init; }
}

public sealed record ArgoRetryStrategy
{
    /// <summary>How many times a failed step is run again.</summary>
    public int? Limit { get; init; }
}
