namespace Cairn.Deployments.Management;

/// <summary>
/// The changes an endpoint goes through, as pure functions from one spec to the next: the same
/// rules whether a user runs <c>cairn deploy</c> or the canary analysis moves a step. Each result
/// is checked by <see cref="EndpointSpecRules"/> when stored.
/// </summary>
public static class EndpointTransitions
{
    private static IReadOnlyList<EndpointVariant> Live(EndpointSpec spec) => [.. spec.Variants.Where(v => v.Role == VariantRoles.Live)];
    private static IReadOnlyList<EndpointVariant> Shadows(EndpointSpec spec) => [.. spec.Variants.Where(v => v.Role == VariantRoles.Shadow)];

    private static void RequireNoRollout(EndpointSpec spec, string what)
    {
        if (spec.Canary is { Status: CanaryStatuses.Running or CanaryStatuses.AwaitingApproval } c)
            throw CairnException.InvalidState($"Endpoint '{spec.Name}' has a canary of '{c.Variant}' in progress; promote or roll it back before {what}.");
    }

    /// <summary>An A/B test: the given variants replace the live ones, with the split's weights.</summary>
    public static EndpointSpec StartAbTest(EndpointSpec spec, IReadOnlyList<EndpointVariant> variants, AbTestSettings ab, string? stickyBy)
    {
        RequireNoRollout(spec, "starting an A/B test");
        return spec with
        {
            Variants = [.. variants, .. Shadows(spec)],
            AbTest = ab,
            StickyBy = stickyBy ?? spec.StickyBy,
            Canary = null,
            Previous = Live(spec),
        };
    }

    /// <summary>A canary of <paramref name="canary"/> against the one live variant (or the one named).</summary>
    public static EndpointSpec StartCanary(EndpointSpec spec, EndpointVariant canary, CanaryState state)
    {
        RequireNoRollout(spec, "starting another");
        var live = Live(spec);
        var baseline = live.FirstOrDefault(v => v.Name == state.Baseline);
        if (baseline is null)
            throw CairnException.InvalidParameter(live.Count == 1
                ? $"A canary needs a baseline: '{state.Baseline}' is not a live variant of '{spec.Name}' (its live variant is {live[0].Name})."
                : $"A canary needs a baseline: name one of the live variants ({string.Join(", ", live.Select(v => v.Name))}) with --baseline.");
        if (live.Count > 1)
            throw CairnException.InvalidState($"Endpoint '{spec.Name}' splits traffic over {live.Count} variants ({string.Join(", ", live.Select(v => $"{v.Name}={v.Weight}"))}); promote one before a canary, so it has one baseline.");
        if (spec.Variants.Any(v => v.Name == canary.Name))
            throw CairnException.InvalidParameter($"Variant name '{canary.Name}' is used twice: endpoint '{spec.Name}' already has it; give the canary another name.");
        var first = state.Steps[0];
        return spec with
        {
            Variants = [canary with { Weight = first }, baseline with { Weight = 100 - first }, .. Shadows(spec)],
            Canary = state,
            AbTest = null,
            Previous = live,
        };
    }

    /// <summary>The canary's next step (not the last one, which is <see cref="PromoteCanary"/>).</summary>
    public static EndpointSpec NextCanaryStep(EndpointSpec spec, long nowMs)
    {
        var c = spec.Canary ?? throw CairnException.InvalidState($"Endpoint '{spec.Name}' has no canary.");
        var step = c.StepIndex + 1;
        var weight = c.Steps[step];
        return spec with
        {
            Variants = [.. spec.Variants.Select(v => v.Name == c.Variant ? v with { Weight = weight } : v.Name == c.Baseline ? v with { Weight = 100 - weight } : v)],
            Canary = c with { StepIndex = step, StepStartedAt = nowMs },
        };
    }

    /// <summary>The canary takes all traffic; the baseline leaves.</summary>
    public static EndpointSpec PromoteCanary(EndpointSpec spec, long nowMs, string reason)
    {
        var c = spec.Canary ?? throw CairnException.InvalidState($"Endpoint '{spec.Name}' has no canary.");
        return spec with
        {
            Variants = [.. spec.Variants.Where(v => v.Name != c.Baseline).Select(v => v.Name == c.Variant ? v with { Weight = 100 } : v)],
            Canary = c with { StepIndex = c.Steps.Count - 1, StepStartedAt = nowMs, Status = CanaryStatuses.Promoted, Reason = reason },
        };
    }

