using Cairn.Monitoring;

namespace Cairn.Monitoring.Tests.Alerts;

public class AlertRoutingTests
{
    private static MonitorSpec Spec(IReadOnlyList<AlertRuleSpec>? alerts = null, params AlertDestination[] destinations) =>
        new("delay-drift", "models:/delay@champion", Alerts: alerts ?? [new AlertRuleSpec("drift_high", "drift_share > 0.3")], Destinations: destinations);

    [Fact]
    public void A_complete_monitor_passes()
    {
        AlertRouting.Validate(Spec(null,
            new AlertDestination(AlertDestinationTypes.Webhook, "https://hooks.slack.com/services/T/B/X", "slack"),
            new AlertDestination(AlertDestinationTypes.Alertmanager, "http://alertmanager:9093"),
            new AlertDestination(AlertDestinationTypes.Log),
            new AlertDestination(AlertDestinationTypes.ModelVersion),
            new AlertDestination(AlertDestinationTypes.Pipeline, Trigger: "retrain")));
    }

    [Theory]
    [InlineData("email", null, null, null, "type 'email'")]
    [InlineData("webhook", null, null, null, "absolute http or https URL")]
    [InlineData("webhook", "ftp://host/x", null, null, "absolute http or https URL")]
    [InlineData("webhook", "hooks.local/x", null, null, "absolute http or https URL")]
    [InlineData("webhook", "http://hooks.local/x", "teams", null, "format 'teams'")]
    [InlineData("alertmanager", "file:///etc/passwd", null, null, "absolute http or https URL")]
    [InlineData("pipeline", null, null, null, "no trigger")]
    public void A_bad_destination_is_refused_with_what_to_write(string type, string? url, string? format, string? trigger, string expected)
    {
        var e = Assert.Throws<CairnException>(() => AlertRouting.Validate(Spec(null, new AlertDestination(type, url, format, trigger))));
        Assert.Equal(ErrorCodes.InvalidParameterValue, e.ErrorCode);
        Assert.Contains(expected, e.Message);
        Assert.Contains("destinations[0]", e.Message);
    }

    [Fact]
    public void Bad_alerts_are_refused()
    {
        Assert.Contains("two alerts named", Assert.Throws<CairnException>(() => AlertRouting.Validate(Spec(
            [new AlertRuleSpec("a", "auc < 0.7"), new AlertRuleSpec("a", "rmse > 3")]))).Message);
        Assert.Contains("Invalid alert name", Assert.Throws<CairnException>(() => AlertRouting.Validate(Spec(
            [new AlertRuleSpec("has space", "auc < 0.7")]))).Message);
        Assert.Contains("write a value, an operator", Assert.Throws<CairnException>(() => AlertRouting.Validate(Spec(
            [new AlertRuleSpec("a", "auc below 0.7")]))).Message);
        Assert.Contains("severity 'high'", Assert.Throws<CairnException>(() => AlertRouting.Validate(Spec(
            [new AlertRuleSpec("a", "auc < 0.7", "high")]))).Message);
        Assert.Contains("cool-down", Assert.Throws<CairnException>(() => AlertRouting.Validate(Spec(
            [new AlertRuleSpec("a", "auc < 0.7", "info", "0s")]))).Message);
    }
}
