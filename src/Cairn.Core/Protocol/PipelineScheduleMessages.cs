using Cairn.Pipelines;

namespace Cairn.Protocol;

// Request and response bodies of /api/2.0/cairn/pipelines/{schedules,triggers,fires}/*: MLflow's
// conventions (snake_case, one wrapper key); fields are nullable so a missing one gets a clear 400.

public sealed record CreatePipelineScheduleRequest(
    string? Name, string? PipelineFile, string? Cron, string? TimeZone, IReadOnlyDictionary<string, string>? Parameters, bool? Enabled);
public sealed record UpdatePipelineScheduleRequest(string? Name, bool? Enabled);
public sealed record PipelineScheduleResponse(PipelineSchedule Schedule);
public sealed record PipelineSchedulesResponse(IReadOnlyList<PipelineSchedule> Schedules);

public sealed record CreatePipelineTriggerRequest(
    string? Name, string? PipelineFile, string? Event, string? Source, string? ParameterName, IReadOnlyDictionary<string, string>? Parameters, bool? Enabled);
public sealed record PipelineTriggerResponse(PipelineTrigger Trigger);
public sealed record PipelineTriggersResponse(IReadOnlyList<PipelineTrigger> Triggers);

public sealed record DeleteByNameRequest(string? Name);

public sealed record ClaimPipelineFireRequest(
    string? SourceKind, string? SourceName, string? FireKey, string? PipelineFile, long? FireTime, IReadOnlyDictionary<string, string>? Parameters, string? Owner);
public sealed record ClaimPendingPipelineFireRequest(string? Owner);
public sealed record FinishPipelineFireRequest(string? FireId, string? Status, string? PipelineRunId, string? Error);
/// <summary>No <c>fire</c> key when the claim went to someone else.</summary>
public sealed record PipelineFireResponse(PipelineFire? Fire);
public sealed record PipelineFiresResponse(IReadOnlyList<PipelineFire> Fires);
