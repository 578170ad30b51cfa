namespace Cairn.Artifacts;

/// <summary>Walking and copying whole artifact trees between stores.</summary>
public static class ArtifactTree
{
    /// <summary>Every file under <paramref name="path"/>, recursively.</summary>
    public static async IAsyncEnumerable<ArtifactFile> FilesAsync(IArtifactStore store, string path = "",
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        foreach (var entry in await store.ListAsync(path, ct).ConfigureAwait(false))
        {
            if (!entry.IsDir) { yield return entry; continue; }
            await foreach (var file in FilesAsync(store, entry.Path, ct).ConfigureAwait(false)) yield return file;
        }
    }

    /// <summary>Copies every file of <paramref name="source"/> to the same path in <paramref name="target"/>; returns the count.</summary>
    public static async Task<long> CopyAsync(IArtifactStore source, IArtifactStore target, CancellationToken ct = default)
    {
        long files = 0;
        await foreach (var file in FilesAsync(source, "", ct).ConfigureAwait(false))
        {
            await using var input = await source.OpenReadAsync(file.Path, ct).ConfigureAwait(false);
            await target.PutAsync(file.Path, input, ct).ConfigureAwait(false);
            files++;
        }
        return files;
    }
}
