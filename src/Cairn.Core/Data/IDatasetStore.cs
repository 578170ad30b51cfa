namespace Cairn.Data;

/// <summary>
/// Named dataset versions (<c>data:/name@N</c>). The bytes live in the data cache and its remotes;
/// this store keeps what a run or a model's lineage needs to name them. Implemented by the SQL
/// stores (SQLite, PostgreSQL) and the REST client.
/// </summary>
public interface IDatasetStore
{
    /// <summary>
    /// Numbers a new version of <c>version.Name</c> (1, 2, ... gapless, also across processes),
    /// or returns the existing version when that name already has this digest.
    /// </summary>
    Task<DatasetVersion> CreateVersionAsync(NewDatasetVersion version, CancellationToken ct = default);

    /// <param name="versionOrDigest">A version number, or a digest (<c>blake3:...</c> or the bare hex, or a unique prefix of at least 8 hex digits).</param>
    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST when there is no such dataset or version.</exception>
    Task<DatasetVersion> GetVersionAsync(string name, string versionOrDigest, CancellationToken ct = default);

    /// <summary>The versions of one dataset, newest first (empty when there is no such dataset).</summary>
    Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(string name, CancellationToken ct = default);

    /// <summary>The latest version of every dataset, by name.</summary>
    Task<IReadOnlyList<DatasetVersion>> ListDatasetsAsync(CancellationToken ct = default);
}
