using k8s;
using k8s.Models;

namespace Cairn.Pipelines.Kubernetes;

/// <summary>
/// Turns a pipeline run into one Argo Workflow (for <c>cairn pipeline export --format argo</c>):
/// each step becomes a container template, with the same container as its Kubernetes Job, and a DAG
/// template holds one task per step with the step's dependencies. Argo then keeps the order itself.
/// </summary>
public static class ArgoWorkflows
{
    public static ArgoWorkflow Build(string pipelineName, string runId, IReadOnlyList<StepJob> jobs, string? defaultImage,
        int ttlSecondsAfterCompletion = KubernetesJobs.DefaultTtlSecondsAfterFinished)
    {
        KubernetesNames.Require("pipeline name", pipelineName);
        KubernetesNames.Require("run ID", runId);
        if (ttlSecondsAfterCompletion < 0) throw CairnException.InvalidParameter("The time to keep finished Workflows cannot be negative.");
        var ordered = StepOrder.Topological(jobs);

        // Argo allows fewer characters than a step name may hold; cleaned names must stay distinct.
        var taskNames = new Dictionary<string, string>(StringComparer.Ordinal);
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var step in ordered)
        {
            var name = KubernetesNames.ArgoName(step.Name);
            if (owners.TryGetValue(name, out var other))
                throw CairnException.InvalidParameter($"Steps '{KubernetesNames.Printable(other)}' and '{KubernetesNames.Printable(step.Name)}' both become '{name}' in Argo; rename one.");
            owners[name] = step.Name;
            taskNames[step.Name] = name;
        }
        var dagName = "dag";
        for (var i = 1; owners.ContainsKey(dagName); i++) dagName = $"dag-{i}";

        var templates = new List<ArgoTemplate>();
        foreach (var step in ordered)
        {
            if (step.Retries < 0) throw CairnException.InvalidParameter($"Step '{step.Name}' has {step.Retries} retries; retries cannot be negative.");
            var container = KubernetesJobs.Container(step, defaultImage);
            container.Name = null; // Argo names the step's container itself ("main")
            templates.Add(new ArgoTemplate
            {
                Name = taskNames[step.Name],
                Metadata = new ArgoPodMetadata
                {
                    Labels = KubernetesJobs.Labels(pipelineName, runId, step.Name),
                    Annotations = new Dictionary<string, string> { [KubernetesJobs.StepNameAnnotation] = step.Name },
                },
                Container = container,
                RetryStrategy = step.Retries > 0 ? new ArgoRetryStrategy { Limit = step.Retries } : null,
                ActiveDeadlineSeconds = KubernetesJobs.DeadlineSeconds(step),
            });
        }
        templates.Add(new ArgoTemplate
        {
            Name = dagName,
            Dag = new ArgoDagTemplate
            {
                Tasks = ordered.Select(s => new ArgoDagTask
                {
                    Name = taskNames[s.Name],
                    Template = taskNames[s.Name],
                    Dependencies = s.DependsOn.Count == 0 ? null : s.DependsOn.Distinct(StringComparer.Ordinal).Select(d => taskNames[d]).ToList(),
                }).ToList(),
            },
        });

        return new ArgoWorkflow
        {
            Metadata = new V1ObjectMeta
            {
                GenerateName = KubernetesNames.GenerateName(pipelineName),
                Labels = new Dictionary<string, string>
                {
                    [KubernetesJobs.ManagedByLabel] = KubernetesJobs.ManagedByValue,
                    [KubernetesJobs.PipelineLabel] = KubernetesNames.LabelValue(pipelineName),
                    [KubernetesJobs.RunLabel] = KubernetesNames.LabelValue(runId),
                },
                Annotations = new Dictionary<string, string>
                {
                    [KubernetesJobs.PipelineNameAnnotation] = pipelineName,
                    [KubernetesJobs.RunIdAnnotation] = runId,
                },
            },
            Spec = new ArgoWorkflowSpec
            {
                Entrypoint = dagName,
                Templates = templates,
                TtlStrategy = new ArgoTtlStrategy { SecondsAfterCompletion = ttlSecondsAfterCompletion },
            },
        };
    }

    /// <summary>The Workflow as YAML, for <c>argo submit</c> or <c>kubectl create -f</c>.</summary>
    public static string ToYaml(ArgoWorkflow workflow) => KubernetesYaml.Serialize(workflow);
}
