using Cairn.Deployments.Routing;
using Cairn.Monitoring;

namespace Cairn.Deployments.Canary;

/// <summary>One check of a canary analysis: the canary's value, the baseline's beside it, the limit, and whether it passed (null: not enough data yet).</summary>
public sealed record CanaryCheck(string Name, double? Canary, double? Baseline, double Limit, bool? Passed);

public static class CanaryDecisions
{
    /// <summary>Every check passed over a full interval with enough requests: move to the next step.</summary>
    public const string Advance = "advance";
    /// <summary>A check failed with enough requests: roll back now, without waiting for the interval's end.</summary>
    public const string RollBack = "roll_back";
    /// <summary>The interval is not over, or has too few canary requests to judge.</summary>
    public const string Wait = "wait";
}

public sealed record CanaryVerdict(string Decision, IReadOnlyList<CanaryCheck> Checks, string Summary, long CanaryRequests, long BaselineRequests);

/// <summary>
/// Compares the canary with the baseline on the traffic of the current step: error rate (5xx per
/// request), p99 latency, and the shift of its predictions from the baseline's (PSI over the
/// baseline's deciles). A failing check rolls back as soon as the canary has served
/// <see cref="CanaryState.MinRequests"/> requests, so a bad canary is caught within one interval.
/// </summary>
public static class CanaryAnalysis
{
    public static CanaryVerdict Evaluate(CanaryState state, VariantSnapshot canary, VariantSnapshot baseline, long nowMs)
    {
        var checks = new List<CanaryCheck>();
        var enough = canary.Requests >= state.MinRequests;
        if (state.MaxErrorRate is { } maxErrors)
            checks.Add(new("error_rate", canary.Requests == 0 ? null : canary.ErrorRate, baseline.Requests == 0 ? null : baseline.ErrorRate, maxErrors,
                enough ? canary.ErrorRate <= maxErrors : null));
        if (state.MaxP99Ms is { } maxP99)
            checks.Add(new("p99_ms", canary.P99Ms, baseline.P99Ms, maxP99, enough && canary.P99Ms is { } p99 ? p99 <= maxP99 : null));
        if (state.MaxPredictionPsi is { } maxPsi)
        {
            var psi = Psi(baseline.Predictions, canary.Predictions, state.MinRequests);
            checks.Add(new("prediction_psi", psi, null, maxPsi, enough && psi is { } value ? value <= maxPsi : null));
        }
        var failed = checks.Where(c => c.Passed == false).ToList();
        var elapsed = nowMs - state.StepStartedAt >= state.IntervalSeconds * 1000L;
        string decision, summary;
        if (failed.Count > 0)
        {
            decision = CanaryDecisions.RollBack;
            summary = string.Join("; ", failed.Select(c => $"{c.Name} {Format(c.Canary)} is above the limit {Format(c.Limit)}" + (c.Baseline is { } b ? $" (baseline {Format(b)})" : "")));
        }
        else if (!enough)
        {
            decision = CanaryDecisions.Wait;
            summary = $"{canary.Requests} of the {state.MinRequests} canary requests needed to judge the step";
        }
        else if (checks.Any(c => c.Passed is null))
        {
            decision = CanaryDecisions.Wait;
            summary = $"not enough data for {string.Join(", ", checks.Where(c => c.Passed is null).Select(c => c.Name))}";
        }
        else if (!elapsed)
        {
            decision = CanaryDecisions.Wait;
            summary = checks.Count == 0 ? "no checks set; waiting for the interval to end" : "all checks pass so far; waiting for the interval to end";
        }
        else
        {
            decision = CanaryDecisions.Advance;
            summary = checks.Count == 0 ? "interval over (no checks set)" : "all checks passed: " + string.Join(", ", checks.Select(c => $"{c.Name} {Format(c.Canary)} <= {Format(c.Limit)}"));
        }
        return new CanaryVerdict(decision, checks, summary, canary.Requests, baseline.Requests);
    }

    /// <summary>PSI of the canary's predictions against the baseline's, over the baseline's deciles; null with fewer than <paramref name="minimum"/> of either.</summary>
    public static double? Psi(IReadOnlyList<double> baseline, IReadOnlyList<double> canary, int minimum)
    {
        if (baseline.Count < Math.Max(minimum, 10) || canary.Count < minimum) return null;
        var sorted = baseline.ToArray();
        Array.Sort(sorted);
        var edges = Enumerable.Range(1, 9).Select(i => sorted[(int)((long)i * (sorted.Length - 1) / 10)]).Distinct().ToArray();
        var psi = ExactDrift.Psi(sorted, canary.ToArray(), edges);
        return double.IsFinite(psi) ? psi : null;
    }

    private static string Format(double? value) => value is { } v ? v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) : "n/a";
}
