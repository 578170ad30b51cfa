using Cairn.Monitoring;

namespace Cairn.Monitoring.Tests.Alerts;

public class AlertEvaluatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly AlertRuleSpec Drift = new("drift_high", "drift_share > 0.3", "critical", "1h");
    private static readonly AlertRuleSpec Psi = new("distance_psi", "psi(Distance) > 0.2", "warning", "30m");

    private static AlertEvaluation Eval(IReadOnlyList<AlertState> previous, Dictionary<string, double> values, DateTimeOffset now) =>
        AlertEvaluator.Evaluate("delay-drift", [Drift, Psi], previous, values, now, "models:/delay@champion");

    [Fact]
    public void A_rule_that_starts_to_hold_fires_and_notifies()
    {
        var result = Eval([], new() { ["drift_share"] = 0.42, ["psi(Distance)"] = 0.1 }, T0);

        var state = Assert.Single(result.States);
        Assert.Equal(("drift_high", AlertStates.Firing, "critical", 0.42), (state.AlertName, state.State, state.Severity, state.Value));
        Assert.Equal(T0.ToUnixTimeMilliseconds(), state.Since);
        Assert.Equal(T0.ToUnixTimeMilliseconds(), state.LastNotified);
        var n = Assert.Single(result.Notifications);
        Assert.Equal(("delay-drift", "drift_high", AlertStates.Firing, "drift_share > 0.3", 0.3, false, "models:/delay@champion"),
            (n.MonitorName, n.AlertName, n.State, n.Rule, n.Threshold, n.Repeat, n.Model));
        Assert.Contains("drift_share = 0.42", n.Message);
    }

    [Fact]
    public void A_still_firing_alert_is_not_notified_again_within_its_cooldown()
    {
        var first = Eval([], new() { ["drift_share"] = 0.42 }, T0);
        var second = Eval(first.States, new() { ["drift_share"] = 0.5 }, T0.AddMinutes(59));

        Assert.Empty(second.Notifications);
        var state = Assert.Single(second.States);
        Assert.Equal((AlertStates.Firing, 0.5, T0.ToUnixTimeMilliseconds(), T0.ToUnixTimeMilliseconds()),
            (state.State, state.Value, state.Since, state.LastNotified));
    }

    [Fact]
    public void A_still_firing_alert_notifies_again_once_its_cooldown_has_passed()
    {
        var first = Eval([], new() { ["drift_share"] = 0.42 }, T0);
        var later = T0.AddHours(1);
        var again = Eval(first.States, new() { ["drift_share"] = 0.5 }, later);

        var n = Assert.Single(again.Notifications);
        Assert.True(n.Repeat);
        Assert.Equal(T0.ToUnixTimeMilliseconds(), n.Since); // the same episode
        Assert.Equal(later.ToUnixTimeMilliseconds(), Assert.Single(again.States).LastNotified);
    }

    [Fact]
    public void A_firing_alert_whose_rule_no_longer_holds_resolves_and_notifies()
    {
        var first = Eval([], new() { ["psi(Distance)"] = 0.35 }, T0);
        var resolved = Eval(first.States, new() { ["psi(Distance)"] = 0.05 }, T0.AddMinutes(5));

        var n = Assert.Single(resolved.Notifications);
        Assert.Equal((AlertStates.Resolved, "distance_psi", 0.05), (n.State, n.AlertName, n.Value));
        Assert.Contains("no longer", n.Message);
        Assert.Equal(AlertStates.Resolved, Assert.Single(resolved.States).State);

        // Still fine afterwards: nothing changes, nothing is sent.
        var quiet = Eval(resolved.States, new() { ["psi(Distance)"] = 0.01 }, T0.AddMinutes(10));
        Assert.Empty(quiet.States);
        Assert.Empty(quiet.Notifications);

        // Firing again starts a new episode and notifies at once, whatever the cool-down.
        var refire = Eval(resolved.States, new() { ["psi(Distance)"] = 0.4 }, T0.AddMinutes(15));
        Assert.Equal(T0.AddMinutes(15).ToUnixTimeMilliseconds(), Assert.Single(refire.Notifications).Since);
    }

    [Fact]
    public void A_value_missing_from_the_run_leaves_the_state_as_it_was()
    {
        var first = Eval([], new() { ["drift_share"] = 0.42 }, T0);
        var next = Eval(first.States, new() { ["psi(Distance)"] = 0.1 }, T0.AddHours(2));

        Assert.Empty(next.States);
        Assert.Empty(next.Notifications);

        var nan = Eval(first.States, new() { ["drift_share"] = double.NaN }, T0.AddHours(3));
        Assert.Empty(nan.States);
        Assert.Empty(nan.Notifications);
    }

    [Fact]
    public void A_serving_metric_rule_reads_the_value_the_integrator_put_in_the_run()
    {
        var result = AlertEvaluator.Evaluate("api", [new AlertRuleSpec("slow", "p99_latency_ms > 50")], [],
            new Dictionary<string, double> { ["p99_latency_ms"] = 80, ["error_rate"] = 0 }, T0);
        Assert.Equal("warning", Assert.Single(result.Notifications).Severity);
    }

    [Fact]
    public void A_malformed_rule_a_bad_severity_or_cooldown_is_a_clear_error()
    {
        var rule = Assert.Throws<CairnException>(() => AlertEvaluator.Evaluate("m", [new AlertRuleSpec("x", "drift_share >> 0.3")], [],
            new Dictionary<string, double>(), T0));
        Assert.Equal(ErrorCodes.InvalidParameterValue, rule.ErrorCode);
        Assert.Contains("Alert 'x'", rule.Message);
        Assert.Contains("'drift_share > 0.3'", rule.Message);

        var severity = Assert.Throws<CairnException>(() => AlertEvaluator.Evaluate("m", [new AlertRuleSpec("x", "auc < 0.7", "urgent")], [],
            new Dictionary<string, double>(), T0));
        Assert.Contains("critical, warning, info", severity.Message);

        var cooldown = Assert.Throws<CairnException>(() => AlertEvaluator.Evaluate("m", [new AlertRuleSpec("x", "auc < 0.7", "info", "soon")], [],
            new Dictionary<string, double>(), T0));
        Assert.Contains("cool-down of alert 'x'", cooldown.Message);
    }
}
