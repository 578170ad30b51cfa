using Cairn.Pipelines;

namespace Cairn.Monitoring;

/// <summary>
/// Queues a pending fire of a pipeline trigger (event <c>alert</c>) when an alert fires: retrain on
/// drift. The fire goes through <see cref="AlertFires.Plan"/> as if Alertmanager had posted the alert,
/// with the labels <c>alertname</c>, <c>monitor</c>, <c>severity</c> (passed as parameters) and
/// <c>startsAt</c> = the start of the firing episode, so a repeat after the cool-down fires nothing
/// new: one fire per episode. Resolves fire nothing.
/// </summary>
public sealed class PipelineTriggerDestination(IPipelineScheduleStore schedules, string triggerName, TimeProvider time) : IAlertDestination
{
    public string Description => $"pipeline trigger {triggerName}";

    /// <summary>The fire recorded, or null when none was queued (a resolve, a repeat of the episode, a disabled trigger).</summary>
    public async Task<PipelineFire?> FireAsync(AlertNotification n, CancellationToken ct)
    {
        if (!n.IsFiring) return null;
        var trigger = await schedules.GetTriggerAsync(triggerName, ct);
        if (trigger.Event != TriggerEvents.Alert)
            throw CairnException.InvalidParameter(
                $"Pipeline trigger '{triggerName}' is a '{trigger.Event}' trigger: a monitor fires only triggers of event '{TriggerEvents.Alert}'.");
        var alert = new AlertmanagerAlert(AlertStates.Firing,
            new Dictionary<string, string> { ["alertname"] = n.AlertName, ["monitor"] = n.MonitorName, ["severity"] = n.Severity },
            null, DateTimeOffset.FromUnixTimeMilliseconds(n.Since), null);
        // The destination names its trigger, so the trigger fires whatever alert name it was created for.
        var planned = AlertFires.Plan(new AlertmanagerWebhook("4", AlertStates.Firing, [alert]), [trigger with { Source = n.AlertName }], time.GetUtcNow());
        PipelineFire? recorded = null;
        foreach (var fire in planned)
            recorded = await schedules.TryClaimFireAsync(fire, ct) ?? recorded;
        return recorded;
    }

    public Task SendAsync(AlertNotification n, CancellationToken ct) => FireAsync(n, ct);
}
