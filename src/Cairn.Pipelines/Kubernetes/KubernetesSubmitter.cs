using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Exceptions;
using k8s.Models;

namespace Cairn.Pipelines.Kubernetes;

/// <summary>Where a step stands on the cluster.</summary>
public enum KubernetesStepState
{
    /// <summary>Its Job is not created yet: it waits for the steps it depends on.</summary>
    Waiting,
    /// <summary>Its Job exists and has not finished.</summary>
    Running,
    Succeeded,
    /// <summary>Its Job failed (every try), or disappeared before finishing.</summary>
    Failed,
    /// <summary>Its Job was deleted because another step failed or the run was cancelled.</summary>
    Cancelled,
    /// <summary>Never created, because a step before it failed.</summary>
    Skipped,
}

/// <summary>One step of a run on Kubernetes: its Job and where it stands.</summary>
public sealed record KubernetesStepStatus(string Step, string JobName, KubernetesStepState State, string? Message = null);

/// <summary>How a run on Kubernetes ended, step by step in the order they were started.</summary>
public sealed record KubernetesRunResult(IReadOnlyList<KubernetesStepStatus> Steps)
{
    public bool Succeeded => Steps.All(s => s.State == KubernetesStepState.Succeeded);
}

/// <summary>
/// Runs a pipeline run's steps as Kubernetes Jobs. A step's Job is created once every step it
/// depends on has succeeded, so independent branches run side by side on the cluster. The
/// submitter polls each running Job's status; when one fails it deletes the Jobs still running and
/// creates no more, and it does the same when the run is cancelled. Re-submitting a run whose Jobs
/// already exist picks them up where they are (Job names are fixed by pipeline, run and step).
/// </summary>
public sealed class KubernetesSubmitter : IDisposable
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(2);

    private readonly IKubernetes _client;
    private readonly bool _ownsClient;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pollInterval;

    /// <summary>The namespace the Jobs are created in.</summary>
    public string Namespace { get; }

    public KubernetesSubmitter(IKubernetes client, string @namespace, TimeProvider? time = null, TimeSpan? pollInterval = null)
        : this(client, @namespace, time, pollInterval, ownsClient: false)
    {
    }

    private KubernetesSubmitter(IKubernetes client, string @namespace, TimeProvider? time, TimeSpan? pollInterval, bool ownsClient)
    {
        if (!KubernetesNames.IsDnsLabel(@namespace))
            throw CairnException.InvalidParameter($"'{KubernetesNames.Printable(@namespace ?? "")}' is not a Kubernetes namespace name (lowercase letters, digits and '-').");
        if (pollInterval is { } interval && interval <= TimeSpan.Zero)
            throw CairnException.InvalidParameter("The interval between status checks must be positive.");
        _client = client;
        _ownsClient = ownsClient;
        Namespace = @namespace;
        _time = time ?? TimeProvider.System;
        _pollInterval = pollInterval ?? DefaultPollInterval;
    }

    /// <summary>
    /// A submitter for the cluster a kubeconfig names: the given file (and context), or with neither,
    /// the usual places (KUBECONFIG, ~/.kube/config, or the service account inside a cluster). The
    /// namespace is the given one, else the context's, else "default".
    /// </summary>
    public static KubernetesSubmitter FromKubeconfig(string? kubeconfigPath = null, string? context = null, string? @namespace = null,
        TimeProvider? time = null, TimeSpan? pollInterval = null)
    {
        KubernetesClientConfiguration config;
        try
        {
            if (kubeconfigPath is not null && !File.Exists(kubeconfigPath))
                throw CairnException.InvalidParameter($"The kubeconfig '{kubeconfigPath}' does not exist.");
            config = kubeconfigPath is null && context is null
                ? KubernetesClientConfiguration.BuildDefaultConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath, context);
        }
        catch (Exception e) when (e is KubeConfigException or KubernetesClientException or IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException or FormatException)
        {
            throw CairnException.InvalidParameter($"Cannot use the kubeconfig{(kubeconfigPath is null ? "" : $" '{kubeconfigPath}'")}: {OneLine(e.Message)}");
        }
        var client = new k8s.Kubernetes(config);
        try
        {
            return new KubernetesSubmitter(client, @namespace ?? config.Namespace ?? "default", time, pollInterval, ownsClient: true);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the steps and returns once every step has succeeded or the run has stopped on a failure.
    /// Cancelling deletes the Jobs still running and then throws <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <param name="onChange">Told each time a step changes state (from the submitting thread).</param>
    public async Task<KubernetesRunResult> RunAsync(string pipelineName, string runId, IReadOnlyList<StepJob> steps, string? defaultImage,
        Action<KubernetesStepStatus>? onChange = null, CancellationToken cancellationToken = default)
    {
        var jobs = KubernetesJobs.BuildAll(pipelineName, runId, steps, defaultImage);
        var order = StepOrder.Topological(steps);
        var byStep = order.Zip(jobs).ToDictionary(p => p.First.Name, p => (Step: p.First, Job: p.Second), StringComparer.Ordinal);
        var states = order.ToDictionary(s => s.Name, s => new KubernetesStepStatus(s.Name, byStep[s.Name].Job.Metadata.Name, KubernetesStepState.Waiting), StringComparer.Ordinal);
        var started = new List<string>();

        void Set(string step, KubernetesStepState state, string? message = null)
        {
            states[step] = states[step] with { State = state, Message = message };
            onChange?.Invoke(states[step]);
        }

        try
        {
            var failed = false;
            while (true)
            {
                if (!failed)
                    foreach (var step in order)
                    {
                        if (states[step.Name].State != KubernetesStepState.Waiting) continue;
                        if (!step.DependsOn.All(d => states[d].State == KubernetesStepState.Succeeded)) continue;
                        started.Add(step.Name);
                        try
                        {
                            await CreateAsync(byStep[step.Name].Job, cancellationToken);
                        }
                        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                        {
                            Set(step.Name, KubernetesStepState.Running); // the server may have created it: delete it below
                            throw;
                        }
                        // Only a Job this run created or adopted is ever deleted by it.
                        Set(step.Name, KubernetesStepState.Running);
                    }

                var running = started.Where(s => states[s].State == KubernetesStepState.Running).ToList();
                if (running.Count == 0 || failed) break;

                var changed = false;
                foreach (var step in running)
                {
                    var (state, message) = await ReadOutcomeAsync(states[step].JobName, cancellationToken);
                    if (state == KubernetesStepState.Running) continue;
                    Set(step, state, message);
                    changed = true;
                    failed |= state == KubernetesStepState.Failed;
                }
                if (failed) await CancelRunningAsync(started, states, Set, "stopped because a step failed");
                else if (!changed) await Task.Delay(_pollInterval, _time, cancellationToken);
            }

            foreach (var step in order.Where(s => states[s.Name].State == KubernetesStepState.Waiting))
            {
                var failedBefore = step.DependsOn.Where(d => states[d].State != KubernetesStepState.Succeeded);
                Set(step.Name, KubernetesStepState.Skipped, $"not run: {string.Join(", ", failedBefore)} did not succeed");
                started.Add(step.Name);
            }
            return new KubernetesRunResult(started.Select(s => states[s]).ToList());
        }
        catch (Exception e)
        {
            // Cancelled, or the API failed us: leave nothing running that no one watches.
            var cancelled = e is OperationCanceledException && cancellationToken.IsCancellationRequested;
            await CancelRunningAsync(started, states, Set, cancelled ? "cancelled" : "stopped: " + OneLine(e.Message));
            throw;
        }
    }

    private async Task CreateAsync(V1Job job, CancellationToken cancellationToken)
    {
        try
        {
            await Call(() => _client.BatchV1.CreateNamespacedJobAsync(job, Namespace, cancellationToken: cancellationToken), $"create the Job {job.Metadata.Name}");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // The run was submitted before: carry on with its Job if it is really this step's.
            var existing = await Call(() => _client.BatchV1.ReadNamespacedJobAsync(job.Metadata.Name, Namespace, cancellationToken: cancellationToken), $"read the Job {job.Metadata.Name}");
            var theirs = existing.Metadata?.Annotations;
            var ours = job.Metadata.Annotations;
            if (theirs is null || !new[] { KubernetesJobs.PipelineNameAnnotation, KubernetesJobs.RunIdAnnotation, KubernetesJobs.StepNameAnnotation }
                    .All(k => theirs.TryGetValue(k, out var value) && value == ours[k]))
                throw CairnException.AlreadyExists($"A Job named {job.Metadata.Name} already exists in namespace {Namespace} and was not made for this step.");
        }
    }

    private async Task<(KubernetesStepState State, string? Message)> ReadOutcomeAsync(string jobName, CancellationToken cancellationToken)
    {
        V1Job job;
        try
        {
            job = await Call(() => _client.BatchV1.ReadNamespacedJobStatusAsync(jobName, Namespace, cancellationToken: cancellationToken), $"read the status of the Job {jobName}");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return (KubernetesStepState.Failed, $"the Job {jobName} was deleted before it finished");
        }
        foreach (var condition in job.Status?.Conditions ?? [])
        {
            if (condition.Status != "True") continue;
            if (condition.Type == "Complete") return (KubernetesStepState.Succeeded, null);
            if (condition.Type == "Failed")
                return (KubernetesStepState.Failed, $"the Job {jobName} failed: {condition.Reason}{(string.IsNullOrEmpty(condition.Message) ? "" : ": " + OneLine(condition.Message))}");
        }
        return (KubernetesStepState.Running, null);
    }

    /// <summary>
    /// Deletes the Jobs still running, with their Pods (Background propagation: the API's default for
    /// Jobs would orphan them). Runs to the end even when the run was cancelled; a Job that cannot be
    /// deleted stays Running with the reason, for the user to delete by hand.
    /// </summary>
    private async Task CancelRunningAsync(List<string> started, Dictionary<string, KubernetesStepStatus> states,
        Action<string, KubernetesStepState, string?> set, string why)
    {
        foreach (var step in started.Where(s => states[s].State == KubernetesStepState.Running).ToList())
        {
            var name = states[step].JobName;
            try
            {
                await _client.BatchV1.DeleteNamespacedJobAsync(name, Namespace, propagationPolicy: "Background", cancellationToken: CancellationToken.None);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Already gone (or never created): nothing left to stop.
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException)
            {
                set(step, KubernetesStepState.Running, $"could not delete the Job {name} ({OneLine(e.Message)}); delete it with kubectl -n {Namespace} delete job {name}");
                continue;
            }
            set(step, KubernetesStepState.Cancelled, why);
        }
    }

    /// <summary>Turns the API's refusals and an unreachable server into one-line errors.</summary>
    private async Task<T> Call<T>(Func<Task<T>> request, string what)
    {
        try
        {
            return await request();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            throw;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new CairnException(ErrorCodes.PermissionDenied, $"The Kubernetes API refused to {what} in namespace {Namespace} ({(int)e.Response.StatusCode}): {OneLine(e.Response.Content)}");
        }
        catch (HttpOperationException e)
        {
            throw CairnException.InvalidState($"The Kubernetes API could not {what} in namespace {Namespace} ({(int)e.Response.StatusCode}): {OneLine(e.Response.Content)}");
        }
        catch (HttpRequestException e)
        {
            throw new CairnException(ErrorCodes.TemporarilyUnavailable, $"Cannot reach the Kubernetes API at {_client.BaseUri}: {OneLine(e.Message)}");
        }
    }

    private static string OneLine(string? text)
    {
        var line = string.Join(' ', (text ?? "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length > 500 ? line[..500] + "..." : line;
    }

    public void Dispose()
    {
        if (_ownsClient) _client.Dispose();
    }
}
