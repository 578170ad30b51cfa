using Cairn.Data;
using Cairn.Protocol;

namespace Cairn.Rest;

/// <summary>Named dataset versions of a remote Cairn server, over Cairn's dataset endpoints (/api/2.0/cairn/datasets/...).</summary>
public sealed class RestDatasetStore(RestTransport transport) : IDatasetStore
{
    private const string Datasets = "api/2.0/cairn/datasets/";

    /// <inheritdoc />
    public async Task<DatasetVersion> CreateVersionAsync(NewDatasetVersion v, CancellationToken ct = default) =>
        (await transport.PostAsync<DatasetVersionResponse>(Datasets + "versions/create", new CreateDatasetVersionRequest(
            v.Name, v.Digest, v.Kind, v.Size, v.FileCount, v.Path, v.GitCommit, v.Table, v.Description, v.CreatedBy, v.DerivedFrom), ct).ConfigureAwait(false)).DatasetVersion;

    /// <inheritdoc />
    public async Task<DatasetVersion> GetVersionAsync(string name, string versionOrDigest, CancellationToken ct = default) =>
        (await transport.GetAsync<DatasetVersionResponse>(Datasets + "versions/get", [("name", name), ("version", versionOrDigest)], ct).ConfigureAwait(false)).DatasetVersion;

    /// <inheritdoc />
    public async Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(string name, CancellationToken ct = default) =>
        (await transport.GetAsync<DatasetVersionsResponse>(Datasets + "versions/list", [("name", name)], ct).ConfigureAwait(false)).DatasetVersions ?? [];

    /// <inheritdoc />
    public async Task<IReadOnlyList<DatasetVersion>> ListDatasetsAsync(CancellationToken ct = default) =>
        (await transport.GetAsync<DatasetsResponse>(Datasets + "list", [], ct).ConfigureAwait(false)).Datasets ?? [];
}
