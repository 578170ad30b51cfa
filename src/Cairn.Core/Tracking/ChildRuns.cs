namespace Cairn.Tracking;

/// <summary>The runs nested under a run (tagged <c>mlflow.parentRunId</c> with its id), as the CLI and the web UI list them.</summary>
public static class ChildRuns
{
    /// <summary>The most children listed; a run with more says so (<c>More</c>).</summary>
    public const int MaxListed = 1000;

    /// <summary>The children of <paramref name="parent"/> in its experiment, oldest first.</summary>
    public static async Task<(IReadOnlyList<Run> Runs, bool More)> ListAsync(ITrackingStore tracking, Run parent, CancellationToken ct = default)
    {
        var id = parent.Info.RunId.Replace("'", "''", StringComparison.Ordinal);
        var page = await tracking.SearchRunsAsync(new RunQuery([parent.Info.ExperimentId], $"tags.`{MlflowTags.ParentRunId}` = '{id}'",
            MaxResults: MaxListed, OrderBy: ["attributes.start_time ASC"]), ct).ConfigureAwait(false);
        return (page.Items, page.NextPageToken is not null);
    }
}
