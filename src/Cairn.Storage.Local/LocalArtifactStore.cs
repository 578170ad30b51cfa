using System.Globalization;
using Cairn.Artifacts;

namespace Cairn.Storage.Local;

/// <summary>
/// Artifacts in a local folder, content-addressed: each file's bytes live once under
/// <c>objects/&lt;2 hex&gt;/&lt;BLAKE3 digest&gt;</c>, and <c>tree/&lt;artifact path&gt;</c> holds a
/// one-line pointer (<c>blake3:&lt;digest&gt; &lt;size&gt;</c>). Both are written to a temp file
/// and renamed into place, so a crash leaves either the old file or the whole new one.
/// Identical files (the same model logged by many runs) take the space of one.
/// Symbolic links below the root are never followed, on read, write or list (see <see cref="PassesThroughLink"/>).
/// </summary>
public sealed class LocalArtifactStore : IArtifactStore
{
    private const string DigestPrefix = "blake3:";
    private readonly string _objects;
    private readonly string _tree;
    private readonly string _temp;

    public string Root { get; }

    public LocalArtifactStore(string root)
    {
        Root = Path.GetFullPath(root);
        _objects = Path.Combine(Root, "objects");
        _tree = Path.Combine(Root, "tree");
        _temp = Path.Combine(Root, "tmp");
        Directory.CreateDirectory(_objects);
        Directory.CreateDirectory(_tree);
        Directory.CreateDirectory(_temp);
    }

    public async Task PutAsync(string path, Stream content, CancellationToken ct = default)
    {
        var relative = ArtifactPath.Normalize(path, allowRoot: false);
        var pointerPath = TreePath(relative);
        if (Directory.Exists(pointerPath))
            throw CairnException.InvalidParameter($"Cannot write artifact '{relative}': a folder with that name exists.");
        var temp = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        if (PassesThroughLink(pointerPath) || PassesThroughLink(temp)) throw LinkOnTheWay(relative);

        string digest;
        long size = 0;
        try
        {
            using (var hasher = Blake3.Hasher.New())
            {
                await using (var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    var buffer = new byte[1 << 16];
                    int read;
                    while ((read = await content.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                    {
                        hasher.Update(buffer.AsSpan(0, read));
                        await output.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                        size += read;
                    }
                    output.Flush(flushToDisk: true);
                }
                digest = hasher.Finalize().ToString();
            }
            var objectPath = ObjectPath(digest);
            if (PassesThroughLink(objectPath)) throw LinkOnTheWay(relative);
            if (File.Exists(objectPath))
            {
                File.Delete(temp); // already stored: content addressing deduplicates
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(objectPath)!);
                File.Move(temp, objectPath, overwrite: true);
            }
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        var pointerTemp = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        try
        {
            await File.WriteAllTextAsync(pointerTemp, $"{DigestPrefix}{digest} {size.ToString(CultureInfo.InvariantCulture)}\n", ct).ConfigureAwait(false);
            EnsureParentFolders(relative);
            File.Move(pointerTemp, pointerPath, overwrite: true);
        }
        catch
        {
            TryDelete(pointerTemp);
            throw;
        }
    }

    public Task<Stream> OpenReadAsync(string path, CancellationToken ct = default)
    {
        var relative = ArtifactPath.Normalize(path, allowRoot: false);
        var pointer = ReadPointer(relative)
            ?? throw CairnException.NotFound($"No artifact at '{relative}'.");
        var objectPath = ObjectPath(pointer.Digest);
        if (PassesThroughLink(objectPath)) throw CairnException.NotFound($"No artifact at '{relative}'.");
        if (!File.Exists(objectPath))
            throw new CairnException(ErrorCodes.InternalError, $"Artifact '{relative}' points at content {pointer.Digest} that is missing from {_objects}.");
        return Task.FromResult<Stream>(new FileStream(objectPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true));
    }

    public Task<IReadOnlyList<ArtifactFile>> ListAsync(string? path, CancellationToken ct = default)
    {
        var relative = ArtifactPath.Normalize(path);
        var folder = relative.Length == 0 ? _tree : TreePath(relative);
        if (!Directory.Exists(folder) || PassesThroughLink(folder)) return Task.FromResult<IReadOnlyList<ArtifactFile>>([]);
        var result = new List<ArtifactFile>();
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
        {
            if (entry.LinkTarget is not null) continue;
            var child = ArtifactPath.Combine(relative, entry.Name);
            result.Add(entry is DirectoryInfo ? new ArtifactFile(child, true, null) : new ArtifactFile(child, false, ReadPointer(child)?.Size));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return Task.FromResult<IReadOnlyList<ArtifactFile>>(result);
    }

    /// <summary>The BLAKE3 digest of the artifact at <paramref name="path"/>, or null when there is none.</summary>
    public string? DigestOf(string path) => ReadPointer(ArtifactPath.Normalize(path, allowRoot: false))?.Digest;

    private (string Digest, long Size)? ReadPointer(string relative)
    {
        var pointerPath = TreePath(relative);
        if (!File.Exists(pointerPath) || PassesThroughLink(pointerPath)) return null;
        var text = File.ReadAllText(pointerPath).Trim();
        var space = text.IndexOf(' ');
        if (!text.StartsWith(DigestPrefix, StringComparison.Ordinal) || space < 0)
            throw new CairnException(ErrorCodes.InternalError, $"The artifact pointer {pointerPath} is damaged.");
        return (text[DigestPrefix.Length..space], long.Parse(text[(space + 1)..], CultureInfo.InvariantCulture));
    }

    private void EnsureParentFolders(string relative)
    {
        var segments = relative.Split('/');
        var current = _tree;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            current = Path.Combine(current, segments[i]);
            if (File.Exists(current))
                throw CairnException.InvalidParameter($"Cannot write artifact '{relative}': '{string.Join('/', segments.Take(i + 1))}' is a file.");
            Directory.CreateDirectory(current);
        }
    }

    /// <summary>
    /// Whether a file or folder between the root and <paramref name="fullPath"/> (the path itself
    /// included) is a symbolic link. Cairn never makes one, but one can arrive (a restored backup, a
    /// shared disk, a hand edit), and following it could serve or overwrite any file the server can
    /// reach, /etc/passwd included. Checking each component, rather than resolving the real path,
    /// also refuses links that stay inside the root: the store has no use for them.
    /// </summary>
    private bool PassesThroughLink(string fullPath)
    {
        var current = Root;
        foreach (var segment in Path.GetRelativePath(Root, fullPath).Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, segment);
            if (new FileInfo(current).LinkTarget is not null) return true;
            if (!Path.Exists(current)) return false; // nothing exists below a missing entry
        }
        return false;
    }

    private static CairnException LinkOnTheWay(string relative) =>
        CairnException.InvalidParameter($"Cannot write artifact '{relative}': a symbolic link lies on its way in the artifact store, and the store does not follow links.");

    private string TreePath(string relative) => Path.Combine(_tree, relative.Replace('/', Path.DirectorySeparatorChar));

    private string ObjectPath(string digest) => Path.Combine(_objects, digest[..2], digest);

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
