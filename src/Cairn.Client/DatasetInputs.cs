using Cairn.Data;
using Cairn.Tracking;

namespace Cairn;

/// <summary>Records a named dataset version as an input of a run (MLflow's dataset inputs, source type "cairn").</summary>
public static class DatasetInputs
{
    /// <summary>
    /// Logs <c>data:/flights@3</c>, <c>data:/flights@blake3:...</c> or <c>data:/flights</c> (the latest)
    /// as an input of the run, so that the lineage of a model trained from it reaches the exact data.
    /// </summary>
    public static async Task<DatasetVersion> LogAsync(CairnClient client, string runId, string dataUri, string context, CancellationToken ct = default)
    {
        var uri = DataUri.Parse(dataUri);
        var version = uri.VersionOrDigest is { } selector
            ? await client.Datasets.GetVersionAsync(uri.Name, selector, ct).ConfigureAwait(false)
            : (await client.Datasets.ListVersionsAsync(uri.Name, ct).ConfigureAwait(false)).FirstOrDefault()
                ?? throw CairnException.NotFound($"There is no dataset named '{uri.Name}': tag one with `cairn data tag <path> {uri.Name}`.");
        var schema = version.Table is null ? null : System.Text.Json.JsonSerializer.Serialize(version.Table, CairnJson.Options);
        await client.Tracking.LogInputsAsync(runId, [new DatasetInput([new InputTag(DatasetInput.ContextTag, context)],
            new Dataset(version.Name, version.Digest, ActiveRun.DatasetSourceType, version.ToUri().ToString(), schema))], ct).ConfigureAwait(false);
        return version;
    }
}
