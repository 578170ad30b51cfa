using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Cairn.Pipelines.Slurm;

/// <summary>
/// What is handed to <c>sbatch</c> for one step: a POSIX sh script that sets the step's variables
/// and runs its command (every word single-quoted, so no name, path or value is ever read as shell
/// syntax), and the options that carry its name, folder, log and resources. The options are passed
/// as separate arguments, never as <c>#SBATCH</c> lines, so no text of the step can add one.
/// </summary>
public static class SlurmBatchScript
{
    /// <summary>Slurm keeps job names short in its listings; longer ones are cut (with a hash).</summary>
    public const int MaxJobNameLength = 64;

    private const long Mebibyte = 1024 * 1024;

    /// <summary>The script's text: variables exported, then the command run in the working folder.</summary>
    public static string Script(string pipelineName, string runId, StepJob job)
    {
        if (job.Command.Count == 0) throw CairnException.InvalidParameter($"The step '{Printable(job.Name)}' has no command.");
        var text = new StringBuilder();
        text.Append("#!/bin/sh\n");
        // A comment for whoever opens the file; control characters are already refused, so it stays one line.
        text.Append("# cairn pipeline ").Append(Printable(pipelineName)).Append(", run ").Append(Printable(runId))
            .Append(", step ").Append(Printable(job.Name)).Append('\n');
        foreach (var (name, value) in job.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!IsVariableName(name))
                throw CairnException.InvalidParameter($"'{Printable(name)}' is not a variable name a shell can export (letters, digits and '_', not starting with a digit).");
            text.Append("export ").Append(name).Append('=').Append(Quote(value)).Append('\n');
        }
        text.Append("cd ").Append(Quote(job.WorkingDirectory)).Append(" || exit 1\n");
        text.Append("exec");
        foreach (var word in job.Command) text.Append(' ').Append(Quote(word));
        text.Append('\n');
        return text.ToString();
    }

    /// <summary>The sbatch arguments before the script's path (each one argument, never split by a shell).</summary>
    public static IReadOnlyList<string> Options(string pipelineName, StepJob job, string logFile, IReadOnlyList<string> dependsOnJobIds, SlurmOptions options)
    {
        RequireNoPattern("log file", logFile);
        var args = new List<string>
        {
            "--parsable",
            "--job-name=" + JobName(pipelineName, job.Name),
            "--chdir=" + job.WorkingDirectory,
            "--output=" + logFile,
            "--open-mode=append",
        };
        if (dependsOnJobIds.Count > 0)
        {
            args.Add("--dependency=afterok:" + string.Join(':', dependsOnJobIds));
            // A job whose dependency can never be met is cancelled by Slurm, not left pending.
            args.Add("--kill-on-invalid-dep=yes");
        }
        if (job.Resources.Cpus is { } cpus)
        {
            if (!(cpus > 0) || double.IsInfinity(cpus)) throw CairnException.InvalidParameter($"The step '{Printable(job.Name)}' asks for {cpus} CPUs; it must be a positive number.");
            args.Add("--cpus-per-task=" + ((long)Math.Ceiling(cpus)).ToString(CultureInfo.InvariantCulture));
        }
        if (job.Resources.MemoryBytes is { } memory)
        {
            if (memory <= 0) throw CairnException.InvalidParameter($"The step '{Printable(job.Name)}' asks for {memory} bytes of memory; it must be positive.");
            args.Add("--mem=" + ((memory + Mebibyte - 1) / Mebibyte).ToString(CultureInfo.InvariantCulture) + "M");
        }
        if (job.Timeout is { } timeout)
        {
            if (timeout <= TimeSpan.Zero) throw CairnException.InvalidParameter($"The step '{Printable(job.Name)}' has a timeout of {timeout}; it must be positive.");
            args.Add("--time=" + ((long)Math.Ceiling(timeout.TotalMinutes)).ToString(CultureInfo.InvariantCulture));
        }
        if (options.Partition is { } partition) args.Add("--partition=" + RequireWord("partition", partition));
        if (options.Account is { } account) args.Add("--account=" + RequireWord("account", account));
        return args;
    }

    /// <summary>
    /// The Slurm job name: <c>cairn-{pipeline}-{step}</c> in letters, digits, '_', '-' and '.',
    /// with a hash of the original when anything had to change or be cut.
    /// </summary>
    public static string JobName(string pipelineName, string stepName)
    {
        var full = $"cairn-{pipelineName}-{stepName}";
        var cleaned = new string(full.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_').ToArray());
        if (cleaned == full && full.Length <= MaxJobNameLength) return full;
        var hash = Hash(full);
        var keep = Math.Min(cleaned.Length, MaxJobNameLength - hash.Length - 1);
        return cleaned[..keep] + "-" + hash;
    }

    /// <summary>A file name for the step's script and log: the step name when it is plain, else a cleaned name and a hash.</summary>
    public static string FileStem(string stepName)
    {
        if (stepName.Length is > 0 and <= 100 && stepName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') && stepName[0] != '-') return stepName;
        var cleaned = new string(stepName.Take(60).Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').ToArray()).TrimStart('-');
        return (cleaned.Length == 0 ? "step" : cleaned) + "-" + Hash(stepName);
    }

    /// <summary>One word for sh: single-quoted, each ' written as '\'' ; NUL cannot be passed to a program and is refused.</summary>
    public static string Quote(string word)
    {
        if (word.Contains('\0')) throw CairnException.InvalidParameter("An argument, path or variable of a step contains a NUL character.");
        return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    /// <summary>
    /// sbatch reads '%' in --output as a pattern (%j, %x...) and a backslash as "no patterns": a path
    /// with either would log somewhere else, so it is refused rather than guessed at.
    /// </summary>
    internal static void RequireNoPattern(string what, string path)
    {
        if (path.Contains('%') || path.Contains('\\'))
            throw CairnException.InvalidParameter($"The Slurm {what} '{Printable(path)}' contains '%' or '\\', which sbatch reads as a file name pattern; choose a folder without them.");
    }

    private static string RequireWord(string what, string value)
    {
        if (value.Length == 0 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            throw CairnException.InvalidParameter($"The Slurm {what} '{Printable(value)}' is not a name (letters, digits, '_', '-' and '.').");
        return value;
    }

    private static bool IsVariableName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..10];

    internal static string Printable(string text) => Kubernetes.KubernetesNames.Printable(text);
}
