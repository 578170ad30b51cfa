namespace Cairn;

/// <summary>Where metadata lives: an embedded SQLite file (plus an artifact folder) or a remote server.</summary>
public abstract record TrackingLocation;

/// <summary>An embedded store: a SQLite file and a local artifact folder.</summary>
public sealed record EmbeddedLocation(string DatabasePath, string ArtifactRoot) : TrackingLocation;

/// <summary>A Cairn (or MLflow) tracking server.</summary>
public sealed record ServerLocation(Uri BaseUri) : TrackingLocation;

/// <summary>
/// Parses tracking URIs: unset means <c>./.cairn</c>; <c>http(s)://host:port</c> is a server;
/// <c>sqlite:///path/cairn.db</c> is a database file with artifacts beside it; any other value
/// (a path or <c>file://</c>) is a folder holding <c>cairn.db</c> and <c>artifacts/</c>.
/// </summary>
public static class TrackingUri
{
    public const string EnvironmentVariable = "CAIRN_TRACKING_URI";
    public const string DefaultFolder = ".cairn";

    public static TrackingLocation Parse(string? uri, string? workingDirectory = null)
    {
        var cwd = workingDirectory ?? Directory.GetCurrentDirectory();
        if (string.IsNullOrWhiteSpace(uri)) return Folder(Path.Combine(cwd, DefaultFolder));
        uri = uri.Trim();
        if (uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(uri, UriKind.Absolute, out var baseUri))
                throw CairnException.InvalidParameter($"'{uri}' is not a valid server URL.");
            return new ServerLocation(baseUri);
        }
        if (uri.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            var path = SchemePath(uri, "sqlite:");
            if (path.Length == 0) throw CairnException.InvalidParameter($"'{uri}' names no database file: use sqlite:///path/to/cairn.db.");
            var full = Path.GetFullPath(path, cwd);
            return new EmbeddedLocation(full, Path.Combine(Path.GetDirectoryName(full)!, "artifacts"));
        }
        if (uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase)) return Folder(Path.GetFullPath(SchemePath(uri, "file:"), cwd));
        if (uri.Contains("://", StringComparison.Ordinal))
            throw CairnException.InvalidParameter($"Unsupported tracking URI '{uri}': use http(s)://host:port, sqlite:///path/cairn.db, or a folder path.");
        return Folder(Path.GetFullPath(uri, cwd));
    }

    private static EmbeddedLocation Folder(string folder) =>
        new(Path.Combine(folder, "cairn.db"), Path.Combine(folder, "artifacts"));

    /// <summary><c>sqlite:///abs/path</c> is the absolute /abs/path; <c>sqlite:rel/path</c> is relative.</summary>
    private static string SchemePath(string uri, string scheme)
    {
        var rest = uri[scheme.Length..];
        if (rest.StartsWith("///", StringComparison.Ordinal)) return rest[2..];
        if (rest.StartsWith("//", StringComparison.Ordinal)) return rest[2..];
        return rest;
    }
}
