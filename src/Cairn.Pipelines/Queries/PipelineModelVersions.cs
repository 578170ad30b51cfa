using Cairn.Registry;

namespace Cairn.Pipelines;

/// <summary>Which version of a registered model a pipeline run produced (for <c>pipeline run --output-model-version</c>).</summary>
public static class PipelineModelVersions
{
    /// <summary>
    /// The newest version of <paramref name="modelName"/> whose run is the pipeline run or one of its
    /// step runs, or that a step gave as an output (<c>models:/name/N</c>: a cached register step
    /// gives the version its first run registered); null when the run produced none.
    /// </summary>
    public static async Task<string?> ProducedByAsync(CairnClient client, string pipelineRunId, string modelName, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(modelName) || modelName.Contains('\'') || modelName.Contains('/'))
            throw CairnException.InvalidParameter($"'{modelName}' is not a registered model's name.");
        var pipelineRun = await client.Tracking.GetRunAsync(pipelineRunId, ct).ConfigureAwait(false);
        var steps = await new PipelineRecorder(client).StepRunsAsync(pipelineRun.Info.ExperimentId, pipelineRunId, ct).ConfigureAwait(false);
        var runs = steps.Values.Select(r => r.Info.RunId).Append(pipelineRunId).ToHashSet(StringComparer.Ordinal);
        var versions = new List<long>();
        var prefix = $"models:/{modelName}/";
        foreach (var output in steps.Values.SelectMany(r => PipelineRecorder.Record(r).Outputs.Values))
            if (output.StartsWith(prefix, StringComparison.Ordinal) && long.TryParse(output.AsSpan(prefix.Length), out var n)) versions.Add(n);
        string? token = null;
        do
        {
            var page = await client.Registry.SearchModelVersionsAsync(new RegistryQuery($"name = '{modelName}'", RegistryQuery.MaxMaxResults, PageToken: token), ct).ConfigureAwait(false);
            versions.AddRange(page.Items.Where(v => v.RunId is not null && runs.Contains(v.RunId)).Select(v => long.Parse(v.Version, System.Globalization.CultureInfo.InvariantCulture)));
            token = page.NextPageToken;
        } while (token is not null);
        return versions.Count == 0 ? null : versions.Max().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
