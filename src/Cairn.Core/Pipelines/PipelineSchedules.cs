namespace Cairn.Pipelines;

/// <summary>A pipeline that <c>cairn server</c> starts on a cron schedule, in a time zone.</summary>
/// <param name="PipelineFile">Absolute path of the pipeline file on the server; its folder is the workspace.</param>
/// <param name="Cron">Five fields (minute first), or six with seconds first.</param>
/// <param name="TimeZone">IANA id, such as Europe/Paris or UTC.</param>
public sealed record NewPipelineSchedule(
    string Name, string PipelineFile, string Cron, string TimeZone,
    IReadOnlyDictionary<string, string>? Parameters = null, bool Enabled = true);

/// <param name="ActiveSince">When it was created or last enabled: occurrences before it never fire (ms since epoch).</param>
public sealed record PipelineSchedule(
    string Name, string PipelineFile, string Cron, string TimeZone, IReadOnlyDictionary<string, string> Parameters,
    bool Enabled, long CreationTime, long ActiveSince);

/// <summary>The events a trigger listens for.</summary>
public static class TriggerEvents
{
    /// <summary>A new version of a named dataset; the version (<c>data:/name@N</c>) becomes a parameter.</summary>
    public const string Dataset = "dataset";
    /// <summary>A firing alert (Alertmanager's webhook); its labels become parameters the pipeline declares.</summary>
    public const string Alert = "alert";
}

/// <param name="Event"><see cref="TriggerEvents.Dataset"/> or <see cref="TriggerEvents.Alert"/>.</param>
/// <param name="Source">The dataset name, or the alert name (Alertmanager's <c>alertname</c> label).</param>
/// <param name="ParameterName">For dataset triggers: the parameter that receives <c>data:/name@N</c> (default <c>data</c>).</param>
public sealed record NewPipelineTrigger(
    string Name, string PipelineFile, string Event, string Source, string? ParameterName = null,
    IReadOnlyDictionary<string, string>? Parameters = null, bool Enabled = true);

/// <param name="BaselineVersion">For dataset triggers: the dataset's latest version when the trigger was created; only newer ones fire.</param>
public sealed record PipelineTrigger(
    string Name, string PipelineFile, string Event, string Source, string? ParameterName, IReadOnlyDictionary<string, string> Parameters,
    bool Enabled, long CreationTime, long BaselineVersion);

/// <summary>What started a fire.</summary>
public static class FireSources
{
    public const string Schedule = "schedule";
    public const string Trigger = "trigger";
}

/// <summary>The states of a fire: queued (alerts), running on an owner, then finished.</summary>
public static class FireStatuses
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>One occurrence of a schedule or one event of a trigger, to be run at most once.</summary>
/// <param name="FireKey">Unique per source: the occurrence time for schedules, the version for datasets, the alert's identity for alerts.</param>
/// <param name="Owner">The server that claims it and runs it now; null queues it as pending for any server to claim.</param>
public sealed record NewPipelineFire(
    string SourceKind, string SourceName, string FireKey, string PipelineFile, long FireTime,
    IReadOnlyDictionary<string, string>? Parameters, string? Owner);

public sealed record PipelineFire(
    string FireId, string SourceKind, string SourceName, string FireKey, string PipelineFile, long FireTime,
    IReadOnlyDictionary<string, string> Parameters, string Status, string? Owner, string? PipelineRunId, string? Error,
    long CreationTime, long? EndTime);
