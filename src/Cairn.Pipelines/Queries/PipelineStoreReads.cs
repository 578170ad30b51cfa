using Cairn.Artifacts;
using Cairn.Tracking;

namespace Cairn.Pipelines;

/// <summary>
/// The reads pipelines make of the tracking and artifact stores, over the store interfaces alone,
/// so the recorder (through a <see cref="CairnClient"/>) and the web UI (which holds only stores) share them.
/// </summary>
public static class PipelineStoreReads
{
    /// <summary>The newest run of each step of a pipeline run.</summary>
    public static async Task<Dictionary<string, Run>> StepRunsAsync(ITrackingStore tracking, string experimentId, string pipelineRunId, CancellationToken ct)
    {
        var latest = new Dictionary<string, Run>(StringComparer.Ordinal);
        var filter = $"tags.`{PipelineTags.PipelineRun}` = '{Quote(pipelineRunId)}'";
        await foreach (var run in SearchAllAsync(tracking, experimentId, filter, ["attributes.start_time ASC"], ct).ConfigureAwait(false))
            if (PipelineTags.Tag(run, PipelineTags.Step) is { } step) latest[step] = run;
        return latest;
    }

    public static async IAsyncEnumerable<Run> SearchAllAsync(ITrackingStore tracking, string experimentId, string filter, IReadOnlyList<string> orderBy,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        do
        {
            var page = await tracking.SearchRunsAsync(new RunQuery([experimentId], filter, MaxResults: RunQuery.DefaultMaxResults, OrderBy: orderBy, PageToken: token), ct).ConfigureAwait(false);
            foreach (var run in page.Items) yield return run;
            token = page.NextPageToken;
        } while (token is not null);
    }

    /// <summary>A text artifact of a run, or null when the run has no such file.</summary>
    public static async Task<string?> ReadTextAsync(IArtifactStore artifacts, RunInfo run, string artifactFile, CancellationToken ct)
    {
        try
        {
            await using var stream = await artifacts.OpenReadAsync(ArtifactPath.Combine(ArtifactPath.FromUri(run.ArtifactUri), artifactFile), ct).ConfigureAwait(false);
            using var reader = new StreamReader(stream);
            return await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            return null;
        }
    }

    /// <summary>A value inside a filter's single quotes: a run id comes from outside.</summary>
    private static string Quote(string value) => value.Replace("'", "''", StringComparison.Ordinal);
}
