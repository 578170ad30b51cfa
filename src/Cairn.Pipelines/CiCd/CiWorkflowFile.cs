namespace Cairn.Pipelines.CiCd;

/// <summary>
/// Writes a CI file inside a repository, and nowhere else: the path is taken as hostile, so one
/// that leaves the repository by '..', an absolute path or a symbolic link is refused, and an
/// existing file is kept unless the caller forces it.
/// </summary>
public static class CiWorkflowFile
{
    /// <summary>The nearest folder at or above <paramref name="start"/> holding .git; <paramref name="start"/> itself when there is none.</summary>
    public static string FindRepositoryRoot(string start)
    {
        for (var folder = new DirectoryInfo(Path.GetFullPath(start)); folder is not null; folder = folder.Parent)
            if (Directory.Exists(Path.Combine(folder.FullName, ".git")) || File.Exists(Path.Combine(folder.FullName, ".git")))
                return folder.FullName;
        return Path.GetFullPath(start);
    }

    /// <summary>The full path <paramref name="path"/> (relative to the root, or absolute) names, once checked to be inside the repository.</summary>
    public static string Resolve(string repositoryRoot, string path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Any(char.IsControl))
            throw CairnException.InvalidParameter("--out needs a file path inside the repository.");
        if (!Directory.Exists(repositoryRoot))
            throw CairnException.InvalidParameter($"The repository folder '{CiInputs.Printable(repositoryRoot)}' does not exist.");
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(repositoryRoot));
        var full = Path.GetFullPath(Path.Combine(root, path));
        if (!IsInside(root, full))
            throw CairnException.InvalidParameter($"--out '{CiInputs.Printable(path)}' is outside the repository {root}: give a path inside it.");
        var existing = Path.GetDirectoryName(full)!;
        while (!Directory.Exists(existing)) existing = Path.GetDirectoryName(existing)!;
        var realRoot = RealPath(root);
        if (existing != root && !IsInside(realRoot, RealPath(existing)))
            throw CairnException.InvalidParameter($"--out '{CiInputs.Printable(path)}' leads out of the repository through a symbolic link.");
        if (Directory.Exists(full))
            throw CairnException.InvalidParameter($"--out '{CiInputs.Printable(path)}' is a folder; give the file to write.");
        if (File.Exists(full) && new FileInfo(full).LinkTarget is not null)
            throw CairnException.InvalidParameter($"--out '{CiInputs.Printable(path)}' is a symbolic link; cairn does not write through links.");
        return full;
    }

    /// <summary>Writes <paramref name="content"/>; an existing file is an error unless <paramref name="force"/>. Returns the full path.</summary>
    public static string Write(string repositoryRoot, string path, string content, bool force)
    {
        var full = Resolve(repositoryRoot, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        try
        {
            // CreateNew: the check for an existing file and the creation are one step, so nothing is overwritten by a race.
            using var stream = new FileStream(full, force ? FileMode.Create : FileMode.CreateNew, FileAccess.Write);
            using var writer = new StreamWriter(stream);
            writer.Write(content);
        }
        catch (IOException) when (!force && File.Exists(full))
        {
            throw CairnException.AlreadyExists($"{Path.GetRelativePath(Path.GetFullPath(repositoryRoot), full)} already exists; pass --force to overwrite it.");
        }
        return full;
    }

    private static bool IsInside(string root, string full) =>
        full.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path with every symbolic link along it resolved.</summary>
    private static string RealPath(string fullPath, int depth = 0)
    {
        if (depth > 40) throw CairnException.InvalidParameter("Too many levels of symbolic links under the repository.");
        var result = Path.GetPathRoot(fullPath)!;
        foreach (var part in fullPath[result.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(result, part);
            var info = new DirectoryInfo(next);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
                next = RealPath(target.FullName, depth + 1);
            result = next;
        }
        return result;
    }
}
