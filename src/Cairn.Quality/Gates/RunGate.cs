using System.Globalization;
using Cairn.Registry;
using Cairn.Tracking;

namespace Cairn.Quality.Gates;

/// <summary>
/// A metric gate over one run, such as <c>metrics.auc &gt;= models:/delay@champion.metrics.auc - 0.005</c>:
/// <c>metrics.x</c> and <c>params.x</c> read the run; <c>models:/name@alias.metrics.x</c> and
/// <c>models:/name/N.metrics.x</c> read the run that produced that model version. Comparisons
/// reading an alias nobody holds yet (or a model not registered yet) pass, so a pipeline's first
/// run is not blocked; the syntax is <see cref="PromotionGate"/>'s.
/// </summary>
public static class RunGate
{
    /// <exception cref="CairnException">
    /// INVALID_PARAMETER_VALUE for a gate that cannot be evaluated: a syntax error, <c>champion.</c>
    /// (which needs a model: write <c>models:/name@champion.</c>), or a key no run involved logged (a typo);
    /// RESOURCE_DOES_NOT_EXIST for an unknown run or model version.
    /// </exception>
    public static async Task<GateResult> EvaluateAsync(CairnClient client, string runId, string expression, CancellationToken ct = default)
    {
        var gate = PromotionGate.Parse(expression);
        if (gate.References.FirstOrDefault(r => r.Scope == GateScope.Champion) is { } champion)
            throw CairnException.InvalidParameter($"The gate reads {champion}, but a run has no champion: name the model, e.g. models:/<name>@champion.{champion.Kind}.{champion.Key}.");
        var run = await client.Tracking.GetRunAsync(runId, ct).ConfigureAwait(false);
        var holders = new Dictionary<string, Run?>(StringComparer.Ordinal);
        var unheld = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in gate.References.Where(r => r.Scope == GateScope.Model).Select(r => r.Model!).Distinct())
        {
            var version = await VersionAsync(client, ModelUri.Parse(model), ct).ConfigureAwait(false);
            if (version is null) unheld.Add(model);
            else holders[model] = version.RunId is null ? null : await client.Tracking.GetRunAsync(version.RunId, ct).ConfigureAwait(false);
        }
        RequireLoggedKeys(gate, run, holders);
        return gate.Evaluate(r => Value(r.Scope == GateScope.Model ? holders.GetValueOrDefault(r.Model!) : run, r), r => r.Scope != GateScope.Model || !unheld.Contains(r.Model!));
    }

    /// <summary>The version a URI names; null when it names an alias that has no holder (or a model with no versions yet).</summary>
    private static async Task<ModelVersion?> VersionAsync(CairnClient client, ModelUri uri, CancellationToken ct)
    {
        try
        {
            return uri.Alias is not null
                ? await client.Registry.GetModelVersionByAliasAsync(uri.Name, uri.Alias, ct).ConfigureAwait(false)
                : await client.Registry.GetModelVersionAsync(uri.Name, uri.Version!, ct).ConfigureAwait(false);
        }
        catch (CairnException e) when (e.ErrorCode == ErrorCodes.ResourceDoesNotExist && uri.Alias is not null)
        {
            return null;
        }
    }

    /// <summary>A key that no run involved logged is a typo in the gate (metrics.acu), refused naming the keys there are.</summary>
    private static void RequireLoggedKeys(PromotionGate gate, Run run, IReadOnlyDictionary<string, Run?> holders)
    {
        var runs = holders.Values.OfType<Run>().Prepend(run).ToList();
        foreach (var reference in gate.References.Where(r => r.Scope != GateScope.Model || holders.ContainsKey(r.Model!)))
        {
            var isMetric = reference.Kind == "metrics";
            var logged = runs.SelectMany(r => isMetric ? r.Data.Metrics.Select(m => m.Key) : r.Data.Params.Select(p => p.Key)).Distinct().Order(StringComparer.Ordinal).ToList();
            if (logged.Contains(reference.Key)) continue;
            var what = isMetric ? "metric" : "param";
            throw CairnException.InvalidParameter($"The gate names {reference}, but no {what} '{reference.Key}' was logged by run {run.Info.RunId}" +
                (holders.Count > 0 ? " or the model versions it names" : "") + ". " +
                (logged.Count == 0 ? $"They logged no {what}s." : $"Their {what}s: {string.Join(", ", logged)}."));
        }
    }

    private static double? Value(Run? run, GateReference reference)
    {
        if (run is null) return null;
        if (reference.Kind == "metrics") return run.Data.Metrics.FirstOrDefault(m => m.Key == reference.Key)?.Value;
        var param = run.Data.Params.FirstOrDefault(p => p.Key == reference.Key)?.Value;
        return double.TryParse(param, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;
    }
}
