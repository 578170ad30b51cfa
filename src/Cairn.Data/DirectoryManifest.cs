using System.Text.Json;

namespace Cairn.Data;

/// <summary>One file of a tracked folder: its path inside the folder ('/'-separated), digest (hex) and size.</summary>
public sealed record ManifestEntry(string Path, string Digest, long Size);

/// <summary>
/// The listing of a tracked folder, sorted by path and stored in the cache like any object; its
/// digest is the folder's digest, so two folders with the same files have the same digest.
/// </summary>
public static class DirectoryManifest
{
    public static byte[] Serialize(IEnumerable<ManifestEntry> entries) =>
        JsonSerializer.SerializeToUtf8Bytes(entries.OrderBy(e => e.Path, StringComparer.Ordinal).ToList(), CairnJson.Options);

    /// <summary>
    /// Reads a manifest and checks every entry: a manifest can come from anyone's repository or
    /// remote, and its paths decide where files are written.
    /// </summary>
    /// <param name="owner">The tracked path the manifest describes, for messages.</param>
    /// <exception cref="UnsafeDataException">For an entry that could reach outside its folder, or a malformed listing.</exception>
    public static IReadOnlyList<ManifestEntry> Parse(byte[] bytes, string hex, string owner)
    {
        List<ManifestEntry?>? entries;
        try
        {
            entries = JsonSerializer.Deserialize<List<ManifestEntry?>>(bytes, CairnJson.Options);
        }
        catch (JsonException e)
        {
            throw new UnsafeDataException($"The folder manifest {hex} of '{owner}' is not a folder manifest: {e.Message}");
        }
        var checkedEntries = new List<ManifestEntry>(entries?.Count ?? 0);
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries ?? [])
        {
            if (entry is null || entry.Path is null || entry.Digest is null)
                throw Unsafe(hex, owner, "", "an entry has no path or digest");
            if (DataPathRules.WhyUnsafe(entry.Path) is { } why) throw Unsafe(hex, owner, entry.Path, why);
            if (!DataPathRules.IsObjectDigest(entry.Digest)) throw Unsafe(hex, owner, entry.Path, $"its digest '{DataPathRules.Printable(entry.Digest)}' is not 64 lowercase hex digits");
            if (entry.Size < 0) throw Unsafe(hex, owner, entry.Path, "its size is negative");
            if (!paths.Add(entry.Path)) throw Unsafe(hex, owner, entry.Path, "it is listed twice");
            checkedEntries.Add(entry);
        }
        // A path that is a file and also the folder of another entry cannot be written either way round.
        foreach (var path in paths)
            for (var slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
                if (paths.Contains(path[..slash]))
                    throw Unsafe(hex, owner, path[..slash], $"it is listed as both a file and a folder (of '{DataPathRules.Printable(path)}')");
        return checkedEntries;
    }

    /// <summary>Reads a manifest from the cache, checking its bytes against its digest first.</summary>
    public static IReadOnlyList<ManifestEntry> Load(DataCache cache, string hex, string owner) =>
        Parse(cache.ReadVerified(hex, $"the folder manifest of '{owner}'"), hex, owner);

    private static UnsafeDataException Unsafe(string hex, string owner, string path, string why) =>
        new($"The folder manifest {hex} of '{owner}' lists an unsafe path '{DataPathRules.Printable(path)}': {why}. " +
            "Nothing was written. Such a manifest is never made by `cairn data add`: check where this repository's data came from.");
}
