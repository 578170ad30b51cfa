using Cairn.Artifacts;
using Cairn.Storage.S3;

namespace Cairn.Data;

/// <summary>Where pushed data objects live: a flat set of <c>objects/&lt;hex&gt;</c>, each written whole or not at all.</summary>
public interface IDataRemote : IDisposable
{
    string Describe { get; }

    /// <summary>The objects the remote holds: hex digest to size in bytes.</summary>
    Task<Dictionary<string, long>> ListAsync(CancellationToken ct);

    Task UploadAsync(string hex, string file, CancellationToken ct);

    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when the remote lacks the object.</exception>
    Task DownloadAsync(string hex, string destination, CancellationToken ct);
}

public static class DataRemotes
{
    /// <summary>Opens <c>s3://bucket/prefix</c>, or a folder (relative to <paramref name="root"/>).</summary>
    public static IDataRemote Open(string url, string root)
    {
        Validate(url);
        if (url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase)) return new ArtifactStoreRemote(S3ArtifactStore.Open(url), url);
        return new FolderRemote(Path.GetFullPath(url, root));
    }

    /// <summary>Checks a remote URL's form without connecting (credentials may only exist where it is used).</summary>
    public static void Validate(string url)
    {
        if (url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            if (url.Length == 5 || url[5] == '/')
                throw CairnException.InvalidParameter($"'{url}' names no bucket: use s3://bucket/prefix.");
            return;
        }
        if (url.Contains("://", StringComparison.Ordinal) || string.IsNullOrWhiteSpace(url))
            throw CairnException.InvalidParameter($"Unsupported data remote '{url}': use s3://bucket/prefix or a folder path.");
    }
}

/// <summary>A remote in any artifact store (S3): one key per object, multipart for large ones.</summary>
internal sealed class ArtifactStoreRemote(IArtifactStore store, string url) : IDataRemote
{
    private const string Folder = "objects";

    public string Describe => url;

    public async Task<Dictionary<string, long>> ListAsync(CancellationToken ct)
    {
        var files = await store.ListAsync(Folder, ct).ConfigureAwait(false);
        return files.Where(f => !f.IsDir).ToDictionary(f => f.Path[(Folder.Length + 1)..], f => f.FileSize ?? -1, StringComparer.Ordinal);
    }

    public async Task UploadAsync(string hex, string file, CancellationToken ct)
    {
        await using var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await store.PutAsync($"{Folder}/{hex}", input, ct).ConfigureAwait(false);
    }

    public async Task DownloadAsync(string hex, string destination, CancellationToken ct)
    {
        await using var input = await store.OpenReadAsync($"{Folder}/{hex}", ct).ConfigureAwait(false);
        await using var output = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await input.CopyToAsync(output, ct).ConfigureAwait(false);
    }

    public void Dispose() => (store as IDisposable)?.Dispose();
}

/// <summary>A remote in a folder (a shared disk): the same layout as in S3, written by temp file and rename.</summary>
internal sealed class FolderRemote : IDataRemote
{
    private readonly string _objects;

    public FolderRemote(string root)
    {
        Describe = root;
        _objects = Path.Combine(root, "objects");
    }

    public string Describe { get; }

    public Task<Dictionary<string, long>> ListAsync(CancellationToken ct)
    {
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        if (Directory.Exists(_objects))
            foreach (var file in new DirectoryInfo(_objects).EnumerateFiles())
                if (file.Name.Length == 64) found[file.Name] = file.Length;
        return Task.FromResult(found);
    }

    public Task UploadAsync(string hex, string file, CancellationToken ct)
    {
        Directory.CreateDirectory(_objects);
        var temp = Path.Combine(_objects, $".{hex}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.Copy(file, temp);
            File.Move(temp, Path.Combine(_objects, hex), overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
        return Task.CompletedTask;
    }

    public Task DownloadAsync(string hex, string destination, CancellationToken ct)
    {
        var source = Path.Combine(_objects, hex);
        if (!File.Exists(source)) throw CairnException.NotFound($"The remote {Describe} has no object {hex}.");
        File.Copy(source, destination, overwrite: true);
        return Task.CompletedTask;
    }

    public void Dispose() { }
}
