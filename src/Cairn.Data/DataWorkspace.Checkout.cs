namespace Cairn.Data;

public sealed partial class DataWorkspace
{
    /// <summary>
    /// Makes the workspace's data match its pointers (after a git checkout, say). A workspace file
    /// whose content is not in the cache would be lost, so it is left alone unless <paramref name="force"/>.
    /// </summary>
    public async Task<IReadOnlyList<CheckoutResult>> CheckoutAsync(IEnumerable<string>? userPaths = null, bool force = false, CancellationToken ct = default)
    {
        // Every pointer, manifest and folder on the way is checked before the first write, so a
        // crafted one stops the whole command with nothing written.
        var plans = Tracked(userPaths).Select(PlanCheckout).ToList();
        var results = new List<CheckoutResult>();
        foreach (var (relative, pointer, manifest) in plans)
        {
            try
            {
                results.Add(pointer.IsDirectory
                    ? await CheckoutFolderAsync(relative, manifest, force, ct).ConfigureAwait(false)
                    : CheckoutFile(relative, FullPath(relative), pointer.Hex, force));
            }
            catch (CairnException e) when (e is not UnsafeDataException)
            {
                results.Add(new CheckoutResult(relative, 0, 0, 0, e.Message));
            }
        }
        _stats.Save();
        return results;
    }

    /// <summary>A tracked path's pointer and, for a folder whose manifest is in the cache, its checked entries.</summary>
    private (string Relative, DataPointer Pointer, IReadOnlyList<ManifestEntry>? Manifest) PlanCheckout(string relative)
    {
        var pointer = ReadPointer(relative);
        EnsureInsideWorkspace(relative, pointer.IsDirectory);
        if (!pointer.IsDirectory || !Cache.Contains(pointer.Hex)) return (relative, pointer, null);
        var manifest = DirectoryManifest.Load(Cache, pointer.Hex, relative);
        var folder = FullPath(relative);
        foreach (var inner in manifest.Select(e => Path.GetDirectoryName(e.Path)!).Distinct(StringComparer.Ordinal))
            _boundary.EnsureInside(Path.Combine(folder, inner), inner.Length == 0 ? relative : $"{relative}/{inner}");
        return (relative, pointer, manifest);
    }

    private CheckoutResult CheckoutFile(string relative, string full, string hex, bool force)
    {
        if (Directory.Exists(full))
            throw CairnException.InvalidState($"'{relative}' is a folder in the workspace but a file in its pointer: move the folder away first.");
        if (File.Exists(full))
        {
            var current = _stats.Hash(full);
            if (current == hex) return new CheckoutResult(relative, 0, 0, 1);
            GuardUnsaved(relative, current, force);
        }
        Cache.CopyOut(hex, full);
        _stats.Remember(full, hex);
        return new CheckoutResult(relative, 1, 0, 0);
    }

    private async Task<CheckoutResult> CheckoutFolderAsync(string relative, IReadOnlyList<ManifestEntry>? manifest, bool force, CancellationToken ct)
    {
        var full = FullPath(relative);
        if (File.Exists(full))
            throw CairnException.InvalidState($"'{relative}' is a file in the workspace but a folder in its pointer: move the file away first.");
        var wanted = manifest ?? throw CairnException.NotFound($"Its folder manifest is not in the cache: run `cairn data pull {relative}`.");
        var missing = wanted.Where(e => !Cache.Contains(e.Digest)).ToList();
        if (missing.Count > 0)
            throw CairnException.NotFound($"{missing.Count} of its {wanted.Count} files are not in the cache (first: {missing[0].Path}): run `cairn data pull {relative}`.");
        Directory.CreateDirectory(full);
        var (files, _) = ListFiles(full);
        var current = (await CurrentEntriesAsync(full, files, ct).ConfigureAwait(false)).ToDictionary(e => e.Path, e => e.Digest, StringComparer.Ordinal);
        var wantedPaths = wanted.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        var extra = current.Where(c => !wantedPaths.Contains(c.Key)).ToList();
        var toWrite = wanted.Where(e => !current.TryGetValue(e.Path, out var digest) || digest != e.Digest).ToList();
        foreach (var (path, digest) in extra.Concat(toWrite.Where(e => current.ContainsKey(e.Path)).Select(e => KeyValuePair.Create(e.Path, current[e.Path]))))
            GuardUnsaved($"{relative}/{path}", digest, force);

        foreach (var (path, _) in extra) File.Delete(Path.Combine(full, path));
        await Parallel.ForEachAsync(toWrite, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, (entry, _) =>
        {
            var target = Path.Combine(full, entry.Path);
            Cache.CopyOut(entry.Digest, target);
            _stats.Remember(target, entry.Digest);
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);
        return new CheckoutResult(relative, toWrite.Count, extra.Count, wanted.Count - toWrite.Count);
    }

    /// <summary>Refuses to overwrite or delete workspace content that exists nowhere else.</summary>
    private void GuardUnsaved(string path, string currentHex, bool force)
    {
        if (!force && !Cache.Contains(currentHex))
            throw CairnException.InvalidState($"'{path}' has changes that are not in the cache and would be lost: `cairn data add` it to keep them, or pass --force to discard them.");
    }
}
