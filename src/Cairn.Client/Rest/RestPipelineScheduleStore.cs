using Cairn.Pipelines;
using Cairn.Protocol;

namespace Cairn.Rest;

/// <summary>Pipeline schedules, triggers and the fire log of a remote Cairn server (/api/2.0/cairn/pipelines/...).</summary>
public sealed class RestPipelineScheduleStore(RestTransport transport) : IPipelineScheduleStore
{
    private const string Pipelines = "api/2.0/cairn/pipelines/";

    /// <inheritdoc />
    public async Task<PipelineSchedule> CreateScheduleAsync(NewPipelineSchedule s, CancellationToken ct = default) =>
        (await transport.PostAsync<PipelineScheduleResponse>(Pipelines + "schedules/create",
            new CreatePipelineScheduleRequest(s.Name, s.PipelineFile, s.Cron, s.TimeZone, s.Parameters, s.Enabled), ct).ConfigureAwait(false)).Schedule;

    /// <inheritdoc />
    public async Task<PipelineSchedule> GetScheduleAsync(string name, CancellationToken ct = default) =>
        (await transport.GetAsync<PipelineScheduleResponse>(Pipelines + "schedules/get", [("name", name)], ct).ConfigureAwait(false)).Schedule;

    /// <inheritdoc />
    public async Task<IReadOnlyList<PipelineSchedule>> ListSchedulesAsync(CancellationToken ct = default) =>
        (await transport.GetAsync<PipelineSchedulesResponse>(Pipelines + "schedules/list", [], ct).ConfigureAwait(false)).Schedules ?? [];

    /// <inheritdoc />
    public async Task<PipelineSchedule> SetScheduleEnabledAsync(string name, bool enabled, CancellationToken ct = default) =>
        (await transport.PostAsync<PipelineScheduleResponse>(Pipelines + "schedules/update", new UpdatePipelineScheduleRequest(name, enabled), ct).ConfigureAwait(false)).Schedule;

    /// <inheritdoc />
    public Task DeleteScheduleAsync(string name, CancellationToken ct = default) =>
        transport.SendJsonAsync<object>(HttpMethod.Delete, Pipelines + "schedules/delete", new DeleteByNameRequest(name), ct);

    /// <inheritdoc />
    public async Task<PipelineTrigger> CreateTriggerAsync(NewPipelineTrigger t, CancellationToken ct = default) =>
        (await transport.PostAsync<PipelineTriggerResponse>(Pipelines + "triggers/create",
            new CreatePipelineTriggerRequest(t.Name, t.PipelineFile, t.Event, t.Source, t.ParameterName, t.Parameters, t.Enabled), ct).ConfigureAwait(false)).Trigger;

    /// <inheritdoc />
    public async Task<PipelineTrigger> GetTriggerAsync(string name, CancellationToken ct = default) =>
        (await transport.GetAsync<PipelineTriggerResponse>(Pipelines + "triggers/get", [("name", name)], ct).ConfigureAwait(false)).Trigger;

    /// <inheritdoc />
    public async Task<IReadOnlyList<PipelineTrigger>> ListTriggersAsync(CancellationToken ct = default) =>
        (await transport.GetAsync<PipelineTriggersResponse>(Pipelines + "triggers/list", [], ct).ConfigureAwait(false)).Triggers ?? [];

    /// <inheritdoc />
    public Task DeleteTriggerAsync(string name, CancellationToken ct = default) =>
        transport.SendJsonAsync<object>(HttpMethod.Delete, Pipelines + "triggers/delete", new DeleteByNameRequest(name), ct);

    /// <inheritdoc />
    public async Task<PipelineFire?> TryClaimFireAsync(NewPipelineFire f, CancellationToken ct = default) =>
        (await transport.PostAsync<PipelineFireResponse>(Pipelines + "fires/claim", new ClaimPipelineFireRequest(
            f.SourceKind, f.SourceName, f.FireKey, f.PipelineFile, f.FireTime, f.Parameters, f.Owner), ct).ConfigureAwait(false)).Fire;

    /// <inheritdoc />
    public async Task<PipelineFire?> ClaimPendingFireAsync(string owner, CancellationToken ct = default) =>
        (await transport.PostAsync<PipelineFireResponse>(Pipelines + "fires/claim-pending", new ClaimPendingPipelineFireRequest(owner), ct).ConfigureAwait(false)).Fire;

    /// <inheritdoc />
    public async Task<PipelineFire> FinishFireAsync(string fireId, string status, string? pipelineRunId, string? error, CancellationToken ct = default) =>
        (await transport.PostAsync<PipelineFireResponse>(Pipelines + "fires/finish", new FinishPipelineFireRequest(fireId, status, pipelineRunId, error), ct).ConfigureAwait(false)).Fire!;

    /// <inheritdoc />
    public async Task<IReadOnlyList<PipelineFire>> ListFiresAsync(string? sourceName = null, int maxResults = 100, CancellationToken ct = default) =>
        (await transport.GetAsync<PipelineFiresResponse>(Pipelines + "fires/list",
            [("source_name", sourceName), ("max_results", maxResults.ToString(System.Globalization.CultureInfo.InvariantCulture))], ct).ConfigureAwait(false)).Fires ?? [];
}
