using System.Text;
using Cairn.Data;

namespace Cairn.Pipelines;

/// <summary>Digests of what steps read and write: a file's content, or a folder's files and names.</summary>
public static class ContentDigests
{
    /// <summary>The digest of a file or folder, or null when nothing is there. Links are not followed.</summary>
    public static string? Of(string path)
    {
        if (File.Exists(path)) return ContentHash.OfFile(path).Hex;
        if (!Directory.Exists(path)) return null;
        var listing = new StringBuilder();
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = false };
        foreach (var file in Directory.EnumerateFiles(path, "*", options).Order(StringComparer.Ordinal))
            listing.Append(Path.GetRelativePath(path, file).Replace('\\', '/')).Append('\t').Append(ContentHash.OfFile(file).Hex).Append('\n');
        return "dir:" + ContentHash.OfBytes(Encoding.UTF8.GetBytes(listing.ToString()));
    }
}
