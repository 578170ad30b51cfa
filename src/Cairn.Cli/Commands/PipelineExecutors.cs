using System.CommandLine;
using Cairn.Pipelines;
using Cairn.Pipelines.Slurm;

namespace Cairn.Cli.Commands;

/// <summary>The <c>--executor</c> of <c>cairn pipeline run</c>: this machine, or an engine outside it.</summary>
internal static class PipelineExecutors
{
    public const string Local = "local";
    public const string Slurm = "slurm";

    public static Option<string> ExecutorOption()
    {
        var option = new Option<string>("--executor")
        {
            Description = "Where the steps run: local (here), or slurm (one sbatch job per step; the pipeline's folder and the tracking store must be reachable from the nodes).",
            DefaultValueFactory = _ => Local,
        };
        option.AcceptOnlyFromAmong(Local, Slurm);
        return option;
    }

    public static Option<string?> SlurmLogDirOption() => new("--slurm-log-dir")
    {
        Description = "Where the Slurm jobs' scripts and logs go, on the shared filesystem (default: .cairn-slurm in the pipeline's folder).",
    };

    /// <summary>The engine for the chosen executor, or null to run here.</summary>
    public static IStepJobEngine? External(ParseResult parse, Option<string> executor, Option<string?> slurmLogDir)
    {
        var logDir = parse.GetValue(slurmLogDir);
        if (parse.GetValue(executor) != Slurm)
            return logDir is null ? null : throw CairnException.InvalidParameter("--slurm-log-dir applies to --executor slurm.");
        return new SlurmStepJobEngine(new SlurmClient(), new SlurmOptions { LogFolder = logDir is null ? null : Path.GetFullPath(logDir) });
    }
}
