using Cairn.Data;
using Cairn.Tracking;

namespace Cairn;

/// <summary>Records a named dataset version as an input of a run (MLflow's dataset inputs, source type "cairn").</summary>
public static class DatasetInputs
{
    /// <summary>
    /// Logs <c>data:/flights@3</c>, <c>data:/flights@blake3:...</c> or <c>data:/flights</c> (the latest)
    /// as an input of the run, so that the lineage of a model trained from it reaches the exact data.
    /// Any other text is the path of tracked data (or of its <c>.cairn</c> pointer file): its version
    /// under the data's file name is tagged in the client's store when missing, then logged.
    /// </summary>
    public static async Task<DatasetVersion> LogAsync(CairnClient client, string runId, string dataUri, string context, CancellationToken ct = default)
    {
        var version = DataUri.IsDataUri(dataUri)
            ? await ResolveAsync(client, DataUri.Parse(dataUri), ct).ConfigureAwait(false)
            : await PointerDatasets.EnsureTaggedAsync(dataUri, client.Datasets, Environment.UserName, ct).ConfigureAwait(false);
        var schema = version.Table is null ? null : System.Text.Json.JsonSerializer.Serialize(version.Table, CairnJson.Options);
        await client.Tracking.LogInputsAsync(runId, [new DatasetInput([new InputTag(DatasetInput.ContextTag, context)],
            new Dataset(version.Name, version.Digest, ActiveRun.DatasetSourceType, version.ToUri().ToString(), schema))], ct).ConfigureAwait(false);
        return version;
    }

    private static async Task<DatasetVersion> ResolveAsync(CairnClient client, DataUri uri, CancellationToken ct) =>
        uri.VersionOrDigest is { } selector
            ? await client.Datasets.GetVersionAsync(uri.Name, selector, ct).ConfigureAwait(false)
            : (await client.Datasets.ListVersionsAsync(uri.Name, ct).ConfigureAwait(false)).FirstOrDefault()
                ?? throw CairnException.NotFound($"There is no dataset named '{uri.Name}': tag one with `cairn data tag <path> {uri.Name}`.");
}
