namespace Cairn.Pipelines;

/// <summary>
/// Schedules and triggers of pipelines, and the fire log that makes each fire happen once even
/// with several servers on one database. Implemented by the SQL stores (SQLite, PostgreSQL) and the
/// REST client.
/// </summary>
public interface IPipelineScheduleStore
{
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for a bad name, file, cron or time zone; RESOURCE_ALREADY_EXISTS for a taken name.</exception>
    Task<PipelineSchedule> CreateScheduleAsync(NewPipelineSchedule schedule, CancellationToken ct = default);

    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST.</exception>
    Task<PipelineSchedule> GetScheduleAsync(string name, CancellationToken ct = default);

    /// <summary>Every schedule, by name.</summary>
    Task<IReadOnlyList<PipelineSchedule>> ListSchedulesAsync(CancellationToken ct = default);

    /// <summary>Enabling a disabled schedule moves its <see cref="PipelineSchedule.ActiveSince"/> to now: what it missed while disabled does not fire.</summary>
    Task<PipelineSchedule> SetScheduleEnabledAsync(string name, bool enabled, CancellationToken ct = default);

    /// <summary>Removes a schedule; its fires stay in the log.</summary>
    Task DeleteScheduleAsync(string name, CancellationToken ct = default);

    /// <summary>A dataset trigger fires for versions newer than the dataset's latest at creation.</summary>
    Task<PipelineTrigger> CreateTriggerAsync(NewPipelineTrigger trigger, CancellationToken ct = default);

    /// <exception cref="CairnException">RESOURCE_DOES_NOT_EXIST.</exception>
    Task<PipelineTrigger> GetTriggerAsync(string name, CancellationToken ct = default);

    /// <summary>Every trigger.</summary>
    Task<IReadOnlyList<PipelineTrigger>> ListTriggersAsync(CancellationToken ct = default);

    /// <summary>Removes a trigger; its fires stay in the log.</summary>
    Task DeleteTriggerAsync(string name, CancellationToken ct = default);

    /// <summary>
    /// The lease: records the fire unless one with the same source and key exists. Exactly one
    /// caller per (source, key) gets the fire back, across processes and servers; the others get null.
    /// </summary>
    Task<PipelineFire?> TryClaimFireAsync(NewPipelineFire fire, CancellationToken ct = default);

    /// <summary>Takes the oldest pending fire for <paramref name="owner"/> (exactly one caller gets each), or null when none waits.</summary>
    Task<PipelineFire?> ClaimPendingFireAsync(string owner, CancellationToken ct = default);

    /// <summary>Records how a running fire ended: <see cref="FireStatuses.Succeeded"/> or <see cref="FireStatuses.Failed"/>.</summary>
    Task<PipelineFire> FinishFireAsync(string fireId, string status, string? pipelineRunId, string? error, CancellationToken ct = default);

    /// <summary>Fires, newest first; of one schedule or trigger when <paramref name="sourceName"/> is given.</summary>
    Task<IReadOnlyList<PipelineFire>> ListFiresAsync(string? sourceName = null, int maxResults = 100, CancellationToken ct = default);
}
