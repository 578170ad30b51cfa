using Cairn.Deployments.Management;
using Cairn.Deployments.Routing;
using Cairn.Models;
using Cairn.Registry;

namespace Cairn.Deployments.Canary;

/// <summary>
/// Drives a canary from the process that serves the endpoint, where its live traffic is counted:
/// at each tick it evaluates the step in force on the router's counters and advances it, rolls it
/// back (recording why) or moves the alias at the end. Every change is a compare-and-set on the
/// revision the tick read, so a user's change in between wins and the tick is simply skipped.
/// </summary>
public sealed class CanaryController(EndpointManager manager, EndpointRouter router, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The last analysis, for the endpoint's status.</summary>
    public CanaryVerdict? LastVerdict { get; private set; }

    /// <summary>Acts on <paramref name="record"/> if it has a canary in progress; returns the stored change, or null.</summary>
    public async Task<EndpointRecord?> TickAsync(EndpointRecord record, CancellationToken ct = default)
    {
        var spec = record.Spec;
        if (spec.Canary is not { } canary) return null;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (canary.Status == CanaryStatuses.AwaitingApproval)
        {
            // A reviewer approving the promotion moves the alias; the canary then finishes.
            if (spec.Alias is not { } alias || !await AliasHoldsAsync(spec, canary.Variant, alias, ct).ConfigureAwait(false)) return null;
            return await StoreAsync(record, EndpointTransitions.PromoteCanary(spec, now, $"{alias} approved for the canary"),
                EndpointEventKinds.CanaryPromoted, $"Canary {canary.Variant} promoted: {alias} was approved", ct).ConfigureAwait(false);
        }
        if (canary.Status != CanaryStatuses.Running || router.Revision != record.Revision) return null; // the router's counters belong to the revision it serves
        if (router.Snapshot(canary.Variant) is not { } canaryWindow || router.Snapshot(canary.Baseline) is not { } baselineWindow) return null;
        var verdict = CanaryAnalysis.Evaluate(canary, canaryWindow, baselineWindow, now);
        LastVerdict = verdict;
        switch (verdict.Decision)
        {
            case CanaryDecisions.RollBack:
                return await StoreAsync(record, EndpointTransitions.RollBackCanary(spec, now, verdict.Summary),
                    EndpointEventKinds.CanaryRolledBack, $"Canary {canary.Variant} rolled back at {canary.Steps[canary.StepIndex]}%: {verdict.Summary}", ct).ConfigureAwait(false);
            case CanaryDecisions.Advance when canary.StepIndex + 1 < canary.Steps.Count - 1:
                var next = EndpointTransitions.NextCanaryStep(spec, now);
                return await StoreAsync(record, next, EndpointEventKinds.CanaryStep,
                    $"Canary {canary.Variant} to {next.Canary!.Steps[next.Canary.StepIndex]}%: {verdict.Summary}", ct).ConfigureAwait(false);
            case CanaryDecisions.Advance:
                var variant = spec.Variants.First(v => v.Name == canary.Variant);
                var moved = await manager.MoveAliasAsync(spec, variant, canary.Gate, $"canary on endpoint {spec.Name} passed every step", ct).ConfigureAwait(false);
                if (moved is { Outcome: PromotionOutcome.PendingApproval or PromotionOutcome.AwaitingApproval })
                {
                    var why = moved.Outcome == PromotionOutcome.AwaitingApproval ? "protected alias: another user must approve" : $"gate failed: {moved.Gate?.Summary}";
                    return await StoreAsync(record, EndpointTransitions.AwaitApproval(spec, why), EndpointEventKinds.CanaryAwaitingApproval,
                        $"Canary {canary.Variant} passed every step, but {spec.Alias} waits for approval ({why}); approve with `cairn models approve {moved.Name} {moved.Version} --alias {spec.Alias}`", ct).ConfigureAwait(false);
                }
                return await StoreAsync(record, EndpointTransitions.PromoteCanary(spec, now, verdict.Summary), EndpointEventKinds.CanaryPromoted,
                    $"Canary {canary.Variant} promoted to 100%: {verdict.Summary}" + (moved is null ? "" : $"; {spec.Alias} -> version {moved.Version}"), ct).ConfigureAwait(false);
            default:
                return null;
        }
    }

    private async Task<bool> AliasHoldsAsync(EndpointSpec spec, string variantName, string alias, CancellationToken ct)
    {
        var uri = ModelUri.Parse(spec.Variants.First(v => v.Name == variantName).Model);
        try
        {
            return (await manager.Client.Registry.GetModelVersionByAliasAsync(uri.Name, alias, ct).ConfigureAwait(false)).Version == uri.Version;
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist)
        {
            return false;
        }
    }

    private async Task<EndpointRecord?> StoreAsync(EndpointRecord read, EndpointSpec next, string kind, string message, CancellationToken ct)
    {
        try
        {
            return await manager.Store.UpdateEndpointAsync(next, read.Revision, new EndpointChange(kind, message, "cairn"), ct).ConfigureAwait(false);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.InvalidState)
        {
            return null; // changed meanwhile (a user, another server): the next tick decides on what is there
        }
    }
}
