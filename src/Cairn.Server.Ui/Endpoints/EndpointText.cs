using Cairn.Deployments;
using Cairn.Server.Ui.Components;

namespace Cairn.Server.Ui.Endpoints;

/// <summary>How the endpoint pages word variants, rollouts and canary limits: the same words as <c>cairn deploy list|status</c>.</summary>
public static class EndpointText
{
    public static IEnumerable<EndpointVariant> Live(EndpointSpec spec) => spec.Variants.Where(v => v.Role != VariantRoles.Shadow);

    /// <summary><c>a=models:/delay/4 (90%)</c>, a shadow with its percent of copies.</summary>
    public static string Variant(EndpointSpec spec, EndpointVariant variant) => variant.Role == VariantRoles.Shadow
        ? $"{variant.Name}={variant.Model} (shadow {spec.Shadow?.Percent ?? 0}%)"
        : $"{variant.Name}={variant.Model} ({variant.Weight}%)";

    /// <summary>The A/B test, the canary and the shadow in force, or "-".</summary>
    public static string Rollout(EndpointSpec spec)
    {
        var parts = new List<string>();
        if (spec.AbTest is { EndedAt: null } ab) parts.Add($"A/B on {ab.Metric} (control {Control(spec, ab)})");
        if (spec.Canary is { } c) parts.Add(c.Status == CanaryStatuses.Running ? $"canary {c.Variant} at {CurrentWeight(c)}% (step {c.StepIndex + 1} of {c.Steps.Count})" : $"canary {c.Variant} {Words(c.Status)}" + (c.Reason is { } r ? $": {r}" : ""));
        if (spec.Shadow is { } s) parts.Add($"shadow {s.Variant} {s.Percent}%");
        return parts.Count == 0 ? "-" : string.Join("; ", parts);
    }

    /// <summary>The control of an A/B test: the one named, else the first live variant.</summary>
    public static string Control(EndpointSpec spec, AbTestSettings ab) => ab.Control ?? Live(spec).FirstOrDefault()?.Name ?? "";

    public static int CurrentWeight(CanaryState canary) =>
        canary.Steps.Count == 0 ? 0 : canary.Steps[Math.Clamp(canary.StepIndex, 0, canary.Steps.Count - 1)];

    /// <summary>The limits a step is judged against, or that there are none.</summary>
    public static string Limits(CanaryState canary)
    {
        var limits = new List<string>();
        if (canary.MaxErrorRate is { } errors) limits.Add($"error rate ≤ {Format.Number(errors)}");
        if (canary.MaxP99Ms is { } p99) limits.Add($"p99 ≤ {Format.Number(p99)} ms");
        if (canary.MaxPredictionPsi is { } psi) limits.Add($"prediction PSI ≤ {Format.Number(psi)}");
        var judged = limits.Count == 0 ? "no limit: each step passes once it has its requests" : string.Join(", ", limits);
        return $"{judged}; at least {canary.MinRequests} canary requests per step";
    }

    /// <summary><c>rolled_back</c> → <c>rolled back</c>.</summary>
    public static string Words(string value) => value.Replace('_', ' ');

    public static string Interval(int seconds) =>
        seconds % 3600 == 0 && seconds > 0 ? $"{seconds / 3600} h" : seconds % 60 == 0 && seconds > 0 ? $"{seconds / 60} min" : $"{seconds} s";

    /// <summary>A class for the canary's status badge; stored text never becomes a class name of its own.</summary>
    public static string CanaryStatusClass(string status) => "status status-" + status switch
    {
        CanaryStatuses.Running => "running",
        CanaryStatuses.Promoted => "succeeded",
        CanaryStatuses.RolledBack => "failed",
        CanaryStatuses.AwaitingApproval => "awaiting",
        _ => "other",
    };

    /// <summary>One class per family of history events (rollbacks stand out), never the stored kind itself.</summary>
    public static string EventClass(string kind) => "event event-" + kind switch
    {
        EndpointEventKinds.CanaryRolledBack or EndpointEventKinds.RolledBack or EndpointEventKinds.Deleted => "bad",
        EndpointEventKinds.CanaryPromoted or EndpointEventKinds.Promoted or EndpointEventKinds.Created => "good",
        _ => "other",
    };

    /// <summary>The registry page of a variant's model (<c>models:/name/N</c>, <c>models:/name@alias</c>); null for anything else.</summary>
    public static string? ModelLink(string model) => Monitors.MonitorText.ModelLink(model);

    /// <summary>The page of the model an alias-following endpoint moves (its variants' model name).</summary>
    public static string? AliasLink(EndpointSpec spec) =>
        spec.Alias is null ? null
        : Live(spec).Select(v => ModelName(v.Model)).FirstOrDefault(n => n is not null) is { } name ? Format.ModelLink(name) : null;

    private static string? ModelName(string model)
    {
        const string prefix = "models:/";
        if (!model.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var rest = model[prefix.Length..];
        var end = rest.IndexOfAny(['/', '@']);
        return end > 0 ? rest[..end] : rest.Length > 0 ? rest : null;
    }
}
