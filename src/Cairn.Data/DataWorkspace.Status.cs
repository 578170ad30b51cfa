namespace Cairn.Data;

public sealed partial class DataWorkspace
{
    /// <summary>How the workspace's data compares with its pointers: unchanged, modified (with the files, for folders) or missing.</summary>
    public async Task<IReadOnlyList<DataStatus>> StatusAsync(IEnumerable<string>? userPaths = null, CancellationToken ct = default)
    {
        var statuses = new List<DataStatus>();
        foreach (var relative in Tracked(userPaths))
        {
            var pointer = ReadPointer(relative);
            var full = FullPath(relative);
            EnsureInsideWorkspace(relative, pointer.IsDirectory);
            statuses.Add(pointer.IsDirectory
                ? await FolderStatusAsync(relative, full, pointer, ct).ConfigureAwait(false)
                : FileStatus(relative, full, pointer));
        }
        _stats.Save();
        return statuses;
    }

    private DataStatus FileStatus(string relative, string full, DataPointer pointer)
    {
        var inCache = Cache.Contains(pointer.Hex);
        if (!File.Exists(full)) return new DataStatus(relative, DataStates.Missing, inCache, []);
        var state = _stats.Hash(full) == pointer.Hex ? DataStates.Unchanged : DataStates.Modified;
        return new DataStatus(relative, state, inCache, []);
    }

    private async Task<DataStatus> FolderStatusAsync(string relative, string full, DataPointer pointer, CancellationToken ct)
    {
        var manifestInCache = Cache.Contains(pointer.Hex);
        if (!Directory.Exists(full)) return new DataStatus(relative, DataStates.Missing, manifestInCache, []);
        var (files, _) = ListFiles(full);
        var current = await CurrentEntriesAsync(full, files, ct).ConfigureAwait(false);
        var digest = ContentHash.OfBytes(DirectoryManifest.Serialize(current));
        if (digest == pointer.Hex) return new DataStatus(relative, DataStates.Unchanged, manifestInCache, []);
        if (!manifestInCache)
            return new DataStatus(relative, DataStates.Modified, false, [], "its manifest is not in the cache: run `cairn data pull` to see which files changed");
        return new DataStatus(relative, DataStates.Modified, true, CompareEntries(DirectoryManifest.Load(Cache, pointer.Hex, relative), current));
    }

    /// <summary>Files added, removed and modified going from <paramref name="before"/> to <paramref name="after"/>.</summary>
    public static IReadOnlyList<FileChange> CompareEntries(IReadOnlyList<ManifestEntry> before, IReadOnlyList<ManifestEntry> after)
    {
        var old = before.ToDictionary(e => e.Path, e => e.Digest, StringComparer.Ordinal);
        var changes = new List<FileChange>();
        foreach (var entry in after)
        {
            if (!old.Remove(entry.Path, out var digest)) changes.Add(new FileChange(entry.Path, Changes.Added));
            else if (digest != entry.Digest) changes.Add(new FileChange(entry.Path, Changes.Modified));
        }
        changes.AddRange(old.Keys.Select(path => new FileChange(path, Changes.Removed)));
        return changes.OrderBy(c => c.Path, StringComparer.Ordinal).ToList();
    }
}
