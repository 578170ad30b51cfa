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

    public static IReadOnlyList<ManifestEntry> Parse(byte[] bytes, string hex)
    {
        try
        {
            return JsonSerializer.Deserialize<List<ManifestEntry>>(bytes, CairnJson.Options) ?? [];
        }
        catch (JsonException e)
        {
            throw CairnException.InvalidState($"Cache object {hex} is not a folder manifest: {e.Message}");
        }
    }

    public static IReadOnlyList<ManifestEntry> Load(DataCache cache, string hex) => Parse(cache.ReadAllBytes(hex), hex);
}
