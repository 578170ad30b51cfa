namespace Cairn.Artifacts;

/// <summary>
/// Relative artifact paths: slash-separated, no empty, '.' or '..' segments, not absolute, no
/// backslashes or control characters. Every store checks paths here, so none can be escaped.
/// </summary>
public static class ArtifactPath
{
    public const string Scheme = "mlflow-artifacts:";

    /// <summary>Returns the normalized path ("" for the root), or throws INVALID_PARAMETER_VALUE.</summary>
    public static string Normalize(string? path, bool allowRoot = true)
    {
        if (string.IsNullOrEmpty(path) || path == "/" && allowRoot)
        {
            if (allowRoot) return "";
            throw CairnException.InvalidParameter("An artifact path is required.");
        }
        if (path.StartsWith('/') || path.StartsWith('\\') || (path.Length > 1 && path[1] == ':'))
            throw CairnException.InvalidParameter($"Invalid artifact path '{path}': it must be relative, not absolute.");
        if (path.Contains('\\'))
            throw CairnException.InvalidParameter($"Invalid artifact path '{path}': use '/' to separate folders, not '\\'.");
        if (path.Any(char.IsControl))
            throw CairnException.InvalidParameter("Invalid artifact path: it contains control characters.");
        var segments = path.TrimEnd('/').Split('/');
        foreach (var segment in segments)
        {
            if (segment is ".." or ".")
                throw CairnException.InvalidParameter($"Invalid artifact path '{path}': '.' and '..' segments are not allowed (the path must stay inside the run's artifact folder).");
            if (segment.Length == 0)
                throw CairnException.InvalidParameter($"Invalid artifact path '{path}': it contains an empty segment ('//').");
        }
        return string.Join('/', segments);
    }

    public static string Combine(string root, string? relative)
    {
        var tail = Normalize(relative);
        if (root.Length == 0) return tail;
        return tail.Length == 0 ? root : root + "/" + tail;
    }

    /// <summary>Maps <c>mlflow-artifacts:/1/abc/artifacts</c> to the store path <c>1/abc/artifacts</c>.</summary>
    public static string FromUri(string artifactUri)
    {
        if (!artifactUri.StartsWith(Scheme, StringComparison.Ordinal))
            throw CairnException.InvalidParameter($"Artifact URI '{artifactUri}' is not managed by this store (expected {Scheme}/...).");
        var rest = artifactUri[Scheme.Length..];
        // Accept mlflow-artifacts:/path and mlflow-artifacts://host/path forms.
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? "" : rest[slash..];
        }
        return Normalize(rest.TrimStart('/'));
    }

    public static string ToUri(string storePath) => Scheme + "/" + Normalize(storePath);
}
