using System.ComponentModel;
using System.Diagnostics;

namespace Cairn.Pipelines.Slurm;

/// <summary>A job as <c>squeue</c> shows it: its state (PENDING, RUNNING, COMPLETED, FAILED...) and the reason Slurm gives.</summary>
public sealed record SlurmJobStatus(string JobId, string State, string Reason);

/// <summary>What a Slurm command printed and how it exited.</summary>
public sealed record SlurmCommandResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>Runs one program with its arguments (never through a shell) and returns what it printed.</summary>
public delegate Task<SlurmCommandResult> SlurmCommandRunner(string program, IReadOnlyList<string> arguments, CancellationToken ct);

/// <summary>
/// The Slurm commands the executor needs (sbatch, squeue, scontrol, sacct, scancel), each run as a
/// process with an argument list. Jobs are read with <c>squeue -t all</c>, which knows ended jobs for
/// MinJobAge (300 s by default) and needs no accounting database; <c>sacct</c> is asked only about a
/// job squeue has already forgotten.
/// </summary>
public sealed class SlurmClient
{
    private readonly SlurmCommandRunner _run;

    /// <param name="environment">Variables added to each command's environment (for instance SLURM_CONF).</param>
    /// <param name="runner">Runs the commands; null runs the real programs found on PATH.</param>
    public SlurmClient(IReadOnlyDictionary<string, string>? environment = null, SlurmCommandRunner? runner = null)
    {
        var extra = environment ?? new Dictionary<string, string>();
        _run = runner ?? ((program, arguments, ct) => RunProcessAsync(program, arguments, extra, ct));
    }

    /// <summary>Submits a batch script; returns the job's id.</summary>
    public async Task<string> SubmitAsync(IReadOnlyList<string> options, string scriptPath, CancellationToken ct)
    {
        var result = await _run("sbatch", [.. options, scriptPath], ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw CairnException.InvalidParameter($"sbatch refused the job: {OneLine(result.StandardError + " " + result.StandardOutput)}");
        // --parsable prints "id" or "id;cluster".
        var id = result.StandardOutput.Trim().Split(';')[0];
        if (id.Length == 0 || !id.All(char.IsAsciiDigit))
            throw CairnException.InvalidState($"sbatch did not print a job id: '{OneLine(result.StandardOutput)}'.");
        return id;
    }

    /// <summary>The jobs squeue still knows among <paramref name="jobIds"/>, pending, running or ended.</summary>
    public async Task<IReadOnlyDictionary<string, SlurmJobStatus>> StatusAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct)
    {
        var statuses = new Dictionary<string, SlurmJobStatus>(StringComparer.Ordinal);
        if (jobIds.Count == 0) return statuses;
        var result = await _run("squeue", ["--noheader", "--states=all", "--jobs=" + string.Join(',', jobIds), "--format=%i|%T|%r"], ct).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            // squeue fails when it knows none of the ids: they ended long enough ago to be forgotten.
            if (result.StandardError.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)) return statuses;
            throw new CairnException(ErrorCodes.TemporarilyUnavailable, $"squeue failed: {OneLine(result.StandardError)}");
        }
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split('|');
            if (fields.Length >= 3 && jobIds.Contains(fields[0])) statuses[fields[0]] = new SlurmJobStatus(fields[0], fields[1], fields[2]);
        }
        return statuses;
    }

    /// <summary>A job's exit code as Slurm writes it ("code:signal"), from scontrol; null when Slurm no longer says.</summary>
    public async Task<string?> ExitCodeAsync(string jobId, CancellationToken ct)
    {
        var result = await _run("scontrol", ["--oneliner", "show", "job", jobId], ct).ConfigureAwait(false);
        if (result.ExitCode != 0) return null;
        return result.StandardOutput.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(f => f.StartsWith("ExitCode=", StringComparison.Ordinal))?["ExitCode=".Length..];
    }

    /// <summary>How an ended job that squeue forgot finished, from accounting ("STATE|code:signal"); null where accounting is off.</summary>
    public async Task<(string State, string ExitCode)?> AccountingAsync(string jobId, CancellationToken ct)
    {
        SlurmCommandResult result;
        try
        {
            result = await _run("sacct", ["--noheader", "--parsable2", "--allocations", "--jobs=" + jobId, "--format=State,ExitCode"], ct).ConfigureAwait(false);
        }
        catch (CairnException)
        {
            return null;
        }
        if (result.ExitCode != 0) return null;
        var fields = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()?.Split('|');
        // "CANCELLED by 0" → CANCELLED
        return fields is { Length: >= 2 } ? (fields[0].Split(' ')[0], fields[1]) : null;
    }

    /// <summary>Cancels the jobs (pending or running); ids Slurm no longer knows are ignored.</summary>
    public async Task CancelAsync(IReadOnlyCollection<string> jobIds, CancellationToken ct)
    {
        if (jobIds.Count == 0) return;
        var result = await _run("scancel", [.. jobIds], ct).ConfigureAwait(false);
        if (result.ExitCode != 0 && !result.StandardError.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
            throw new CairnException(ErrorCodes.TemporarilyUnavailable, $"scancel {string.Join(' ', jobIds)} failed: {OneLine(result.StandardError)}");
    }

    private static async Task<SlurmCommandResult> RunProcessAsync(string program, IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment, CancellationToken ct)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) info.Environment[key] = value;
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new Win32Exception($"{program} did not start");
        }
        catch (Win32Exception e)
        {
            throw CairnException.InvalidState($"Cannot run {program} ({e.Message}): the Slurm executor needs Slurm's commands on PATH.");
        }
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw;
            }
            return new SlurmCommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }

    internal static string OneLine(string? text)
    {
        var line = string.Join(' ', (text ?? "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length > 500 ? line[..500] + "..." : line;
    }
}
