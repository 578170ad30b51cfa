using System.Collections.Concurrent;

namespace Cairn.Data;

public sealed partial class DataWorkspace
{
    /// <summary>How many objects move at once between the cache and a remote.</summary>
    public int Transfers { get; set; } = 8;

    /// <summary>
    /// Uploads what the remote lacks of the tracked paths' objects, in parallel: files first,
    /// folder manifests last, so a remote that has a manifest has its files. Each object is
    /// written whole or not at all, so an interrupted push is finished by pushing again.
    /// </summary>
    public async Task<SyncResult> PushAsync(string? remoteName = null, IEnumerable<string>? userPaths = null, CancellationToken ct = default)
    {
        var (name, url) = LoadConfig().RemoteOrDefault(remoteName);
        using var remote = DataRemotes.Open(url, Root);
        var (files, manifests, failures) = Referenced(Tracked(userPaths));
        var listed = await remote.ListAsync(ct).ConfigureAwait(false);
        // An object counts as there only at its full size: a server that kept a truncated upload gets it again.
        bool Present(string hex) => listed.TryGetValue(hex, out var size) && Cache.Contains(hex) && size == new FileInfo(Cache.PathOf(hex)).Length;
        var toSend = files.Where(h => !Present(h) && Cache.Contains(h)).ToList();
        var manifestsToSend = manifests.Where(h => !Present(h) && Cache.Contains(h)).ToList();
        long bytes = 0;
        var transferred = 0;
        var errors = new ConcurrentBag<SyncFailure>(failures);
        foreach (var batch in new[] { toSend, manifestsToSend })
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Transfers, CancellationToken = ct }, async (hex, token) =>
            {
                try
                {
                    Cache.Verify(hex); // bad bytes must never be stored under the good digest
                    await remote.UploadAsync(hex, Cache.PathOf(hex), token).ConfigureAwait(false);
                    Interlocked.Add(ref bytes, new FileInfo(Cache.PathOf(hex)).Length);
                    Interlocked.Increment(ref transferred);
                }
                catch (Exception e) when (e is CairnException or IOException)
                {
                    errors.Add(new SyncFailure(hex, e.Message));
                }
            }).ConfigureAwait(false);
        var needed = files.Count + manifests.Count;
        var alreadyThere = files.Count(Present) + manifests.Count(Present);
        return new SyncResult($"{name} ({remote.Describe})", needed, transferred, bytes, alreadyThere, errors.ToList());
    }

    /// <summary>
    /// Downloads what the cache lacks of the tracked paths' objects (manifests first, then their
    /// files), verifying each against its digest before it enters the cache; then checks them out
    /// unless <paramref name="revision"/> names another commit to fetch for.
    /// </summary>
    public async Task<(SyncResult Sync, IReadOnlyList<CheckoutResult> Checkout)> PullAsync(string? remoteName = null,
        IEnumerable<string>? userPaths = null, string? revision = null, bool force = false, CancellationToken ct = default)
    {
        var (name, url) = LoadConfig().RemoteOrDefault(remoteName);
        using var remote = DataRemotes.Open(url, Root);
        var pointers = revision is null
            ? Tracked(userPaths).Select(r => KeyValuePair.Create(r, ReadPointer(r))).ToList()
            : PointersAt(revision).ToList();
        long bytes = 0;
        var transferred = 0;
        var errors = new ConcurrentBag<SyncFailure>();
        async Task Fetch(IEnumerable<string> hexes)
        {
            await Parallel.ForEachAsync(hexes.Distinct().Where(h => !Cache.Contains(h)).ToList(),
                new ParallelOptions { MaxDegreeOfParallelism = Transfers, CancellationToken = ct }, async (hex, token) =>
                {
                    try
                    {
                        await Cache.ImportAsync(hex, temp => remote.DownloadAsync(hex, temp, token), remote.Describe).ConfigureAwait(false);
                        Interlocked.Add(ref bytes, new FileInfo(Cache.PathOf(hex)).Length);
                        Interlocked.Increment(ref transferred);
                    }
                    catch (CairnException e)
                    {
                        errors.Add(new SyncFailure(hex, e.ErrorCode == ErrorCodes.ResourceDoesNotExist ? $"the remote {remote.Describe} does not have object {hex}: push it from a workspace that has it" : e.Message));
                    }
                }).ConfigureAwait(false);
        }
        await Fetch(pointers.Where(p => p.Value.IsDirectory).Select(p => p.Value.Hex)).ConfigureAwait(false);
        var (files, manifests, _) = Referenced(pointers);
        await Fetch(files).ConfigureAwait(false);
        var needed = files.Count + manifests.Count;
        var sync = new SyncResult($"{name} ({remote.Describe})", needed, transferred, bytes, Math.Max(0, needed - transferred - errors.Count), errors.ToList());
        var checkout = revision is null ? await CheckoutAsync(userPaths, force, ct).ConfigureAwait(false) : [];
        return (sync, checkout);
    }

    private (HashSet<string> Files, HashSet<string> Manifests, List<SyncFailure> Missing) Referenced(IReadOnlyList<string> tracked) =>
        Referenced(tracked.Select(r => KeyValuePair.Create(r, ReadPointer(r))).ToList());

    /// <summary>The objects a set of pointers needs: files, and folder manifests with their files (where the manifest is in the cache).</summary>
    private (HashSet<string> Files, HashSet<string> Manifests, List<SyncFailure> Missing) Referenced(IReadOnlyList<KeyValuePair<string, DataPointer>> pointers)
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        var manifests = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<SyncFailure>();
        foreach (var (path, pointer) in pointers)
        {
            if (!pointer.IsDirectory)
            {
                files.Add(pointer.Hex);
                continue;
            }
            manifests.Add(pointer.Hex);
            if (!Cache.Contains(pointer.Hex))
            {
                missing.Add(new SyncFailure(pointer.Hex, $"the manifest of {path} is not in the cache"));
                continue;
            }
            foreach (var entry in DirectoryManifest.Load(Cache, pointer.Hex, path)) files.Add(entry.Digest);
        }
        foreach (var hex in files.Where(h => !Cache.Contains(h)).ToList())
            missing.Add(new SyncFailure(hex, $"object {hex} is not in the cache"));
        return (files, manifests, missing);
    }
}
