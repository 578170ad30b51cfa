using System.Globalization;
using Cairn.Data;
using Cairn.Tracking;

namespace Cairn.Pipelines.Steps;

/// <summary>What a built-in step records on its own run: params, metrics, and the dataset versions it read (lineage).</summary>
internal static class StepRunLog
{
    public static CairnClient Client(StepContext context) =>
        context.Client ?? throw new StepFailedException($"step '{context.StepName}' (uses: a built-in kind) needs a tracking store; run it with cairn.");

    public static async Task ParamsAsync(StepContext context, IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        var client = Client(context);
        var run = await client.Tracking.GetRunAsync(context.StepRunId, ct).ConfigureAwait(false);
        // A step that is retried logs the same params again: only new keys are sent (params cannot change).
        var fresh = values.Where(kv => run.Data.Params.All(p => p.Key != kv.Key))
            .Select(kv => new Param(kv.Key, kv.Value.Length > TrackingLimits.MaxParamValueLength ? kv.Value[..TrackingLimits.MaxParamValueLength] : kv.Value)).ToList();
        foreach (var chunk in fresh.Chunk(TrackingLimits.MaxParamsPerBatch))
            await client.Tracking.LogBatchAsync(context.StepRunId, new LogBatch(Params: chunk), ct).ConfigureAwait(false);
    }

    public static async Task MetricsAsync(CairnClient client, string runId, IReadOnlyDictionary<string, double> metrics, CancellationToken ct)
    {
        var now = client.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var list = metrics.Where(kv => double.IsFinite(kv.Value)).Select(kv => new Metric(kv.Key, kv.Value, now, 0)).ToList();
        foreach (var chunk in list.Chunk(TrackingLimits.MaxMetricsPerBatch))
            await client.Tracking.LogBatchAsync(runId, new LogBatch(Metrics: chunk), ct).ConfigureAwait(false);
    }

    /// <summary>Records a dataset version (<c>data:/name@N</c>) as an input of the step's run, so lineage reaches it.</summary>
    public static async Task<DatasetVersion> InputAsync(StepContext context, string dataUri, string usage, CancellationToken ct)
    {
        var client = Client(context);
        var uri = DataUri.Parse(dataUri);
        var version = uri.VersionOrDigest is { } selector
            ? await client.Datasets.GetVersionAsync(uri.Name, selector, ct).ConfigureAwait(false)
            : (await client.Datasets.ListVersionsAsync(uri.Name, ct).ConfigureAwait(false)).FirstOrDefault()
                ?? throw new StepFailedException($"step '{context.StepName}': there is no dataset named '{uri.Name}'.");
        var schema = version.Table is null ? null : System.Text.Json.JsonSerializer.Serialize(version.Table, CairnJson.Options);
        await client.Tracking.LogInputsAsync(context.StepRunId, [new DatasetInput([new InputTag(DatasetInput.ContextTag, usage)],
            new Dataset(version.Name, version.Digest, ActiveRun.DatasetSourceType, version.ToUri().ToString(), schema))], ct).ConfigureAwait(false);
        return version;
    }

    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
