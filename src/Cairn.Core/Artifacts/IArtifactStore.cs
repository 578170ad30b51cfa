namespace Cairn.Artifacts;

/// <summary>A file or folder under an artifact root; <see cref="Path"/> is relative to the listed folder's root.</summary>
public sealed record ArtifactFile(string Path, bool IsDir, long? FileSize);

/// <summary>
/// Stores artifact files under slash-separated relative paths such as
/// <c>1/&lt;run id&gt;/artifacts/model.zip</c>. Implemented by the local content-addressed store,
/// the S3 store and the REST client (MLflow's artifact proxy).
/// </summary>
public interface IArtifactStore
{
    /// <summary>Writes a file atomically: readers see the old content or the whole new content, never a part.</summary>
    Task PutAsync(string path, Stream content, CancellationToken ct = default);

    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when there is no file at that path.</exception>
    Task<Stream> OpenReadAsync(string path, CancellationToken ct = default);

    /// <summary>The direct children of a folder (empty when it does not exist), paths relative to the store root.</summary>
    Task<IReadOnlyList<ArtifactFile>> ListAsync(string? path, CancellationToken ct = default);
}
