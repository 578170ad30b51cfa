namespace Cairn.Deployments;

/// <summary>
/// An endpoint (<c>endpoints:/name</c>): several model versions behind one address with a traffic
/// policy. Stored as JSON (snake_case) in the endpoint store; every change makes a new revision and
/// an event in the endpoint's history.
/// </summary>
/// <param name="Name">Letters, digits, '-', '_' and '.', starting with a letter or digit.</param>
/// <param name="Variants">The model versions and their weights; the weights of the live variants sum to 100.</param>
/// <param name="Alias">The registry alias the endpoint follows (from <c>--model models:/delay@champion</c>): promoting a variant or finishing a canary moves it.</param>
/// <param name="Previous">The live variants before the last promotion, A/B test or canary: what <c>cairn deploy rollback</c> restores.</param>
/// <param name="StickyBy">How requests are assigned to variants: null (at random), <c>header:&lt;Name&gt;</c> (a hash of that header, so one user always sees one variant), or <c>request_id</c>.</param>
public sealed record EndpointSpec(
    string Name,
    IReadOnlyList<EndpointVariant> Variants,
    string? Alias = null,
    int MinReplicas = 1,
    int MaxReplicas = 1,
    AutoscalingSettings? Autoscaling = null,
    string? StickyBy = null,
    AbTestSettings? AbTest = null,
    CanaryState? Canary = null,
    ShadowSettings? Shadow = null,
    string? Description = null,
    IReadOnlyList<EndpointVariant>? Previous = null);

/// <summary>One model version in an endpoint.</summary>
/// <param name="Name">Unique in the endpoint: letters, digits, '-', '_' and '.'.</param>
/// <param name="Model">Always a version, <c>models:/delay/4</c> (an alias given by the user is resolved when the variant is set).</param>
/// <param name="Weight">Percent of live traffic, 0 to 100; a shadow variant has 0.</param>
/// <param name="Role"><see cref="VariantRoles.Live"/> (answers requests) or <see cref="VariantRoles.Shadow"/> (gets copies, never answers).</param>
public sealed record EndpointVariant(string Name, string Model, int Weight, string Role = VariantRoles.Live);

public static class VariantRoles
{
    public const string Live = "live";
    public const string Shadow = "shadow";
    public static readonly IReadOnlyList<string> All = [Live, Shadow];
}

/// <summary>When a replica is added or removed (between the endpoint's min and max).</summary>
/// <param name="TargetConcurrency">Requests in flight per replica above which one is added (and below half of which one is removed).</param>
/// <param name="MaxP99Ms">A p99 above this adds a replica too; null: concurrency only.</param>
/// <param name="CooldownSeconds">Time after a scaling decision before the next one.</param>
public sealed record AutoscalingSettings(double TargetConcurrency = 8, double? MaxP99Ms = null, int CooldownSeconds = 30);

/// <summary>An A/B test between the live variants.</summary>
/// <param name="Metric">The outcome's name (for reports); outcomes are feedback labels keyed by request id.</param>
/// <param name="Kind"><c>proportion</c> (outcomes 0/1, e.g. conversion) or <c>mean</c> (any number, e.g. revenue).</param>
/// <param name="Alpha">Significance level of the report's tests.</param>
/// <param name="MinimumDetectableEffect">Relative lift the test should detect, for the sample size the report states; null: not stated.</param>
/// <param name="Control">The variant the others are compared with (default: the first).</param>
/// <param name="StartedAt">Unix milliseconds; requests from then on count.</param>
public sealed record AbTestSettings(
    string Metric,
    string Kind = AbMetricKinds.Proportion,
    double Alpha = 0.05,
    double? MinimumDetectableEffect = null,
    string? Control = null,
    long StartedAt = 0,
    long? EndedAt = null);

public static class AbMetricKinds
{
    public const string Proportion = "proportion";
    public const string Mean = "mean";
    public static readonly IReadOnlyList<string> All = [Proportion, Mean];
}

/// <summary>
/// A canary rollout: the canary variant's weight goes through <see cref="Steps"/>, one step per
/// interval, while an analysis compares it with the baseline; a failing analysis rolls back.
/// </summary>
/// <param name="Variant">The canary variant's name.</param>
/// <param name="Baseline">The variant it is compared with (the one it replaces).</param>
/// <param name="Steps">Canary weights in percent, increasing, the last 100.</param>
/// <param name="StepIndex">The step in force.</param>
/// <param name="StepStartedAt">Unix milliseconds when the step in force began.</param>
/// <param name="Status">One of <see cref="CanaryStatuses"/>.</param>
/// <param name="Reason">Why it was rolled back or stopped; null while it runs.</param>
/// <param name="MinRequests">Canary requests an interval needs before its analysis counts (fewer: the step waits).</param>
/// <param name="Gate">A promotion gate (as <c>cairn models promote --require</c>) checked when the last step moves the alias; failing, the canary awaits a reviewer's approval.</param>
public sealed record CanaryState(
    string Variant,
    string Baseline,
    IReadOnlyList<int> Steps,
    int IntervalSeconds,
    double? MaxErrorRate = null,
    double? MaxP99Ms = null,
    double? MaxPredictionPsi = null,
    int StepIndex = 0,
    long StepStartedAt = 0,
    string Status = CanaryStatuses.Running,
    string? Reason = null,
    int MinRequests = 20,
    string? Gate = null);

public static class CanaryStatuses
{
    public const string Running = "running";
    public const string Promoted = "promoted";
    public const string RolledBack = "rolled_back";
    /// <summary>The last step passed but the alias could not move (a promotion gate or approval is pending).</summary>
    public const string AwaitingApproval = "awaiting_approval";
}

/// <summary>A copy of <see cref="Percent"/> percent of live requests goes to the shadow variant, after the response.</summary>
public sealed record ShadowSettings(string Variant, int Percent = 100, long StartedAt = 0);
