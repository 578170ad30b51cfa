namespace Cairn.Data;

public sealed partial class DataWorkspace
{
    /// <summary>
    /// Removes cache entries that no pointer references in the working tree, HEAD, the given
    /// revisions, or (with <paramref name="allCommits"/>) any commit reachable from a branch or tag.
    /// </summary>
    public GcResult CollectGarbage(IEnumerable<string>? revisions = null, bool allCommits = false, bool dryRun = false)
    {
        Cache.RemoveStaleTemp(Clock.GetUtcNow(), StaleTempAge);
        var pointers = PointersAt(null).ToList();
        var scope = (revisions ?? []).ToList();
        if (Git.HeadCommit is not null) scope.Add("HEAD");
        if (allCommits) scope.AddRange(Git.AllCommits());
        foreach (var revision in scope.Distinct()) pointers.AddRange(Git.PointersAt(revision));

        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, pointer) in pointers.DistinctBy(p => p.Value.Digest))
        {
            keep.Add(pointer.Hex);
            if (pointer.IsDirectory && Cache.Contains(pointer.Hex))
                foreach (var entry in DirectoryManifest.Load(Cache, pointer.Hex, path)) keep.Add(entry.Digest);
        }
        int kept = 0, removed = 0;
        long freed = 0;
        foreach (var hex in Cache.All().ToList())
        {
            if (keep.Contains(hex)) { kept++; continue; }
            removed++;
            freed += dryRun ? new FileInfo(Cache.PathOf(hex)).Length : Cache.Remove(hex);
        }
        return new GcResult(kept, removed, freed, dryRun);
    }
}
