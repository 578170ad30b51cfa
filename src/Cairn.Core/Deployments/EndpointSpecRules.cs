using System.Text.Json;
using System.Text.Json.Serialization;
using Cairn.Monitoring;
using Cairn.Registry;

namespace Cairn.Deployments;

/// <summary>
/// What an endpoint spec must look like before it is stored; every store checks with
/// <see cref="Validate"/>, so a bad spec is refused the same way embedded and over REST, and the
/// stored endpoint is left as it was.
/// </summary>
public static class EndpointSpecRules
{
    public const int MaxVariants = 10;
    public const int MaxReplicasLimit = 64;
    public const string HeaderPrefix = "header:";
    public const string RequestIdSticky = "request_id";

    /// <summary>The spec's JSON (snake_case), refusing unknown keys.</summary>
    public static JsonSerializerOptions Json { get; } = new(CairnJson.Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    public static string Name(string? name) => MonitorSpecRules.Name(name, "endpoint");

    /// <returns>The spec with defaults filled in.</returns>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming what is wrong.</exception>
    public static EndpointSpec Validate(EndpointSpec? spec)
    {
        if (spec is null) throw CairnException.InvalidParameter("An endpoint spec is required.");
        Name(spec.Name);
        var variants = spec.Variants ?? [];
        if (variants.Count == 0) throw CairnException.InvalidParameter($"Endpoint '{spec.Name}' needs at least one variant (a model version).");
        if (variants.Count > MaxVariants) throw CairnException.InvalidParameter($"Endpoint '{spec.Name}' has {variants.Count} variants; the limit is {MaxVariants}.");
        foreach (var v in variants)
        {
            if (v is null) throw CairnException.InvalidParameter("A variant is null.");
            MonitorSpecRules.Name(v.Name, "variant");
            var model = ModelUri.Parse(v.Model ?? "");
            if (model.Version is null)
                throw CairnException.InvalidParameter($"Variant '{v.Name}' must name a model version (models:/name/N), not '{v.Model}': aliases are resolved when the variant is set.");
            if (!VariantRoles.All.Contains(v.Role))
                throw CairnException.InvalidParameter($"Variant '{v.Name}' has role '{v.Role}'; use {string.Join(" or ", VariantRoles.All)}.");
            if (v.Weight is < 0 or > 100)
                throw CairnException.InvalidParameter($"Variant '{v.Name}' has weight {v.Weight}; weights are percents from 0 to 100.");
            if (v.Role == VariantRoles.Shadow && v.Weight != 0)
                throw CairnException.InvalidParameter($"Shadow variant '{v.Name}' has weight {v.Weight}; a shadow answers no requests, so its weight is 0.");
        }
        var duplicate = variants.GroupBy(v => v.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw CairnException.InvalidParameter($"Variant name '{duplicate.Key}' is used twice in endpoint '{spec.Name}'; each variant needs its own name.");
        var live = variants.Where(v => v.Role == VariantRoles.Live).ToList();
        if (live.Count == 0) throw CairnException.InvalidParameter($"Endpoint '{spec.Name}' has no live variant: at least one must answer requests.");
        var sum = live.Sum(v => v.Weight);
        if (sum != 100)
            throw CairnException.InvalidParameter($"The weights of endpoint '{spec.Name}' sum to {sum} ({string.Join(", ", live.Select(v => $"{v.Name}={v.Weight}"))}); they must sum to 100.");
        if (spec.MinReplicas < 1 || spec.MaxReplicas < spec.MinReplicas || spec.MaxReplicas > MaxReplicasLimit)
            throw CairnException.InvalidParameter($"Replicas must satisfy 1 <= min <= max <= {MaxReplicasLimit}; got min {spec.MinReplicas}, max {spec.MaxReplicas}.");
        if (spec.Alias is not null) RegistryNames.ValidateAlias(spec.Alias);
        Autoscaling(spec.Autoscaling);
        StickyBy(spec.StickyBy);
        if (spec.Description is { Length: > 5000 }) throw CairnException.InvalidParameter("The description is longer than 5000 characters.");
        AbTest(spec.AbTest, live);
        Canary(spec.Canary, live);
        Shadow(spec.Shadow, variants);
        foreach (var previous in spec.Previous ?? [])
            if (previous is null || ModelUri.Parse(previous.Model ?? "").Version is null)
                throw CairnException.InvalidParameter("The previous variants (kept for rollback) must each name a model version.");
        return spec with { Variants = variants };
    }

    /// <summary>Null, <c>request_id</c>, or <c>header:Name</c> with an HTTP header name.</summary>
    public static string? StickyBy(string? stickyBy)
    {
        if (stickyBy is null || stickyBy == RequestIdSticky) return stickyBy;
        if (stickyBy.StartsWith(HeaderPrefix, StringComparison.Ordinal))
        {
            var header = stickyBy[HeaderPrefix.Length..];
            if (header.Length is > 0 and <= 100 && header.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return stickyBy;
        }
        throw CairnException.InvalidParameter($"Invalid sticky-by '{stickyBy}': use header:<Name> (such as header:X-User-Id) or request_id.");
    }

    private static void Autoscaling(AutoscalingSettings? a)
    {
        if (a is null) return;
        if (!(a.TargetConcurrency is > 0 and <= 10_000)) throw CairnException.InvalidParameter($"The autoscaling target concurrency must be between 0 and 10000; got {a.TargetConcurrency}.");
        if (a.MaxP99Ms is { } p && !(p is > 0 and <= 3_600_000)) throw CairnException.InvalidParameter($"The autoscaling p99 limit must be a positive number of milliseconds; got {p}.");
        if (a.CooldownSeconds is < 0 or > 86_400) throw CairnException.InvalidParameter($"The autoscaling cool-down must be 0 to 86400 seconds; got {a.CooldownSeconds}.");
    }

    private static void AbTest(AbTestSettings? ab, IReadOnlyList<EndpointVariant> live)
    {
        if (ab is null) return;
        if (string.IsNullOrWhiteSpace(ab.Metric) || ab.Metric.Length > 250) throw CairnException.InvalidParameter("An A/B test needs a metric name (1 to 250 characters), such as conversion.");
        if (!AbMetricKinds.All.Contains(ab.Kind)) throw CairnException.InvalidParameter($"A/B metric kind '{ab.Kind}' is unknown; use {string.Join(" or ", AbMetricKinds.All)}.");
        if (!(ab.Alpha is > 0 and < 0.5)) throw CairnException.InvalidParameter($"The A/B significance level must be between 0 and 0.5; got {ab.Alpha}.");
        if (ab.MinimumDetectableEffect is { } mde && !(mde > 0 && double.IsFinite(mde))) throw CairnException.InvalidParameter($"The minimum detectable effect must be a positive relative lift such as 0.05; got {mde}.");
        if (ab.EndedAt is not null) return; // a finished test is kept for its report; its variants may be gone
        if (live.Count < 2) throw CairnException.InvalidParameter("An A/B test needs at least two live variants.");
        if (ab.Control is { } control && live.All(v => v.Name != control)) throw CairnException.InvalidParameter($"The A/B control '{control}' is not a live variant ({string.Join(", ", live.Select(v => v.Name))}).");
    }

    private static void Canary(CanaryState? c, IReadOnlyList<EndpointVariant> live)
    {
        if (c is null) return;
        var active = c.Status is CanaryStatuses.Running or CanaryStatuses.AwaitingApproval;
        if (active && live.All(v => v.Name != c.Variant)) throw CairnException.InvalidParameter($"The canary variant '{c.Variant}' is not a live variant of the endpoint.");
        if (c.Baseline == c.Variant || (active && live.All(v => v.Name != c.Baseline)))
            throw CairnException.InvalidParameter($"A canary needs a baseline: another live variant to compare with and roll back to; '{c.Baseline}' is not one.");
        var steps = c.Steps ?? [];
        if (steps.Count == 0 || steps[^1] != 100 || steps.Any(s => s is < 1 or > 100) || steps.Zip(steps.Skip(1)).Any(p => p.Second <= p.First))
            throw CairnException.InvalidParameter($"Canary steps must be increasing percents from 1 to 100, ending at 100 (such as 5,25,50,100); got {string.Join(",", steps)}.");
        if (c.StepIndex < 0 || c.StepIndex >= steps.Count) throw CairnException.InvalidParameter($"The canary step index {c.StepIndex} is outside its {steps.Count} steps.");
        if (c.IntervalSeconds is < 1 or > 604_800) throw CairnException.InvalidParameter($"The canary interval must be 1 second to 7 days; got {c.IntervalSeconds} s.");
        if (c.MaxErrorRate is { } e && !(e is >= 0 and <= 1)) throw CairnException.InvalidParameter($"The canary's maximum error rate is a share from 0 to 1; got {e}.");
        if (c.MaxP99Ms is { } p && !(p > 0 && double.IsFinite(p))) throw CairnException.InvalidParameter($"The canary's maximum p99 must be a positive number of milliseconds; got {p}.");
        if (c.MaxPredictionPsi is { } psi && !(psi > 0 && double.IsFinite(psi))) throw CairnException.InvalidParameter($"The canary's maximum prediction PSI must be positive; got {psi}.");
        if (c.Gate is { Length: > 2000 }) throw CairnException.InvalidParameter("The canary's promotion gate is longer than 2000 characters.");
        if (c.MinRequests is < 1 or > 1_000_000) throw CairnException.InvalidParameter($"The canary's minimum requests per interval must be 1 to 1000000; got {c.MinRequests}.");
        if (c.Status is not (CanaryStatuses.Running or CanaryStatuses.Promoted or CanaryStatuses.RolledBack or CanaryStatuses.AwaitingApproval))
            throw CairnException.InvalidParameter($"Unknown canary status '{c.Status}'.");
    }

    private static void Shadow(ShadowSettings? s, IReadOnlyList<EndpointVariant> variants)
    {
        if (s is null) return;
        if (variants.FirstOrDefault(v => v.Name == s.Variant) is not { Role: VariantRoles.Shadow })
            throw CairnException.InvalidParameter($"The shadow '{s.Variant}' must be a variant of the endpoint with role shadow.");
        if (s.Percent is < 1 or > 100) throw CairnException.InvalidParameter($"The shadow percent must be 1 to 100; got {s.Percent}.");
    }
}
