using Cairn.Artifacts;
using Cairn.Tracking;

namespace Cairn.Pipelines;

/// <summary>A pipeline run as <c>list</c>, <c>show</c> and the web UI present it.</summary>
/// <param name="Definition">The YAML definition the run recorded, when it has one that still parses.</param>
public sealed record PipelineRunView(Run Run, string Pipeline, IReadOnlyList<StepRunView> Steps, PipelineDefinition? Definition = null);

/// <summary>The newest run of one step in a pipeline run.</summary>
public sealed record StepRunView(string Step, Run Run)
{
    public bool Cached => PipelineTags.Tag(Run, PipelineTags.Cached) == "true";
    public string? CachedFrom => PipelineTags.Tag(Run, PipelineTags.CachedFrom);
    public string? Error => PipelineTags.Tag(Run, PipelineTags.StepError);
    public string? Attempts => PipelineTags.Tag(Run, PipelineTags.Attempts);
    public TimeSpan? Duration => Run.Info.EndTime is { } end ? TimeSpan.FromMilliseconds(end - Run.Info.StartTime) : null;

    /// <summary>The state the step run's status and cache tag say.</summary>
    public StepState State => Run.Info.Status switch
    {
        RunStatus.Finished => Cached ? StepState.Cached : StepState.Succeeded,
        RunStatus.Failed => StepState.Failed,
        RunStatus.Killed => StepState.Killed,
        RunStatus.Running => StepState.Running,
        _ => StepState.Pending,
    };

    /// <summary>The step's output values (a file output's value is its path), or none when the tag is missing or not a JSON object of strings.</summary>
    public IReadOnlyDictionary<string, string> Outputs
    {
        get
        {
            try
            {
                return PipelineTags.Tag(Run, PipelineTags.Outputs) is { } json
                    ? System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? []
                    : new Dictionary<string, string>();
            }
            catch (System.Text.Json.JsonException)
            {
                return new Dictionary<string, string>();
            }
        }
    }

    /// <summary>The run that holds the step's log and output files: the one that computed them, for a step answered from the cache.</summary>
    public string ArtifactsRunId => Cached && CachedFrom is { Length: > 0 } from ? from : Run.Info.RunId;
}

/// <summary>
/// Reads pipeline runs back from the tracking and artifact stores, for the CLI, the web UI and
/// retries. It needs only the store interfaces, so the server's UI reads what the CLI reads.
/// </summary>
public sealed class PipelineHistory(ITrackingStore tracking, IArtifactStore artifacts)
{
    public PipelineHistory(CairnClient client) : this(client.Tracking, client.Artifacts)
    {
    }

    /// <summary>Pipeline runs, newest first: of one pipeline, or of all.</summary>
    public async Task<IReadOnlyList<Run>> ListAsync(string? pipeline, int max, CancellationToken ct)
    {
        var experiments = new List<string>();
        if (pipeline is not null)
        {
            var e = await tracking.GetExperimentByNameAsync(PipelineTags.ExperimentName(pipeline), ct).ConfigureAwait(false)
                ?? throw CairnException.NotFound($"The pipeline {pipeline} has no runs.");
            experiments.Add(e.ExperimentId);
        }
        else
        {
            experiments.AddRange((await PipelineExperimentsAsync(ct).ConfigureAwait(false)).Select(e => e.ExperimentId));
        }
        if (experiments.Count == 0) return [];
        var runs = await tracking.SearchRunsAsync(new RunQuery(experiments, $"tags.`{PipelineTags.Role}` = 'pipeline'",
            MaxResults: max, OrderBy: ["attributes.start_time DESC"]), ct).ConfigureAwait(false);
        return runs.Items;
    }

    /// <summary>The experiments that hold pipeline runs, one per pipeline.</summary>
    public async Task<IReadOnlyList<Experiment>> PipelineExperimentsAsync(CancellationToken ct)
    {
        var experiments = new List<Experiment>();
        string? token = null;
        do
        {
            var page = await tracking.SearchExperimentsAsync(new ExperimentQuery(Filter: $"name LIKE '{PipelineTags.ExperimentPrefix}%'", PageToken: token), ct).ConfigureAwait(false);
            experiments.AddRange(page.Items);
            token = page.NextPageToken;
        } while (token is not null);
        return experiments;
    }

    public async Task<PipelineRunView> ShowAsync(string pipelineRunId, CancellationToken ct)
    {
        var run = await PipelineRunAsync(pipelineRunId, ct).ConfigureAwait(false);
        var definition = await RecordedDefinitionAsync(run, ct).ConfigureAwait(false);
        var order = definition?.Steps.Select(s => s.Name).ToList() ?? [];
        var views = (await StepsAsync(run, ct).ConfigureAwait(false))
            .OrderBy(v => order.IndexOf(v.Step) is var i and >= 0 ? i : int.MaxValue).ThenBy(v => v.Run.Info.StartTime).ToList();
        return new PipelineRunView(run, PipelineTags.Tag(run, PipelineTags.Pipeline) ?? "", views, definition);
    }

    /// <summary>The newest run of each step of a pipeline run, in the order they started.</summary>
    public async Task<IReadOnlyList<StepRunView>> StepsAsync(Run pipelineRun, CancellationToken ct)
    {
        var steps = await PipelineStoreReads.StepRunsAsync(tracking, pipelineRun.Info.ExperimentId, pipelineRun.Info.RunId, ct).ConfigureAwait(false);
        return steps.Select(kv => new StepRunView(kv.Key, kv.Value)).OrderBy(v => v.Run.Info.StartTime).ToList();
    }

    /// <summary>The definition a YAML pipeline run ran (null for C# pipelines, which live in their program).</summary>
    public async Task<PipelineDefinition?> DefinitionAsync(Run run, CancellationToken ct)
    {
        var text = await PipelineStoreReads.ReadTextAsync(artifacts, run.Info, PipelineTags.DefinitionArtifact, ct).ConfigureAwait(false);
        return text is null ? null : PipelineYaml.Parse(text, PipelineTags.Tag(run, PipelineTags.DefinitionFile) ?? "cairn.pipeline.yaml");
    }

    public Task<string?> LogAsync(Run stepRun, CancellationToken ct) =>
        PipelineStoreReads.ReadTextAsync(artifacts, stepRun.Info, PipelineTags.LogArtifact, ct);

    public async Task<Run> PipelineRunAsync(string runId, CancellationToken ct)
    {
        var run = await tracking.GetRunAsync(runId, ct).ConfigureAwait(false);
        if (PipelineTags.Tag(run, PipelineTags.Role) != "pipeline")
            throw CairnException.InvalidParameter($"The run {runId} is not a pipeline run.");
        return run;
    }

    /// <summary>The recorded definition, or null when there is none or it no longer parses: a run is shown either way.</summary>
    private async Task<PipelineDefinition?> RecordedDefinitionAsync(Run run, CancellationToken ct)
    {
        try
        {
            return await DefinitionAsync(run, ct).ConfigureAwait(false);
        }
        catch (CairnException e) when (!e.IsInternal)
        {
            return null;
        }
    }
}
