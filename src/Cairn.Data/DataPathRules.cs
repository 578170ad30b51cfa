namespace Cairn.Data;

/// <summary>
/// A path, digest or pointer that would make cairn data read or write outside where it belongs.
/// It comes from a crafted repository, remote or cache, never from <c>cairn data add</c>, so it
/// stops the whole command before anything is written rather than failing one path of many.
/// </summary>
public sealed class UnsafeDataException(string message) : CairnException(ErrorCodes.InvalidState, message);

/// <summary>What a path inside a tracked folder (a manifest entry) may look like: relative, '/'-separated, with no way out.</summary>
public static class DataPathRules
{
    /// <summary>Why <paramref name="path"/> is not a plain relative path inside its folder, or null when it is.</summary>
    public static string? WhyUnsafe(string path)
    {
        if (path.Length == 0) return "it is empty";
        if (path.Contains('\0')) return "it contains a NUL character";
        if (path.Contains('\\')) return "it contains a backslash, a folder separator on Windows";
        if (path.Length >= 2 && char.IsAsciiLetter(path[0]) && path[1] == ':') return "it starts with a drive letter";
        if (path[0] == '/' || Path.IsPathRooted(path)) return "it is an absolute path";
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0) return "it has an empty segment";
            if (segment is "." or "..") return $"it has a '{segment}' segment";
        }
        return null;
    }

    /// <summary>A digest as the cache names objects: 64 lowercase hex digits.</summary>
    public static bool IsObjectDigest(string hex) => hex.Length == 64 && hex.All(char.IsAsciiHexDigitLower);

    /// <summary>A path for a message: control characters shown as escapes, so a crafted name cannot rewrite the terminal.</summary>
    public static string Printable(string path) =>
        string.Concat(path.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));
}
