using System.Collections.Concurrent;

namespace Cairn.Data;

/// <summary>
/// Keeps reads and writes inside a folder: a path is inside only if its real path (every symbolic
/// link resolved, as realpath(3) does) is. Strings are not compared before resolving: a committed
/// link such as <c>data/parts/sub -> ~/.ssh</c> looks inside and is not.
/// </summary>
public sealed class WorkspaceBoundary
{
    private const int MaxLinks = 40; // as Linux's MAXSYMLINKS
    private readonly string _realRoot;
    private readonly ConcurrentDictionary<string, bool> _checkedFolders = new(StringComparer.Ordinal);

    public string Root { get; }

    public WorkspaceBoundary(string root)
    {
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _realRoot = RealPath(Root);
    }

    /// <summary>
    /// Checks that <paramref name="folder"/> and everything on the way to it resolve inside the
    /// boundary; folders that do not exist yet will be created by us, so they cannot be links.
    /// </summary>
    /// <exception cref="UnsafeDataException">When a link on the way leads outside.</exception>
    public void EnsureInside(string folder, string describe)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (_checkedFolders.ContainsKey(full)) return;
        var real = RealPath(full);
        if (!IsWithin(real, _realRoot))
            throw new UnsafeDataException($"'{DataPathRules.Printable(describe)}' resolves to {real}, outside {Root}: a symbolic link on the way leads out of it. Nothing was written; remove the link (it did not come from cairn data).");
        _checkedFolders[full] = true;
    }

    private static bool IsWithin(string path, string root) =>
        path == root || path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path with every symbolic link resolved; the parts that do not exist are kept as they are.</summary>
    public static string RealPath(string path)
    {
        var full = Path.IsPathRooted(path) ? path : Path.Combine(Environment.CurrentDirectory, path);
        var root = Path.GetPathRoot(full)!;
        // Segments still to walk, next on top: a link's target is pushed in place of the link, and
        // '..' goes up from the resolved folder, never lexically over a link.
        var pending = new Stack<string>(Segments(full[root.Length..]).Reverse());
        var current = root;
        var links = 0;
        while (pending.TryPop(out var segment))
        {
            if (segment == ".") continue;
            if (segment == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            var next = Path.Combine(current, segment);
            if (new FileInfo(next).LinkTarget is not { } target)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks) throw new UnsafeDataException($"Too many levels of symbolic links at {next}.");
            if (Path.IsPathRooted(target)) current = Path.GetPathRoot(target)!;
            foreach (var part in Segments(target[(Path.IsPathRooted(target) ? Path.GetPathRoot(target)!.Length : 0)..]).Reverse()) pending.Push(part);
        }
        return current;
    }

    private static IEnumerable<string> Segments(string path) =>
        path.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Where(s => s.Length > 0);
}
