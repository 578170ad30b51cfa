using Cairn.Models;
using Cairn.Registry;

namespace Cairn.Deployments.Management;

/// <summary>
/// What <c>cairn deploy</c> does to an endpoint, against any store (embedded, PostgreSQL, a server):
/// model URIs are resolved to registered versions (an alias to the version it points at; an
/// unknown version is refused), each change is a compare-and-set on the endpoint's revision
/// (retried when someone else changed it meanwhile), and the registry alias the endpoint follows
/// moves with promotions and rollbacks, through the registry's promotion rules.
/// </summary>
public sealed class EndpointManager(CairnClient client, IEndpointStore store, string? actor = null)
{
    private const int Attempts = 5;
    private readonly string _actor = actor ?? Environment.UserName;

    public IEndpointStore Store => store;
    public CairnClient Client => client;
    private long Now => client.Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>A variant for <paramref name="modelUri"/>: an alias resolved to its version now; a version checked to exist.</summary>
    public async Task<EndpointVariant> ResolveAsync(string? name, string modelUri, int weight, CancellationToken ct = default)
    {
        var uri = ModelUri.Parse(modelUri);
        var version = uri.Alias is { } alias
            ? await client.Registry.GetModelVersionByAliasAsync(uri.Name, alias, ct).ConfigureAwait(false)
            : await client.Registry.GetModelVersionAsync(uri.Name, uri.Version!, ct).ConfigureAwait(false);
        var resolved = new ModelUri(version.Name, version.Version, null).ToString();
        return new EndpointVariant(name ?? $"v{version.Version}", resolved, weight);
    }

    /// <summary>Creates the endpoint serving one model; an alias in the URI is the alias the endpoint follows.</summary>
    public async Task<EndpointRecord> CreateAsync(string name, string modelUri, int minReplicas = 1, int maxReplicas = 1, string? stickyBy = null,
        AutoscalingSettings? autoscaling = null, string? description = null, CancellationToken ct = default)
    {
        EndpointSpecRules.Name(name);
        var variant = await ResolveAsync(null, modelUri, 100, ct).ConfigureAwait(false);
        var spec = new EndpointSpec(name, [variant], ModelUri.Parse(modelUri).Alias, minReplicas, maxReplicas, autoscaling, stickyBy, Description: description);
        return await store.CreateEndpointAsync(spec, _actor, ct).ConfigureAwait(false);
    }

