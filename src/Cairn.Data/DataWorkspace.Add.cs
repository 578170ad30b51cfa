namespace Cairn.Data;

public sealed partial class DataWorkspace
{
    /// <summary>
    /// Stores a file or folder in the cache and writes its pointer (<c>path.cairn</c>) and a
    /// .gitignore entry for the data. Unchanged files (same size and mtime) are not read again.
    /// </summary>
    public async Task<AddResult> AddAsync(string userPath, CancellationToken ct = default)
    {
        Cache.RemoveStaleTemp(Clock.GetUtcNow(), StaleTempAge);
        var relative = Relative(userPath);
        var full = FullPath(relative);
        var isFile = File.Exists(full);
        if (!isFile && !Directory.Exists(full))
            throw CairnException.NotFound($"Cannot add '{userPath}': no such file or folder.");
        RefuseNested(relative, full, isFile);
        if (Git.IsTrackedByGit(relative, folder: !isFile))
            throw CairnException.InvalidState($"'{relative}' is tracked by git itself. Stop tracking it there first (git rm -r --cached {relative}), then add it to cairn data.");

        var previous = File.Exists(PointerPath(relative)) ? DataPointer.Read(PointerPath(relative)) : null;
        var result = isFile ? AddFile(relative, full, previous) : await AddFolderAsync(relative, full, ct).ConfigureAwait(false);
        WritePointer(relative, result.Pointer);
        IgnoreInGit(relative);
        _stats.Save();
        return result;
    }

    private AddResult AddFile(string relative, string full, DataPointer? previous)
    {
        var info = new FileInfo(full);
        var (size, ticks) = (info.Length, info.LastWriteTimeUtc.Ticks);
        int hashed = 0, stored = 0;
        long bytes = 0;
        if (!_stats.TryGet(full, size, ticks, out var hex) || !Cache.Contains(hex))
        {
            (hex, size) = Cache.AddFile(full);
            _stats.Set(full, info.Length, ticks, hex);
            (hashed, stored, bytes) = (1, 1, size);
        }
        var digest = DatasetNames.DigestPrefix + hex;
        var table = previous is { Table: not null } && previous.Digest == digest ? previous.Table : TableSummaries.TryRead(full);
        var pointer = new DataPointer(Path.GetFileName(full), DataPointer.FileKind, digest, size, 1, table);
        return new AddResult(relative, pointer, hashed, stored, bytes, 0);
    }

    private async Task<AddResult> AddFolderAsync(string relative, string full, CancellationToken ct)
    {
        var (files, links) = ListFiles(full);
        var entries = new ManifestEntry[files.Count];
        int hashed = 0, stored = 0;
        long bytes = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, files.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, (i, _) =>
        {
            var (path, size, ticks) = files[i];
            var file = Path.Combine(full, path);
            if (!_stats.TryGet(file, size, ticks, out var hex) || !Cache.Contains(hex))
            {
                (hex, size) = Cache.AddFile(file);
                _stats.Set(file, files[i].Size, ticks, hex);
                Interlocked.Increment(ref hashed);
                Interlocked.Increment(ref stored);
                Interlocked.Add(ref bytes, size);
            }
            entries[i] = new ManifestEntry(path, hex, size);
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);
        var manifest = Cache.AddBytes(DirectoryManifest.Serialize(entries));
        var pointer = new DataPointer(Path.GetFileName(full), DataPointer.DirectoryKind, DatasetNames.DigestPrefix + manifest,
            entries.Sum(e => e.Size), entries.Length, null);
        return new AddResult(relative, pointer, hashed, stored, bytes, links);
    }

    /// <summary>A path inside a tracked folder, or a folder holding tracked paths, would be versioned twice.</summary>
    private void RefuseNested(string relative, string full, bool isFile)
    {
        var parts = relative.Split('/');
        for (var i = 1; i < parts.Length; i++)
        {
            var ancestor = string.Join('/', parts[..i]);
            if (File.Exists(PointerPath(ancestor)))
                throw CairnException.InvalidState($"'{relative}' is inside '{ancestor}', which cairn data already tracks: add '{ancestor}' again to record the change.");
        }
        if (!isFile && Directory.EnumerateFiles(full, "*" + DataPointer.Extension, SearchOption.AllDirectories).FirstOrDefault() is { } inner)
            throw CairnException.InvalidState($"'{relative}' contains a tracked path ({Path.GetRelativePath(Root, inner)}): track the folder or the paths in it, not both.");
    }

    private void WritePointer(string relative, DataPointer pointer)
    {
        var path = PointerPath(relative);
        var temp = path + ".tmp";
        File.WriteAllText(temp, pointer.ToYaml());
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Adds <c>/name</c> to the .gitignore beside the data, so git commits the pointer and never the bytes.</summary>
    private void IgnoreInGit(string relative)
    {
        var folder = Path.GetDirectoryName(FullPath(relative))!;
        var ignore = Path.Combine(folder, ".gitignore");
        var entry = "/" + Path.GetFileName(FullPath(relative));
        var lines = File.Exists(ignore) ? File.ReadAllLines(ignore) : [];
        if (lines.Contains(entry, StringComparer.Ordinal)) return;
        var prefix = lines.Length > 0 && !File.ReadAllText(ignore).EndsWith('\n') ? "\n" : "";
        File.AppendAllText(ignore, prefix + entry + "\n");
    }
}
