using System.Diagnostics;

namespace Cairn.Pipelines;

/// <summary>Facts about pipeline runs that need this machine: whether the process that ran one is still alive.</summary>
public static class PipelineRuns
{
    /// <param name="runner">The <c>host:pid</c> a pipeline run records.</param>
    public static bool RunnerAlive(string? runner)
    {
        if (runner is null) return false;
        var colon = runner.LastIndexOf(':');
        if (colon <= 0 || runner[..colon] != Environment.MachineName || !int.TryParse(runner[(colon + 1)..], out var pid)) return false;
        if (pid == Environment.ProcessId) return false;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