    /// <summary>Reads the endpoint, computes the change, stores it if nobody changed the endpoint meanwhile; else reads again and retries.</summary>
    public async Task<EndpointRecord> ChangeAsync(string name, Func<EndpointRecord, Task<(EndpointSpec Spec, EndpointChange Change)>> change, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await store.GetEndpointAsync(name, ct).ConfigureAwait(false);
            var (spec, what) = await change(current).ConfigureAwait(false);
            try
            {
                return await store.UpdateEndpointAsync(spec, current.Revision, what, ct).ConfigureAwait(false);
            }
            catch (CairnException e) when (e.ErrorCode == ErrorCodes.InvalidState && attempt < Attempts)
            {
                // Someone else (another user, the canary analysis) changed it first: decide again on what is there now.
            }
        }
    }

    public Task<EndpointRecord> StartAbTestAsync(string name, IReadOnlyList<(string Variant, string Model)> variants, IReadOnlyList<int> split,
        string metric, string kind = AbMetricKinds.Proportion, string? stickyBy = null, double alpha = 0.05, double? minimumDetectableEffect = null,
        string? control = null, CancellationToken ct = default)
    {
        if (variants.Count < 2) throw CairnException.InvalidParameter("An A/B test needs at least two variants: --variant a=models:/m/4 --variant b=models:/m/5.");
        if (split.Count != variants.Count)
            throw CairnException.InvalidParameter($"The split has {split.Count} weights for {variants.Count} variants; give one per variant, such as --split 50/50.");
        return ChangeAsync(name, async record =>
        {
            var resolved = new List<EndpointVariant>();
            for (var i = 0; i < variants.Count; i++) resolved.Add(await ResolveAsync(variants[i].Variant, variants[i].Model, split[i], ct).ConfigureAwait(false));
            var ab = new AbTestSettings(metric, kind, alpha, minimumDetectableEffect, control ?? variants[0].Variant, Now);
            var spec = EndpointTransitions.StartAbTest(record.Spec, resolved, ab, stickyBy);
            return (spec, new EndpointChange(EndpointEventKinds.AbStarted,
                $"A/B test on {metric}: {string.Join(", ", resolved.Select(v => $"{v.Name}={v.Model} ({v.Weight}%)"))}" + (spec.StickyBy is { } s ? $", sticky by {s}" : ""), _actor));
        }, ct);
    }

    public Task<EndpointRecord> StartCanaryAsync(string name, string modelUri, IReadOnlyList<int> steps, TimeSpan interval, double? maxErrorRate, double? maxP99Ms,
        double? maxPredictionPsi, string? variantName = null, string? baseline = null, int minRequests = 20, string? gate = null, CancellationToken ct = default)
    {
        if (steps.Count < 2 || steps[^1] != 100)
            throw CairnException.InvalidParameter("A canary needs steps below 100 ending at 100, such as --steps 5,25,50,100; to switch at once, use `cairn deploy promote`.");
        if (gate is not null) PromotionGate.Parse(gate);
        return ChangeAsync(name, async record =>
        {
            var live = record.Spec.Variants.Where(v => v.Role == VariantRoles.Live).ToList();
            var canary = await ResolveAsync(variantName, modelUri, steps[0], ct).ConfigureAwait(false);
            var state = new CanaryState(canary.Name, baseline ?? (live.Count == 1 ? live[0].Name : ""), steps, (int)Math.Ceiling(interval.TotalSeconds),
                maxErrorRate, maxP99Ms, maxPredictionPsi, 0, Now, MinRequests: minRequests, Gate: gate);
            var spec = EndpointTransitions.StartCanary(record.Spec, canary, state);
            return (spec, new EndpointChange(EndpointEventKinds.CanaryStarted,
                $"Canary {canary.Name}={canary.Model} against {state.Baseline}: steps {string.Join(",", steps)} every {state.IntervalSeconds} s; {Limits(state)}", _actor));
        }, ct);
    }

    public static string Limits(CanaryState c)
    {
        var limits = new List<string>();
        if (c.MaxErrorRate is { } e) limits.Add($"error rate <= {e}");
        if (c.MaxP99Ms is { } p) limits.Add($"p99 <= {p} ms");
        if (c.MaxPredictionPsi is { } psi) limits.Add($"prediction PSI <= {psi}");
        return limits.Count == 0 ? "no limits (steps advance on time)" : string.Join(", ", limits);
    }

    public Task<EndpointRecord> StartShadowAsync(string name, string modelUri, int percent, string? variantName = null, CancellationToken ct = default) =>
        ChangeAsync(name, async record =>
        {
            var shadow = await ResolveAsync(variantName, modelUri, 0, ct).ConfigureAwait(false);
            if (variantName is null) shadow = shadow with { Name = $"shadow-{shadow.Name}" };
            var spec = EndpointTransitions.StartShadow(record.Spec, shadow, percent, Now);
            return (spec, new EndpointChange(EndpointEventKinds.ShadowStarted, $"Shadow {shadow.Name}={shadow.Model} gets a copy of {percent}% of requests", _actor));
        }, ct);

    public Task<EndpointRecord> StopShadowAsync(string name, CancellationToken ct = default) =>
        ChangeAsync(name, record => Task.FromResult((EndpointTransitions.StopShadow(record.Spec),
            new EndpointChange(EndpointEventKinds.ShadowStopped, $"Shadow {record.Spec.Shadow?.Variant} stopped", _actor))), ct);

    /// <summary>One variant takes all traffic (the only live one when none is named); the followed alias moves to its version.</summary>
    public async Task<(EndpointRecord Record, PromotionResult? Alias)> PromoteAsync(string name, string? variant = null, CancellationToken ct = default)
    {
        PromotionResult? moved = null;
        var record = await ChangeAsync(name, async current =>
        {
            var live = current.Spec.Variants.Where(v => v.Role == VariantRoles.Live).ToList();
            var chosen = variant ?? (current.Spec.Canary is { Status: CanaryStatuses.Running or CanaryStatuses.AwaitingApproval } c ? c.Variant
                : live.Count == 1 ? live[0].Name
                : throw CairnException.InvalidParameter($"Endpoint '{name}' has {live.Count} live variants; name the one to promote ({string.Join(", ", live.Select(v => v.Name))})."));
            var spec = EndpointTransitions.Promote(current.Spec, chosen, Now);
            moved = await MoveAliasAsync(spec, spec.Variants[0], null, "promoted on endpoint " + name, ct).ConfigureAwait(false);
            return (spec, new EndpointChange(EndpointEventKinds.Promoted, $"Variant {chosen} ({spec.Variants[0].Model}) takes all traffic" + AliasNote(spec, moved), _actor));
        }, ct).ConfigureAwait(false);
        return (record, moved);
    }

    public async Task<EndpointRecord> RollBackAsync(string name, string? reason = null, CancellationToken ct = default) =>
        await ChangeAsync(name, async current =>
        {
            var canary = current.Spec.Canary is { Status: CanaryStatuses.Running or CanaryStatuses.AwaitingApproval };
            var spec = EndpointTransitions.RollBack(current.Spec, Now, reason ?? $"rolled back by {_actor}");
            var live = spec.Variants.Where(v => v.Role == VariantRoles.Live).ToList();
            PromotionResult? moved = null;
            // A canary never moved the alias; a promotion did, so its rollback moves it back.
            if (!canary && live.Count == 1) moved = await MoveAliasAsync(spec, live[0], null, "rolled back on endpoint " + name, ct).ConfigureAwait(false);
            var message = canary ? $"Canary {current.Spec.Canary!.Variant} rolled back: {reason ?? "by hand"}"
                : $"Back to {string.Join(", ", live.Select(v => $"{v.Name}={v.Model} ({v.Weight}%)"))}" + AliasNote(spec, moved);
            return (spec, new EndpointChange(canary ? EndpointEventKinds.CanaryRolledBack : EndpointEventKinds.RolledBack, message, _actor));
        }, ct).ConfigureAwait(false);

    /// <summary>Moves the alias the endpoint follows to the variant's version, through the registry's promotion (and its gate when given); null when the endpoint follows none.</summary>
    public async Task<PromotionResult?> MoveAliasAsync(EndpointSpec spec, EndpointVariant variant, string? gate, string comment, CancellationToken ct = default)
    {
        if (spec.Alias is not { } alias) return null;
        var uri = ModelUri.Parse(variant.Model);
        try
        {
            var holder = await client.Registry.GetModelVersionByAliasAsync(uri.Name, alias, ct).ConfigureAwait(false);
            if (holder.Version == uri.Version) return new PromotionResult(PromotionOutcome.Promoted, uri.Name, uri.Version!, alias, holder.Version, null);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist) { }
        return await new ModelRegistry(client).PromoteAsync(uri.Name, uri.Version!, alias, gate, _actor, comment, ct).ConfigureAwait(false);
    }

    private static string AliasNote(EndpointSpec spec, PromotionResult? moved) => moved switch
    {
        null => "",
        { Outcome: PromotionOutcome.Promoted } => $"; {spec.Alias} -> version {moved.Version}",
        { Outcome: PromotionOutcome.AwaitingApproval } => $"; {spec.Alias} not moved: it is a protected alias, another user must approve",
        _ => $"; {spec.Alias} not moved: the promotion gate failed, a reviewer must approve ({moved.Gate?.Summary})",
    };

    public Task DeleteAsync(string name, CancellationToken ct = default) => store.DeleteEndpointAsync(name, _actor, ct);
}
