using Cairn.Tracking;

namespace Cairn.Pipelines;

/// <summary>A pipeline run as <c>list</c> and <c>show</c> present it.</summary>
public sealed record PipelineRunView(Run Run, string Pipeline, IReadOnlyList<StepRunView> Steps);

/// <summary>The newest run of one step in a pipeline run.</summary>
public sealed record StepRunView(string Step, Run Run)
{
    public bool Cached => PipelineTags.Tag(Run, PipelineTags.Cached) == "true";
    public string? Error => PipelineTags.Tag(Run, PipelineTags.StepError);
    public string? Attempts => PipelineTags.Tag(Run, PipelineTags.Attempts);
    public TimeSpan? Duration => Run.Info.EndTime is { } end ? TimeSpan.FromMilliseconds(end - Run.Info.StartTime) : null;
}

/// <summary>Reads pipeline runs back from the tracking store, for the CLI, the web UI and retries.</summary>
public sealed class PipelineHistory(CairnClient client)
{
    private readonly PipelineRecorder _recorder = new(client);

    /// <summary>Pipeline runs, newest first: of one pipeline, or of all.</summary>
    public async Task<IReadOnlyList<Run>> ListAsync(string? pipeline, int max, CancellationToken ct)
    {
        var experiments = new List<string>();
        if (pipeline is not null)
        {
            var e = await client.Tracking.GetExperimentByNameAsync(PipelineTags.ExperimentName(pipeline), ct).ConfigureAwait(false)
                ?? throw CairnException.NotFound($"The pipeline {pipeline} has no runs.");
            experiments.Add(e.ExperimentId);
        }
        else
        {
            string? token = null;
            do
            {
                var page = await client.Tracking.SearchExperimentsAsync(new ExperimentQuery(Filter: $"name LIKE '{PipelineTags.ExperimentPrefix}%'", PageToken: token), ct).ConfigureAwait(false);
                experiments.AddRange(page.Items.Select(e => e.ExperimentId));
                token = page.NextPageToken;
            } while (token is not null);
        }
        if (experiments.Count == 0) return [];
        var runs = await client.Tracking.SearchRunsAsync(new RunQuery(experiments, $"tags.`{PipelineTags.Role}` = 'pipeline'",
            MaxResults: max, OrderBy: ["attributes.start_time DESC"]), ct).ConfigureAwait(false);
        return runs.Items;
    }

    public async Task<PipelineRunView> ShowAsync(string pipelineRunId, CancellationToken ct)
    {
        var run = await PipelineRunAsync(pipelineRunId, ct).ConfigureAwait(false);
        var steps = await _recorder.StepRunsAsync(run.Info.ExperimentId, run.Info.RunId, ct).ConfigureAwait(false);
        var order = await DefinitionOrderAsync(run, ct).ConfigureAwait(false);
        var views = steps.Select(kv => new StepRunView(kv.Key, kv.Value))
            .OrderBy(v => order.IndexOf(v.Step) is var i and >= 0 ? i : int.MaxValue).ThenBy(v => v.Run.Info.StartTime).ToList();
        return new PipelineRunView(run, PipelineTags.Tag(run, PipelineTags.Pipeline)!, views);
    }

    /// <summary>The definition a YAML pipeline run ran (null for C# pipelines, which live in their program).</summary>
    public async Task<PipelineDefinition?> DefinitionAsync(Run run, CancellationToken ct)
    {
        var text = await _recorder.ReadTextAsync(run.Info, PipelineTags.DefinitionArtifact, ct).ConfigureAwait(false);
        return text is null ? null : PipelineYaml.Parse(text, PipelineTags.Tag(run, PipelineTags.DefinitionFile) ?? "cairn.pipeline.yaml");
    }

    public async Task<string?> LogAsync(Run stepRun, CancellationToken ct) =>
        await _recorder.ReadTextAsync(stepRun.Info, PipelineTags.LogArtifact, ct).ConfigureAwait(false);

    public async Task<Run> PipelineRunAsync(string runId, CancellationToken ct)
    {
        var run = await client.Tracking.GetRunAsync(runId, ct).ConfigureAwait(false);
        if (PipelineTags.Tag(run, PipelineTags.Role) != "pipeline")
            throw CairnException.InvalidParameter($"The run {runId} is not a pipeline run.");
        return run;
    }

    private async Task<List<string>> DefinitionOrderAsync(Run run, CancellationToken ct)
    {
        try
        {
            return (await DefinitionAsync(run, ct).ConfigureAwait(false))?.Steps.Select(s => s.Name).ToList() ?? [];
        }
        catch (CairnException)
        {
            return [];
        }
    }
}
