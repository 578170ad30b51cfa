using Cairn.Data;

namespace Cairn.Pipelines;

/// <summary>Paths a pipeline names (outputs, inputs, code), kept inside the workspace: a pipeline file from outside must not reach beyond it.</summary>
public static class WorkspacePaths
{
    public static string Resolve(string workspace, string relative, string who)
    {
        if (string.IsNullOrWhiteSpace(relative) || relative.Contains('\0'))
            throw new StepFailedException($"{who}: an empty path or one with a NUL character.");
        if (Path.IsPathRooted(relative))
            throw new StepFailedException($"{who}: '{relative}' is an absolute path; paths in a pipeline are relative to its folder.");
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(workspace));
        var full = Path.GetFullPath(Path.Combine(root, relative));
        var realRoot = WorkspaceBoundary.RealPath(root);
        // Compare real paths: a link on the way may lead elsewhere.
        var real = WorkspaceBoundary.RealPath(full);
        if (real != realRoot && !real.StartsWith(realRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new StepFailedException($"{who}: '{relative}' leads outside the pipeline's folder {root}.");
        return full;
    }
}
