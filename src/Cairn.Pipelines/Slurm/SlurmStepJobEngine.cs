using System.Text;
using Cairn.Pipelines.Kubernetes;

namespace Cairn.Pipelines.Slurm;

/// <summary>
/// The Slurm executor: each step of a run is one <c>sbatch</c> job, submitted in dependency order
/// with <c>--dependency=afterok:</c> on the jobs of the steps it needs, so Slurm itself starts a
/// step once those succeeded and cancels it (<c>--kill-on-invalid-dep</c>) once one of them failed.
/// The engine polls the jobs with one <c>squeue</c> per interval; when a step fails it cancels the
/// jobs still queued or running, and when the run is cancelled it <c>scancel</c>s every job it
/// submitted that has not ended. Scripts and logs live in a folder per run, which must be on the
/// filesystem the nodes share, like the workspace the steps run in.
/// </summary>
public sealed class SlurmStepJobEngine(SlurmClient slurm, SlurmOptions? options = null) : IStepJobEngine
{
    private readonly SlurmOptions _options = Checked(options ?? new SlurmOptions());

    public string Name => "slurm";

    private sealed class Tracked(StepJob job, string script, string log)
    {
        public StepJob Job { get; } = job;
        public string Script { get; } = script;
        public string Log { get; } = log;
        public string? JobId { get; set; }
        public StepState State { get; set; } = StepState.Pending;
        public string? Reason { get; set; }
        public bool Ended => SlurmJobStates.IsEnded(State);
    }

    /// <summary>The folder that holds a run's scripts and logs.</summary>
    public string RunFolder(string runId, IReadOnlyList<StepJob> jobs)
    {
        var root = _options.LogFolder ?? Path.Combine(jobs[0].WorkingDirectory, ".cairn-slurm");
        return Path.Combine(Path.GetFullPath(root), SlurmBatchScript.FileStem(runId));
    }

