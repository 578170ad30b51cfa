using Cairn.Data;

namespace Cairn.Quality.Tables;

/// <summary>
/// Finds the bytes of a dataset version on this machine: in the data cache of the workspace
/// (where <c>cairn data add</c> and <c>cairn data pull</c> put them), or in the workspace itself
/// when the file checked out there still has the version's digest. Every file is hashed before it
/// is read, so a check never runs on bytes other than the version's.
/// </summary>
internal static class DataVersionFiles
{
    public static bool IsTabular(string path) => TableSummaries.IsTabular(path);

    public static async Task<DataSource> ResolveAsync(DataUri uri, IDatasetStore store, string workspaceDirectory, CancellationToken ct)
    {
        DatasetVersion version;
        if (uri.VersionOrDigest is { } selector)
        {
            version = await store.GetVersionAsync(uri.Name, selector, ct).ConfigureAwait(false);
        }
        else
        {
            var versions = await store.ListVersionsAsync(uri.Name, ct).ConfigureAwait(false);
            version = versions.Count > 0 ? versions[0] : throw CairnException.NotFound($"There is no dataset named '{uri.Name}': name one with `cairn data tag <path> {uri.Name}`.");
        }
        var label = version.ToUri().ToString();
        DataWorkspace workspace;
        try
        {
            workspace = DataWorkspace.Open(workspaceDirectory);
        }
        catch (CairnException e)
        {
            throw CairnException.InvalidParameter($"{label} is read from the data cache of a git workspace, and {workspaceDirectory} is not in one ({e.Message}). " +
                $"Run the command in the repository that versions {version.Path}, or pass the file's path instead.");
        }
        using (workspace)
        {
            var hex = version.Digest[DatasetNames.DigestPrefix.Length..];
            if (version.Kind == DataPointer.FileKind)
            {
                if (!IsTabular(version.Path)) throw CairnException.InvalidParameter($"{label} is {version.Path}, which is neither CSV nor Parquet.");
                var path = Locate(workspace, hex, version.Path, label);
                return new DataSource(label, [new DataFile(path, $"{label} ({version.Path})", version.Path)]);
            }
            if (!workspace.Cache.Contains(hex))
                throw NotHere(label, version);
            var files = new List<DataFile>();
            foreach (var entry in DirectoryManifest.Load(workspace.Cache, hex, version.Path).Where(e => IsTabular(e.Path)))
                files.Add(new DataFile(Locate(workspace, entry.Digest, $"{version.Path}/{entry.Path}", label), $"{label} ({version.Path}/{entry.Path})", entry.Path));
            return files.Count > 0 ? new DataSource(label, files)
                : throw CairnException.InvalidParameter($"{label} is the folder {version.Path}, which holds no CSV or Parquet file.");
        }
    }

    /// <summary>The cache entry, else the workspace file with the same digest, else an error saying how to bring the data here.</summary>
    private static string Locate(DataWorkspace workspace, string hex, string relative, string label)
    {
        var cached = workspace.Cache.PathOf(hex);
        if (File.Exists(cached))
        {
            if (ContentHash.OfFile(cached).Hex == hex) return cached;
            throw CairnException.InvalidState($"The cache entry of {label} ({relative}) is damaged: its content no longer hashes to {hex}. Run `cairn data pull` to fetch a good copy.");
        }
        var checkedOut = workspace.FullPath(relative);
        if (File.Exists(checkedOut) && ContentHash.OfFile(checkedOut).Hex == hex) return checkedOut;
        throw CairnException.InvalidParameter($"The data of {label} ({relative}, blake3:{hex[..12]}...) is not on this machine: it is neither in the data cache of {workspace.Root} " +
            $"nor checked out there. Run `cairn data pull {relative}` (or check out the commit that versions it and `cairn data checkout {relative}`), then run the command again.");
    }

    private static CairnException NotHere(string label, DatasetVersion version) =>
        CairnException.InvalidParameter($"The folder manifest of {label} ({version.Path}) is not in this workspace's data cache: run `cairn data pull {version.Path}` " +
            "(or check out the commit that versions it), then run the command again.");
}
