using Cairn.Deployments.Canary;
using Cairn.Deployments.Routing;

namespace Cairn.Deployments.Tests.Canary;

public class CanaryAnalysisTests
{
    private static readonly CanaryState State = new("c", "b", [10, 50, 100], IntervalSeconds: 60, MaxErrorRate: 0.05, MaxP99Ms: 20, MaxPredictionPsi: 0.2, StepStartedAt: 0, MinRequests: 20);

    private static VariantSnapshot Window(long requests, long errors, double latencyMs, IEnumerable<double> predictions)
    {
        var latencies = Enumerable.Repeat(latencyMs, (int)(requests - errors)).ToArray();
        return new VariantSnapshot("v", "models:/m/1", 0, requests, errors, 0, latencies.Length > 0 ? latencyMs : null, latencies.Length > 0 ? latencyMs : null, predictions.ToList(), latencies);
    }

    private static IEnumerable<double> Uniform(int n, double shift = 0) => Enumerable.Range(0, n).Select(i => (i + 0.5) / n + shift);

    [Fact]
    public void Too_few_canary_requests_wait_even_when_all_fail()
    {
        var verdict = CanaryAnalysis.Evaluate(State, Window(19, 19, 1, []), Window(500, 0, 1, Uniform(500)), nowMs: 120_000);
        Assert.Equal(CanaryDecisions.Wait, verdict.Decision);
        Assert.Contains("19 of the 20", verdict.Summary);
    }

    [Fact]
    public void Errors_above_the_limit_roll_back_before_the_interval_ends()
    {
        var verdict = CanaryAnalysis.Evaluate(State, Window(40, 4, 1, Uniform(36)), Window(500, 0, 1, Uniform(500)), nowMs: 1_000);
        Assert.Equal(CanaryDecisions.RollBack, verdict.Decision);
        Assert.Contains("error_rate 0.1 is above the limit 0.05", verdict.Summary);
    }

    [Fact]
    public void A_slower_canary_rolls_back_naming_the_baseline_beside_it()
    {
        var verdict = CanaryAnalysis.Evaluate(State, Window(40, 0, 35, Uniform(40)), Window(500, 0, 3, Uniform(500)), nowMs: 1_000);
        Assert.Equal(CanaryDecisions.RollBack, verdict.Decision);
        Assert.Contains("p99_ms 35 is above the limit 20 (baseline 3)", verdict.Summary);
    }

    [Fact]
    public void Shifted_predictions_roll_back_and_the_same_distribution_passes_at_the_interval_end()
    {
        var shifted = CanaryAnalysis.Evaluate(State, Window(400, 0, 1, Uniform(400, 0.5)), Window(2000, 0, 1, Uniform(2000)), nowMs: 1_000);
        Assert.Equal(CanaryDecisions.RollBack, shifted.Decision);
        Assert.Contains("prediction_psi", shifted.Summary);

        var same = CanaryAnalysis.Evaluate(State, Window(400, 0, 1, Uniform(400)), Window(2000, 0, 1, Uniform(2000)), nowMs: 59_000);
        Assert.Equal(CanaryDecisions.Wait, same.Decision);
        Assert.Equal(CanaryDecisions.Advance, CanaryAnalysis.Evaluate(State, Window(400, 0, 1, Uniform(400)), Window(2000, 0, 1, Uniform(2000)), nowMs: 60_000).Decision);
    }

    [Fact]
    public void Psi_is_zero_for_the_same_sample_and_large_for_a_disjoint_one()
    {
        var baseline = Uniform(1000).ToList();
        Assert.Equal(0, CanaryAnalysis.Psi(baseline, baseline, 20)!.Value, 9);
        Assert.True(CanaryAnalysis.Psi(baseline, [.. Uniform(1000, 2)], 20) > 1);
        Assert.Null(CanaryAnalysis.Psi(baseline, [.. Uniform(5)], 20));
    }
}
