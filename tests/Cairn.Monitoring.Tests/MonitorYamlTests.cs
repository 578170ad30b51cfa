using Cairn.Monitoring;

namespace Cairn.Monitoring.Tests;

public sealed class MonitorYamlTests
{
    [Fact]
    public void Parse_EveryField_ReadsTheSpec()
    {
        var spec = MonitorYaml.Parse("""
            name: delay-drift
            model: models:/delay@champion
            reference: window:-7d..-6d
            window: 30m
            schedule: "0 * * * *"
            time_zone: Europe/Paris
            inference_log: /var/log/cairn
            features: [Distance, Origin]
            drift: {method: ks, threshold: 0.05, drift_share: 0.3}
            performance: {task: regression, prediction: delay, slices: [Origin]}
            alerts:
              - {name: drift, rule: "drift_share > 0.3", severity: info, cooldown: 2h}
            destinations:
              - {type: pipeline, trigger: retrain}
            description: ~
            """, "m.yaml");

        Assert.Equal(("delay-drift", "window:-7d..-6d", "30m", "Europe/Paris", "/var/log/cairn"), (spec.Name, spec.Reference, spec.Window, spec.TimeZone, spec.InferenceLog));
        Assert.Equal(new DriftSettings("ks", 0.05, 0.3), spec.Drift);
        Assert.Equal(("regression", "delay"), (spec.Performance!.Task, spec.Performance.Prediction));
        Assert.Equal(new AlertRuleSpec("drift", "drift_share > 0.3", "info", "2h"), spec.Alerts!.Single());
        Assert.Equal("retrain", spec.Destinations!.Single().Trigger);
        Assert.Null(spec.Description);
        Assert.Equal(spec with { }, MonitorSpecRules.Validate(spec) with { Features = spec.Features, Alerts = spec.Alerts, Destinations = spec.Destinations });
    }

    [Theory]
    [InlineData("name: m\nmodel: models:/d/1\nwindw: 1h\n", "unknown key 'windw'")]
    [InlineData("name: m\nmodel: models:/d/1\nalerts:\n  - {name: a, rul: x}\n", "unknown key 'alerts[0].rul'")]
    [InlineData("name: m\nmodel: models:/d/1\ndrift: {drift_share: half}\n", "'drift.drift_share' has the wrong type")]
    [InlineData("name: m\n  model: [\n", "not valid YAML")]
    [InlineData("- a\n- b\n", "a mapping of keys")]
    public void Parse_Bad_NamesTheProblem(string yaml, string message)
    {
        var e = Assert.Throws<CairnException>(() => MonitorYaml.Parse(yaml, "m.yaml"));
        Assert.Equal(ErrorCodes.InvalidParameterValue, e.ErrorCode);
        Assert.Contains("m.yaml", e.Message);
        Assert.Contains(message, e.Message);
    }
}
