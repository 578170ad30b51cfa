namespace Cairn.Features;

/// <summary>
/// Turns a user's path (a Parquet or CSV file, a folder of them, or a glob) into a DuckDB table
/// function call, after checking that it is local and exists. Paths only ever reach SQL as escaped
/// literals.
/// </summary>
internal static class TabularFiles
{
    private static readonly char[] GlobCharacters = ['*', '?', '['];

    /// <summary>A single Parquet or CSV file, such as an entity table.</summary>
    public static string ReadFile(string path, string what)
    {
        var full = Local(path, what);
        if (!File.Exists(full)) throw CairnException.InvalidParameter($"{what}: file '{path}' does not exist.");
        return ReadCall(full, what);
    }

    /// <summary>A file, a folder (every Parquet file under it, else every CSV file) or a glob, relative paths resolved against <paramref name="root"/>.</summary>
    public static string ReadFilesOrFolder(string path, string? root, string what)
    {
        var full = Local(Path.Combine(root ?? Directory.GetCurrentDirectory(), path), what);
        if (File.Exists(full)) return ReadCall(full, what);
        if (Directory.Exists(full))
        {
            foreach (var extension in new[] { "parquet", "csv" })
                if (Directory.EnumerateFiles(full, "*." + extension, SearchOption.AllDirectories).Any())
                    return ReadCall(Path.Combine(full, "**", "*." + extension), what);
            throw CairnException.InvalidParameter($"{what}: folder '{path}' holds no .parquet or .csv file.");
        }
        var glob = full.IndexOfAny(GlobCharacters);
        if (glob >= 0 && Directory.Exists(Path.GetDirectoryName(full[..glob]))) return ReadCall(full, what);
        throw CairnException.InvalidParameter($"{what}: '{path}' is neither a file, a folder nor a glob over an existing folder.");
    }

    private static string Local(string path, string what)
    {
        if (string.IsNullOrWhiteSpace(path)) throw CairnException.InvalidParameter($"{what}: no path given.");
        // DuckDB would fetch a URL (http, s3) through an extension; training sets read local files only.
        if (path.Contains("://", StringComparison.Ordinal))
            throw CairnException.InvalidParameter($"{what}: '{path}' is a URL; give a local Parquet or CSV path.");
        try { return Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw CairnException.InvalidParameter($"{what}: '{path}' is not a valid path ({e.Message}).");
        }
    }

    private static string ReadCall(string path, string what)
    {
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pq", StringComparison.OrdinalIgnoreCase))
            return $"read_parquet({DuckDbSql.Literal(path)})";
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            return $"read_csv({DuckDbSql.Literal(path)}, header = true)";
        throw CairnException.InvalidParameter($"{what}: '{path}' is neither .parquet nor .csv.");
    }
}