    public async Task<IReadOnlyDictionary<string, string>> RunAsync(string pipelineName, string runId, IReadOnlyList<StepJob> jobs,
        Action<StepEvent>? progress, CancellationToken ct)
    {
        KubernetesNames.Require("pipeline name", pipelineName);
        KubernetesNames.Require("run id", runId);
        var order = StepOrder.Topological(jobs);
        var folder = RunFolder(runId, order);
        SlurmBatchScript.RequireNoPattern("log folder", folder);

        // Every script and option is built before the first job is submitted: a bad value stops the run with nothing queued.
        var steps = new Dictionary<string, Tracked>(StringComparer.Ordinal);
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var job in order)
        {
            var stem = SlurmBatchScript.FileStem(job.Name);
            steps[job.Name] = new Tracked(job, Path.Combine(folder, stem + ".sh"), Path.Combine(folder, stem + ".log"));
            texts[job.Name] = SlurmBatchScript.Script(pipelineName, runId, job);
            SlurmBatchScript.Options(pipelineName, job, steps[job.Name].Log, [], _options);
        }
        Directory.CreateDirectory(folder);
        foreach (var (name, text) in texts)
        {
            await File.WriteAllTextAsync(steps[name].Script, text, new UTF8Encoding(false), ct).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(steps[name].Script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        void Set(Tracked step, StepState state, string? message = null)
        {
            if (step.State == state && message is null) return;
            step.State = state;
            progress?.Invoke(new StepEvent(step.Job.Name, state, Message: message));
        }

        try
        {
            string? failedStep = null;
            foreach (var job in order)
            {
                var step = steps[job.Name];
                var after = job.DependsOn.Select(d => steps[d].JobId!).ToList();
                try
                {
                    step.JobId = await slurm.SubmitAsync(SlurmBatchScript.Options(pipelineName, job, step.Log, after, _options), step.Script, ct).ConfigureAwait(false);
                }
                catch (CairnException e)
                {
                    errors[job.Name] = e.Message;
                    Set(step, StepState.Failed, e.Message);
                    failedStep = job.Name;
                    break;
                }
                step.Reason = "None";
                progress?.Invoke(new StepEvent(job.Name, StepState.Pending, Message: $"Slurm job {step.JobId}"));
            }

            while (failedStep is null)
            {
                var active = steps.Values.Where(s => s.JobId is not null && !s.Ended).ToList();
                if (active.Count == 0) break;
                var statuses = await slurm.StatusAsync(active.Select(s => s.JobId!).ToList(), ct).ConfigureAwait(false);
                foreach (var step in active)
                {
                    var (state, reason) = statuses.TryGetValue(step.JobId!, out var status)
                        ? (status.State, status.Reason)
                        : await slurm.AccountingAsync(step.JobId!, ct).ConfigureAwait(false) is { } accounted
                            ? (accounted.State, "None")
                            : ("FORGOTTEN", "None");
                    if (state == "FORGOTTEN")
                    {
                        errors[step.Job.Name] = $"Slurm job {step.JobId} is no longer known to Slurm (it ended more than MinJobAge ago and accounting is off); see {step.Log}";
                        Set(step, StepState.Failed, errors[step.Job.Name]);
                        failedStep ??= step.Job.Name;
                        continue;
                    }
                    var next = SlurmJobStates.StepStateOf(state, reason);
                    if (next == StepState.Failed)
                    {
                        if (state.Equals("PENDING", StringComparison.OrdinalIgnoreCase))
                        {
                            // Impossible to schedule: stop the job rather than wait for ever.
                            await slurm.CancelAsync([step.JobId!], CancellationToken.None).ConfigureAwait(false);
                            errors[step.Job.Name] = $"Slurm job {step.JobId} can never start (Reason={reason}): it asks for more CPUs, memory, time or nodes than its partition, account or QOS allows.";
                        }
                        else
                            errors[step.Job.Name] = await FailureAsync(step, state, reason, ct).ConfigureAwait(false);
                        Set(step, StepState.Failed, errors[step.Job.Name]);
                        failedStep ??= step.Job.Name;
                    }
                    else if (next == StepState.Skipped)
                        Set(step, StepState.Skipped, "not run: a step it depends on did not succeed");
                    else if (next != step.State || reason != step.Reason)
                    {
                        step.Reason = reason;
                        Set(step, next, $"Slurm job {step.JobId}{(reason is "None" or "" ? "" : $" ({reason})")}");
                    }
                }
                if (failedStep is null && steps.Values.Any(s => s.JobId is not null && !s.Ended))
                    await Task.Delay(_options.PollInterval, ct).ConfigureAwait(false);
            }

            if (failedStep is not null)
                await StopAsync(steps.Values, Set, $"stopped because step '{KubernetesNames.Printable(failedStep)}' failed").ConfigureAwait(false);
            foreach (var step in steps.Values.Where(s => !s.Ended))
                Set(step, StepState.Skipped, "not run: a step before it failed");
            return errors;
        }
        catch (Exception)
        {
            // Cancelled, or Slurm failed us: leave nothing queued or running that no one watches.
            await StopAsync(steps.Values, Set, ct.IsCancellationRequested ? "cancelled" : "stopped: the executor failed").ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Cancels every job of the run that has not ended: running ones are killed, queued ones never start.</summary>
    private async Task StopAsync(IEnumerable<Tracked> steps, Action<Tracked, StepState, string?> set, string why)
    {
        var live = steps.Where(s => s.JobId is not null && !s.Ended).ToList();
        if (live.Count == 0) return;
        // A job may have started since the last poll: ask once more, so that it is reported as killed, not as never run.
        IReadOnlyDictionary<string, SlurmJobStatus> now;
        try
        {
            now = await slurm.StatusAsync(live.Select(s => s.JobId!).ToList(), CancellationToken.None).ConfigureAwait(false);
        }
        catch (CairnException)
        {
            now = new Dictionary<string, SlurmJobStatus>();
        }
        await slurm.CancelAsync(live.Select(s => s.JobId!).ToList(), CancellationToken.None).ConfigureAwait(false);
        foreach (var step in live)
        {
            var started = step.State == StepState.Running
                || (now.TryGetValue(step.JobId!, out var status) && SlurmJobStates.StepStateOf(status.State, status.Reason) == StepState.Running);
            set(step, started ? StepState.Killed : StepState.Skipped, why);
        }
    }

    /// <summary>Why a job failed: its state, exit code and the end of its log.</summary>
    private async Task<string> FailureAsync(Tracked step, string state, string reason, CancellationToken ct)
    {
        var exit = await slurm.ExitCodeAsync(step.JobId!, ct).ConfigureAwait(false);
        var message = new StringBuilder($"Slurm job {step.JobId} ended {state}");
        if (exit is not null)
        {
            var parts = exit.Split(':');
            message.Append($" (exit code {parts[0]}{(parts.Length > 1 && parts[1] != "0" ? $", signal {parts[1]}" : "")})");
        }
        else if (reason is not ("None" or "")) message.Append($" ({reason})");
        var tail = LogTail(step.Log, _options.LogTailLines);
        message.Append(tail.Count == 0 ? $"; its log {step.Log} is empty." : $"; the end of its log {step.Log}:\n" + string.Join('\n', tail));
        return message.ToString();
    }

    /// <summary>The last lines of a log file (written by the node, read here through the shared filesystem).</summary>
    internal static IReadOnlyList<string> LogTail(string path, int lines)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            // The end of a long log is enough: read at most the last 64 KiB.
            if (stream.Length > 65536) stream.Seek(-65536, SeekOrigin.End);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var all = reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            while (all.Count > 0 && all[^1].Length == 0) all.RemoveAt(all.Count - 1);
            return all.Skip(Math.Max(0, all.Count - lines)).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static SlurmOptions Checked(SlurmOptions options)
    {
        if (options.PollInterval <= TimeSpan.Zero) throw CairnException.InvalidParameter("The interval between Slurm status checks must be positive.");
        if (options.LogTailLines < 0) throw CairnException.InvalidParameter("The number of log lines must not be negative.");
        return options;
    }
}
