using System.IO.Enumeration;

namespace Cairn.Data;

/// <summary>
/// A git working copy whose data files are versioned by content: pointer files in git, bytes in
/// <c>.cairn/cache</c> and in remotes. One instance per command; not thread-safe across calls.
/// </summary>
public sealed partial class DataWorkspace : IDisposable
{
    public const string FolderName = ".cairn";

    public string Root { get; }
    public GitHistory Git { get; }
    public DataCache Cache { get; }
    public string ConfigPath { get; }
    private readonly StatCache _stats;
    private readonly WorkspaceBoundary _boundary;

    /// <summary>Temp files untouched this long belong to a killed command and are removed by add and gc.</summary>
    public static readonly TimeSpan StaleTempAge = TimeSpan.FromHours(1);

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The folder the user's relative paths are relative to (the current folder, or git's -C).</summary>
    public string BaseDirectory { get; }

    /// <summary>How many files are hashed or copied at once.</summary>
    public int Parallelism { get; init; } = Math.Max(4, Environment.ProcessorCount * 2);

    private DataWorkspace(GitHistory git, string baseDirectory)
    {
        Git = git;
        BaseDirectory = baseDirectory;
        Root = git.Root;
        var folder = Path.Combine(Root, FolderName);
        Cache = new DataCache(Path.Combine(folder, "cache"), Path.Combine(folder, "tmp"));
        ConfigPath = Path.Combine(folder, "config.yaml");
        _stats = new StatCache(Path.Combine(folder, "tmp", "stat-cache"));
        _boundary = new WorkspaceBoundary(Root);
    }

    /// <summary>Opens the workspace of the git repository that contains <paramref name="directory"/>.</summary>
    public static DataWorkspace Open(string directory)
    {
        var workspace = new DataWorkspace(GitHistory.Open(directory), Path.GetFullPath(directory));
        workspace.EnsureFolder();
        return workspace;
    }

    private void EnsureFolder()
    {
        var folder = Path.Combine(Root, FolderName);
        Directory.CreateDirectory(folder);
        var ignore = Path.Combine(folder, ".gitignore");
        // Only the settings are committed: the cache, temp files and an embedded tracking store stay local.
        if (!File.Exists(ignore)) File.WriteAllText(ignore, "/*\n!/.gitignore\n!/config.yaml\n");
    }

    public DataConfig LoadConfig() => DataConfig.Load(ConfigPath);

    /// <summary>A user's path (absolute or relative to the current folder) as a repository-relative path with '/'.</summary>
    public string Relative(string userPath)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(userPath, BaseDirectory));
        if (full.EndsWith(DataPointer.Extension, StringComparison.Ordinal) && full.Length > DataPointer.Extension.Length)
            full = full[..^DataPointer.Extension.Length]; // a pointer file stands for its data (data files never end in .cairn)
        var relative = Path.GetRelativePath(Root, full);
        if (relative == "." || relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
            throw CairnException.InvalidParameter($"'{userPath}' is not inside the repository {Root}.");
        relative = relative.Replace(Path.DirectorySeparatorChar, '/');
        var first = relative.Split('/')[0];
        if (first is ".git" or FolderName)
            throw CairnException.InvalidParameter($"'{userPath}' is inside {first}/, which cairn data does not version.");
        return relative;
    }

    public string FullPath(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public string PointerPath(string relative) => FullPath(relative) + DataPointer.Extension;

    /// <summary>The pointer of a tracked path, or an error that says how to track it.</summary>
    public DataPointer ReadPointer(string relative)
    {
        var pointer = PointerPath(relative);
        return File.Exists(pointer)
            ? DataPointer.Read(pointer)
            : throw CairnException.NotFound($"'{relative}' is not tracked: there is no {relative}{DataPointer.Extension}. Track it with `cairn data add {relative}`.");
    }

    /// <summary>Tracked paths: the given ones, or every pointer file in the working tree.</summary>
    public IReadOnlyList<string> Tracked(IEnumerable<string>? userPaths)
    {
        var given = userPaths?.ToList();
        if (given is { Count: > 0 })
        {
            var chosen = given.Select(Relative).ToList();
            foreach (var relative in chosen) ReadPointer(relative); // fail early, naming the path
            return chosen;
        }
        var found = new FileSystemEnumerable<string>(Root, (ref FileSystemEntry e) => e.ToFullPath(), new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
        {
            // Links are not followed: a committed link to / would otherwise bring in the whole disk.
            ShouldRecursePredicate = (ref FileSystemEntry e) => !(e.FileName is ".git" or FolderName) && (e.Attributes & FileAttributes.ReparsePoint) == 0
                && !File.Exists(e.ToFullPath() + DataPointer.Extension),
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory && e.FileName.EndsWith(DataPointer.Extension, StringComparison.Ordinal) && e.FileName.Length > DataPointer.Extension.Length,
        };
        return found.Select(p => Path.GetRelativePath(Root, p[..^DataPointer.Extension.Length]).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Regular files under a folder (relative, '/'), with their sizes and mtimes from one directory walk; symbolic links are counted, not followed.</summary>
    private static (List<(string Relative, long Size, long Ticks)> Files, int Links) ListFiles(string folder)
    {
        var links = 0;
        var files = new FileSystemEnumerable<(string, long, long)?>(folder, (ref FileSystemEntry e) =>
        {
            if ((e.Attributes & FileAttributes.ReparsePoint) != 0)
            {
                Interlocked.Increment(ref links);
                return null;
            }
            return (Path.GetRelativePath(folder, e.ToFullPath()).Replace(Path.DirectorySeparatorChar, '/'), e.Length, e.LastWriteTimeUtc.UtcTicks);
        }, new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory || (e.Attributes & FileAttributes.ReparsePoint) != 0,
            ShouldRecursePredicate = (ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        var list = files.Where(f => f is not null).Select(f => f!.Value)
            .Where(f => !f.Item1.EndsWith(".cairn-tmp", StringComparison.Ordinal)).ToList();
        return (list, links);
    }

    /// <summary>The current digests of a folder's files, hashing only those whose size or mtime changed.</summary>
    private async Task<List<ManifestEntry>> CurrentEntriesAsync(string folder, List<(string Relative, long Size, long Ticks)> files, CancellationToken ct)
    {
        var entries = new ManifestEntry[files.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, files.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, (i, token) =>
        {
            var (relative, size, ticks) = files[i];
            var full = Path.Combine(folder, relative);
            if (!_stats.TryGet(full, size, ticks, out var hex))
            {
                (hex, _) = ContentHash.OfFile(full);
                _stats.Set(full, size, ticks, hex);
            }
            entries[i] = new ManifestEntry(relative, hex, size);
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);
        return entries.ToList();
    }

    /// <summary>Checks that a tracked path's folder (or a file's parent) resolves inside the workspace before it is read or written.</summary>
    private void EnsureInsideWorkspace(string relative, bool isFolder)
    {
        var full = FullPath(relative);
        _boundary.EnsureInside(isFolder ? full : Path.GetDirectoryName(full)!, relative);
    }

    public void Dispose()
    {
        _stats.Save();
        Git.Dispose();
    }
}
