using System.Globalization;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Cairn.Pipelines.Kubernetes;

/// <summary>
/// Turns a pipeline run's steps into Kubernetes Jobs (batch/v1), one Job per step. Jobs have no
/// ordering of their own: a step's dependencies are recorded in an annotation and
/// <see cref="KubernetesSubmitter"/> creates a Job only once the Jobs it waits for have succeeded.
/// </summary>
public static class KubernetesJobs
{
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedByValue = "cairn";
    public const string PipelineLabel = "cairn.dev/pipeline";
    public const string RunLabel = "cairn.dev/run";
    public const string StepLabel = "cairn.dev/step";

    /// <summary>The exact names, which labels may only hold in a cleaned form.</summary>
    public const string PipelineNameAnnotation = "cairn.dev/pipeline-name";
    public const string RunIdAnnotation = "cairn.dev/run-id";
    public const string StepNameAnnotation = "cairn.dev/step-name";

    /// <summary>A JSON array of the names of the steps this one waits for.</summary>
    public const string DependsOnAnnotation = "cairn.dev/depends-on";

    /// <summary>The Job names of those steps, comma-separated, for <c>kubectl wait</c> by hand.</summary>
    public const string DependsOnJobsAnnotation = "cairn.dev/depends-on-jobs";

    /// <summary>The step's container; Argo and podman name theirs after it too.</summary>
    public const string ContainerName = "step";

    /// <summary>Finished Jobs stay a day, long enough to read their logs, then Kubernetes removes them.</summary>
    public const int DefaultTtlSecondsAfterFinished = 24 * 60 * 60;

    /// <summary>One Job per step, in an order where each step follows those it depends on.</summary>
    public static IReadOnlyList<V1Job> BuildAll(string pipelineName, string runId, IReadOnlyList<StepJob> steps, string? defaultImage,
        int ttlSecondsAfterFinished = DefaultTtlSecondsAfterFinished) =>
        StepOrder.Topological(steps).Select(s => Build(pipelineName, runId, s, defaultImage, ttlSecondsAfterFinished)).ToList();

