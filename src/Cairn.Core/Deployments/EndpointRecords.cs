namespace Cairn.Deployments;

/// <summary>An endpoint as stored: its spec, revision (1 at creation, +1 per change) and times (Unix milliseconds).</summary>
public sealed record EndpointRecord(EndpointSpec Spec, int Revision, long CreationTime, long UpdateTime)
{
    public string Name => Spec.Name;
}

/// <summary>One entry of an endpoint's history.</summary>
/// <param name="Kind">One of <see cref="EndpointEventKinds"/>.</param>
/// <param name="Revision">The endpoint revision this event produced, or was recorded at (events that change nothing).</param>
/// <param name="Actor">Who did it: a user name, or <c>cairn</c> for the canary analysis and the autoscaler.</param>
public sealed record EndpointEvent(string EventId, string Endpoint, int Revision, long Time, string Kind, string Message, string Actor);

/// <summary>What a change records beside the new spec.</summary>
public sealed record EndpointChange(string Kind, string Message, string Actor);

public static class EndpointEventKinds
{
    public const string Created = "created";
    /// <summary>Recorded by the store when an endpoint is deleted; its history stays.</summary>
    public const string Deleted = "deleted";
    public const string Updated = "updated";
    public const string WeightsChanged = "weights_changed";
    public const string AbStarted = "ab_started";
    public const string AbStopped = "ab_stopped";
    public const string CanaryStarted = "canary_started";
    public const string CanaryStep = "canary_step";
    public const string CanaryRolledBack = "canary_rolled_back";
    public const string CanaryPromoted = "canary_promoted";
    public const string CanaryAwaitingApproval = "canary_awaiting_approval";
    public const string ShadowStarted = "shadow_started";
    public const string ShadowStopped = "shadow_stopped";
    public const string Promoted = "promoted";
    public const string RolledBack = "rolled_back";
    public const string Scaled = "scaled";
    public const string ReplicaRestarted = "replica_restarted";
}
