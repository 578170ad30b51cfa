namespace Cairn.Pipelines;

/// <summary>
/// How pipelines live in the tracking store: a pipeline run is a run in the experiment
/// <c>pipelines/&lt;name&gt;</c>, each step run a child run of it (MLflow's <c>mlflow.parentRunId</c>),
/// so MLflow's clients and the web UI show them as nested runs.
/// </summary>
public static class PipelineTags
{
    public const string ExperimentPrefix = "pipelines/";
    public const string Pipeline = "cairn.pipeline";
    /// <summary>"pipeline" or "step".</summary>
    public const string Role = "cairn.pipeline.role";
    public const string PipelineRun = "cairn.pipeline.run";
    public const string Executor = "cairn.pipeline.executor";
    public const string Runner = "cairn.pipeline.runner";
    public const string Workspace = "cairn.pipeline.workspace";
    public const string DefinitionFile = "cairn.pipeline.file";
    public const string Error = "cairn.pipeline.error";
    public const string ParentRun = Tracking.MlflowTags.ParentRunId;
    public const string RunName = "mlflow.runName";
    public const string GitCommit = "mlflow.source.git.commit";

    public const string Step = "cairn.step";
    public const string StepKind = "cairn.step.kind";
    public const string CacheKey = "cairn.step.cache_key";
    public const string Cached = "cairn.step.cached";
    public const string CachedFrom = "cairn.step.cached_from";
    public const string Outputs = "cairn.step.outputs";
    public const string OutputDigests = "cairn.step.output_digests";
    public const string Attempts = "cairn.step.attempts";
    public const string StepError = "cairn.step.error";

    /// <summary>The definition a YAML pipeline ran, as an artifact of the pipeline run (what <c>retry</c> reads).</summary>
    public const string DefinitionArtifact = "pipeline/cairn.pipeline.yaml";
    /// <summary>Step logs, as artifacts of the step run.</summary>
    public const string LogArtifact = "logs/step.log";
    /// <summary>Files and folders a step declared as outputs, as artifacts of the step run.</summary>
    public const string OutputsArtifactFolder = "outputs";

    public static string ExperimentName(string pipeline) => ExperimentPrefix + pipeline;

    public static string? Tag(Tracking.Run run, string key) => run.Data.Tags.FirstOrDefault(t => t.Key == key)?.Value;
}