    /// <summary>
    /// The Job for one step. <see cref="StepJob.Timeout"/> bounds each try (the Pod's
    /// activeDeadlineSeconds, as Slurm's --time and Argo's template deadline do), and the Job as a
    /// whole gets the time of all its tries.
    /// </summary>
    public static V1Job Build(string pipelineName, string runId, StepJob job, string? defaultImage,
        int ttlSecondsAfterFinished = DefaultTtlSecondsAfterFinished)
    {
        KubernetesNames.Require("pipeline name", pipelineName);
        KubernetesNames.Require("run ID", runId);
        KubernetesNames.Require("step name", job.Name);
        if (job.Retries < 0) throw CairnException.InvalidParameter($"Step '{job.Name}' has {job.Retries} retries; retries cannot be negative.");
        if (ttlSecondsAfterFinished < 0) throw CairnException.InvalidParameter("The time to keep finished Jobs cannot be negative.");
        var attemptSeconds = DeadlineSeconds(job);
        var labels = Labels(pipelineName, runId, job.Name);

        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = KubernetesNames.JobName(pipelineName, runId, job.Name),
                Labels = labels,
                Annotations = new Dictionary<string, string>
                {
                    [PipelineNameAnnotation] = pipelineName,
                    [RunIdAnnotation] = runId,
                    [StepNameAnnotation] = job.Name,
                    [DependsOnAnnotation] = JsonSerializer.Serialize(job.DependsOn),
                    [DependsOnJobsAnnotation] = string.Join(",", job.DependsOn.Select(d => KubernetesNames.JobName(pipelineName, runId, d))),
                },
            },
            Spec = new V1JobSpec
            {
                BackoffLimit = job.Retries,
                ActiveDeadlineSeconds = attemptSeconds is { } seconds ? AllTries(seconds, job.Retries) : null,
                TtlSecondsAfterFinished = ttlSecondsAfterFinished,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        ActiveDeadlineSeconds = attemptSeconds,
                        Containers = [Container(job, defaultImage)],
                    },
                },
            },
        };
    }

    /// <summary>
    /// A bare Pod with the Job's pod template, named after the Job: what the Job would start, for a
    /// runtime that plays Pods but not Jobs (<c>podman kube play</c>).
    /// </summary>
    public static V1Pod PodFor(V1Job job)
    {
        var template = job.Spec?.Template ?? throw CairnException.InvalidParameter("The Job has no pod template.");
        // A deep copy through JSON, so the Pod and the Job never share a list.
        var spec = KubernetesJson.Deserialize<V1PodSpec>(KubernetesJson.Serialize(template.Spec));
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = job.Metadata.Name,
                Labels = new Dictionary<string, string>(template.Metadata?.Labels ?? new Dictionary<string, string>()),
                Annotations = job.Metadata.Annotations is null ? null : new Dictionary<string, string>(job.Metadata.Annotations),
            },
            Spec = spec,
        };
    }

    /// <summary>All of a run's Jobs as one multi-document YAML text, for <c>kubectl apply -f</c>.</summary>
    public static string ToYaml(IEnumerable<V1Job> jobs) => KubernetesYaml.SerializeAll(jobs);

    internal static Dictionary<string, string> Labels(string pipelineName, string runId, string stepName) => new()
    {
        [ManagedByLabel] = ManagedByValue,
        [PipelineLabel] = KubernetesNames.LabelValue(pipelineName),
        [RunLabel] = KubernetesNames.LabelValue(runId),
        [StepLabel] = KubernetesNames.LabelValue(stepName),
    };

    /// <summary>The step's container: the command as given (no shell), its variables, folder and resources.</summary>
    internal static V1Container Container(StepJob job, string? defaultImage)
    {
        var step = KubernetesNames.Printable(job.Name);
        var image = string.IsNullOrEmpty(job.Image) ? defaultImage : job.Image;
        if (string.IsNullOrEmpty(image))
            throw CairnException.InvalidParameter($"Step '{step}' has no image and no default image was given.");
        if (image.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw CairnException.InvalidParameter($"Step '{step}' has the image '{KubernetesNames.Printable(image)}', which contains a space or a control character.");
        if (job.Command.Count == 0 || string.IsNullOrEmpty(job.Command[0]))
            throw CairnException.InvalidParameter($"Step '{step}' has no command.");
        if (job.Command.Any(a => a.Contains('\0')))
            throw CairnException.InvalidParameter($"Step '{step}' has a command argument with a NUL character.");
        if (!string.IsNullOrEmpty(job.WorkingDirectory) && (!job.WorkingDirectory.StartsWith('/') || job.WorkingDirectory.Any(char.IsControl)))
            throw CairnException.InvalidParameter($"Step '{step}' has the working directory '{KubernetesNames.Printable(job.WorkingDirectory)}'; in a container it must be an absolute path without control characters.");

        return new V1Container
        {
            Name = ContainerName,
            Image = image,
            Command = [.. job.Command],
            Env = Environment(job, step),
            WorkingDir = string.IsNullOrEmpty(job.WorkingDirectory) ? null : job.WorkingDirectory,
            Resources = Resources(job.Resources, step),
        };
    }

    private static List<V1EnvVar>? Environment(StepJob job, string step)
    {
        if (job.Environment.Count == 0) return null;
        var variables = new List<V1EnvVar>();
        foreach (var (name, value) in job.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            // Kubernetes' rule for variable names (C identifiers plus '-' and '.', no leading digit).
            var valid = name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
            if (!valid) throw CairnException.InvalidParameter($"Step '{step}' sets the variable '{KubernetesNames.Printable(name)}'; names may hold letters, digits, '_', '-' and '.', and not start with a digit.");
            if (value.Contains('\0')) throw CairnException.InvalidParameter($"Step '{step}' sets the variable '{name}' to a value with a NUL character.");
            variables.Add(new V1EnvVar { Name = name, Value = value });
        }
        return variables;
    }

    /// <summary>Requests equal to limits: the scheduler reserves what the step may use, and no more is taken.</summary>
    private static V1ResourceRequirements? Resources(StepResources resources, string step)
    {
        var quantities = new Dictionary<string, ResourceQuantity>();
        if (resources.Cpus is { } cpus)
        {
            if (!double.IsFinite(cpus) || cpus <= 0) throw CairnException.InvalidParameter($"Step '{step}' asks for {cpus} CPUs; give a positive number.");
            quantities["cpu"] = new ResourceQuantity(CpuQuantity(cpus));
        }
        if (resources.MemoryBytes is { } bytes)
        {
            if (bytes <= 0) throw CairnException.InvalidParameter($"Step '{step}' asks for {bytes} bytes of memory; give a positive number.");
            quantities["memory"] = new ResourceQuantity(bytes.ToString(CultureInfo.InvariantCulture));
        }
        if (quantities.Count == 0) return null;
        return new V1ResourceRequirements { Requests = quantities, Limits = new Dictionary<string, ResourceQuantity>(quantities) };
    }

    /// <summary>Whole CPUs as a plain number, fractions in millicores rounded up (Kubernetes' finest unit).</summary>
    internal static string CpuQuantity(double cpus)
    {
        var millis = (long)Math.Ceiling(Math.Round(cpus * 1000, 6));
        return millis % 1000 == 0 ? (millis / 1000).ToString(CultureInfo.InvariantCulture) : $"{millis.ToString(CultureInfo.InvariantCulture)}m";
    }

    /// <summary>The time of every try together, saturating rather than overflowing.</summary>
    private static long AllTries(long attemptSeconds, int retries) =>
        attemptSeconds > long.MaxValue / (retries + 1L) ? long.MaxValue : attemptSeconds * (retries + 1L);

    /// <summary>The step's timeout in whole seconds (rounded up), or null for none.</summary>
    internal static long? DeadlineSeconds(StepJob job)
    {
        if (job.Timeout is not { } timeout) return null;
        if (timeout <= TimeSpan.Zero) throw CairnException.InvalidParameter($"Step '{KubernetesNames.Printable(job.Name)}' has the timeout {timeout}; give a positive duration.");
        return (long)Math.Ceiling(timeout.TotalSeconds);
    }
}
