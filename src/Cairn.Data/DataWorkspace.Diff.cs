namespace Cairn.Data;

public sealed partial class DataWorkspace
{
    /// <summary>The pointers of a revision; null or "workspace" means the pointer files in the working tree.</summary>
    public Dictionary<string, DataPointer> PointersAt(string? revision)
    {
        if (revision is not null && revision != "workspace") return Git.PointersAt(revision);
        return Tracked(null).ToDictionary(r => r, ReadPointer, StringComparer.Ordinal);
    }

    /// <summary>Tracked paths added, removed and modified from <paramref name="from"/> (default HEAD) to <paramref name="to"/> (default the workspace's pointers).</summary>
    public IReadOnlyList<DataDiffEntry> Diff(string? from = null, string? to = null)
    {
        var before = PointersAt(from ?? "HEAD");
        var after = PointersAt(to);
        var entries = new List<DataDiffEntry>();
        foreach (var path in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            before.TryGetValue(path, out var old);
            after.TryGetValue(path, out var current);
            if (old is not null && current is not null && old.Digest == current.Digest) continue;
            var change = old is null ? Changes.Added : current is null ? Changes.Removed : Changes.Modified;
            var (files, note) = FolderChanges(path, old, current);
            entries.Add(new DataDiffEntry(path, change, old, current, files, note));
        }
        return entries;
    }

    private (IReadOnlyList<FileChange> Files, string? Note) FolderChanges(string path, DataPointer? old, DataPointer? current)
    {
        if (old is { IsDirectory: false } && current is { IsDirectory: false }) return ([], null);
        var missing = new[] { old, current }.Where(p => p is { IsDirectory: true } && !Cache.Contains(p.Hex)).ToList();
        if (missing.Count > 0) return ([], "a folder manifest is not in the cache, so its files cannot be listed: run `cairn data pull --rev <revision>`");
        IReadOnlyList<ManifestEntry> Entries(DataPointer? p) => p is { IsDirectory: true } ? DirectoryManifest.Load(Cache, p.Hex, path) : [];
        return (CompareEntries(Entries(old), Entries(current)), null);
    }
}