    /// <summary>The last step passed but the alias waits for an approval: traffic stays where it is.</summary>
    public static EndpointSpec AwaitApproval(EndpointSpec spec, string reason) =>
        spec with { Canary = (spec.Canary ?? throw CairnException.InvalidState($"Endpoint '{spec.Name}' has no canary.")) with { Status = CanaryStatuses.AwaitingApproval, Reason = reason } };

    /// <summary>The baseline takes all traffic back; the canary leaves; why is kept with the canary's record.</summary>
    public static EndpointSpec RollBackCanary(EndpointSpec spec, long nowMs, string reason)
    {
        var c = spec.Canary ?? throw CairnException.InvalidState($"Endpoint '{spec.Name}' has no canary.");
        return spec with
        {
            Variants = [.. spec.Variants.Where(v => v.Name != c.Variant).Select(v => v.Name == c.Baseline ? v with { Weight = 100 } : v)],
            Canary = c with { StepStartedAt = nowMs, Status = CanaryStatuses.RolledBack, Reason = reason },
            Previous = null,
        };
    }

    /// <summary>One live variant takes all traffic; an A/B test ends, a canary is settled.</summary>
    public static EndpointSpec Promote(EndpointSpec spec, string variant, long nowMs)
    {
        var live = Live(spec);
        var chosen = live.FirstOrDefault(v => v.Name == variant)
            ?? throw CairnException.InvalidParameter($"'{variant}' is not a live variant of '{spec.Name}' ({string.Join(", ", live.Select(v => v.Name))}).");
        return spec with
        {
            Variants = [chosen with { Weight = 100 }, .. Shadows(spec)],
            AbTest = spec.AbTest is { EndedAt: null } ab ? ab with { EndedAt = nowMs } : spec.AbTest, // kept, ended, for its report
            Canary = spec.Canary is { Status: CanaryStatuses.Running or CanaryStatuses.AwaitingApproval } c
                ? c with { Status = c.Variant == variant ? CanaryStatuses.Promoted : CanaryStatuses.RolledBack, Reason = $"variant {variant} promoted by hand" }
                : spec.Canary,
            Previous = live,
        };
    }

    /// <summary>Back to the live variants before the last promotion, A/B test or canary.</summary>
    public static EndpointSpec RollBack(EndpointSpec spec, long nowMs, string reason)
    {
        if (spec.Canary is { Status: CanaryStatuses.Running or CanaryStatuses.AwaitingApproval })
            return RollBackCanary(spec, nowMs, reason);
        var previous = spec.Previous ?? throw CairnException.InvalidState($"Endpoint '{spec.Name}' has nothing to roll back to: it has not been promoted, A/B tested or canaried since it was created.");
        var shadows = Shadows(spec).Where(s => previous.All(p => p.Name != s.Name));
        return spec with { Variants = [.. previous, .. shadows], AbTest = spec.AbTest is { EndedAt: null } ab ? ab with { EndedAt = nowMs } : spec.AbTest, Previous = null };
    }

    public static EndpointSpec StartShadow(EndpointSpec spec, EndpointVariant shadow, int percent, long nowMs)
    {
        if (spec.Variants.Any(v => v.Name == shadow.Name && v.Role == VariantRoles.Live))
            throw CairnException.InvalidParameter($"Variant name '{shadow.Name}' is used twice: it is a live variant of '{spec.Name}'; give the shadow another name.");
        return spec with
        {
            Variants = [.. Live(spec), shadow with { Weight = 0, Role = VariantRoles.Shadow }],
            Shadow = new ShadowSettings(shadow.Name, percent, nowMs),
        };
    }

    public static EndpointSpec StopShadow(EndpointSpec spec) =>
        spec.Shadow is null ? throw CairnException.InvalidState($"Endpoint '{spec.Name}' has no shadow.")
        : spec with { Variants = [.. Live(spec)], Shadow = null };
}
