using Cairn.Monitoring;
using Cairn.Server.Ui.Monitors;

namespace Cairn.Server.Ui.Tests;

/// <summary>How the monitor pages read run values, link models and name destinations.</summary>
public sealed class MonitorViewTests
{
    [Theory]
    [InlineData("drift_score(Distance)", "drift_score", "Distance")]
    [InlineData("missing_rate(a (b))", "missing_rate", "a (b)")]
    [InlineData("psi(dep/delay)", "psi", "dep/delay")]
    public void Split_ReadsTheFunctionAndColumnOfAPerColumnKey(string key, string function, string column) =>
        Assert.Equal((function, column), FeatureValues.Split(key));

    [Theory]
    [InlineData("drift_share")]
    [InlineData("auc[Origin=SEA]")]
    [InlineData("Drift(x)")]
    public void Split_LeavesRunWideValuesAndSlicesAlone(string key) => Assert.Null(FeatureValues.Split(key));

    [Fact]
    public void Rows_OnePerColumn_DriftedFirst_ThenByName()
    {
        var rows = FeatureValues.Rows(new Dictionary<string, double>
        {
            ["drift_share"] = 0.5, ["auc"] = 0.8,
            ["drift_score(b)"] = 0.1, ["drift(b)"] = 0,
            ["drift_score(c)"] = 0.4, ["drift(c)"] = 1, ["psi(c)"] = 0.3,
            ["missing_rate(a)"] = 0.02, ["ks(z)"] = 0.5,
        });
        Assert.Equal(
            [new FeatureRow("c", 0.4, true, 0.3, null), new FeatureRow("a", null, null, null, 0.02), new FeatureRow("b", 0.1, false, null, null)],
            rows);
    }

    [Fact]
    public void FunctionsOf_TheMainOnesFirst_ThenTheRestByName()
    {
        var runs = new[]
        {
            new Dictionary<string, double> { ["wasserstein(x)"] = 1, ["psi(x)"] = 1, ["psi(y)"] = 1 },
            new Dictionary<string, double> { ["drift_score(x)"] = 1, ["ks_pvalue(x)"] = 1 },
        };
        Assert.Equal(["drift_score", "psi", "ks_pvalue", "wasserstein"], FeatureValues.FunctionsOf("x", runs));
        Assert.Empty(FeatureValues.FunctionsOf("nope", runs));
    }

    [Fact]
    public void Charts_OnePointPerRunWithTheValue_AtItsWindowEnd_InTimeOrder()
    {
        MonitorRun Run(long end, Dictionary<string, double> values) =>
            new("r" + end, "m", end.ToString(System.Globalization.CultureInfo.InvariantCulture), end - 1000, end, MonitorRunStatuses.Succeeded, null, null, values, null, end, end);
        var runs = new[] { Run(3000, new() { ["auc"] = 0.7 }), Run(2000, new() { ["rmse"] = 1 }), Run(1000, new() { ["auc"] = 0.9 }) };
        var chart = MonitorCharts.Over("auc", runs, "m")!;
        Assert.Equal(2, chart.PointsIn);
        Assert.Equal([1000.0, 3000.0], chart.X);
        Assert.Equal([0.9, 0.7], chart.Lines.Single().Values);
        Assert.Null(MonitorCharts.Over("f1", runs, "m"));
        Assert.Equal(["auc", "rmse"], MonitorCharts.Present(["drift_share", "auc", "rmse"], runs, "m").Select(c => c.MetricKey));
    }

    [Theory]
    [InlineData("models:/delay@champion", "/models/delay")]
    [InlineData("models:/delay/4", "/models/delay/versions/4")]
    [InlineData("models:/delay", "/models/delay")]
    [InlineData("models:/a b@x", "/models/a%20b")]
    [InlineData("runs:/abc/model", null)]
    [InlineData("javascript:alert(1)", null)]
    public void ModelLink_OnlyForModelUris(string model, string? link) => Assert.Equal(link, MonitorText.ModelLink(model));

    [Theory]
    [InlineData("https://hooks.slack.com/services/T0/B0/SECRET", "slack", "webhook, https://hooks.slack.com/…, format slack")]
    [InlineData("http://user:pass@am.local:9093/api/v2/alerts?token=x", null, "webhook, http://am.local:9093/…")]
    [InlineData("not a url", null, "webhook, (URL set)")]
    public void Destination_ShowsTheHost_NeverThePathQueryOrCredentials(string url, string? format, string expected) =>
        Assert.Equal(expected, MonitorText.Destination(new AlertDestination(AlertDestinationTypes.Webhook, url, format)));

    [Theory]
    [InlineData("critical", "severity severity-critical")]
    [InlineData("info", "severity severity-info")]
    [InlineData("x onmouseover", "severity severity-other")]
    public void SeverityClass_OnlyKnownSeveritiesNameAClass(string severity, string css) => Assert.Equal(css, MonitorText.SeverityClass(severity));
}
