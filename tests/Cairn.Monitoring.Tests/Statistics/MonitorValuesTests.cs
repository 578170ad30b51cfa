namespace Cairn.Monitoring.Tests;

public class MonitorValuesTests
{
    [Fact]
    public void All_reports_give_the_value_names_alert_rules_read()
    {
        var reference = new DatasetProfile();
        reference.AddRows(3000);
        reference.Numeric("Distance").AddNumbers(Samples.Normal(1, 3000, 800, 200));
        reference.Categorical("Origin").AddStrings(Samples.Categories(2, 3000, ["JFK", "LAX"], [1, 1]));
        var current = new DatasetProfile();
        current.AddRows(2000);
        current.Numeric("Distance").AddNumbers(Samples.Normal(3, 2000, 900, 200));
        current.Categorical("Origin").AddStrings(Samples.Categories(4, 2000, ["JFK", "LAX", "SFO"], [1, 1, 1]));

        var settings = new DriftSettings(PerFeature: new Dictionary<string, FeatureDriftSettings> { ["Origin"] = new(DriftMethods.ChiSquare) });
        var drift = DriftCalculator.Compare(reference, current, settings);
        var quality = QualityCalculator.Compare(reference, current, expectedRows: 2500);
        var performance = PerformanceCalculator.Compute(new PerformanceSettings(), [0.2, 0.8], [0, 1]);
        var values = MonitorValues.From(drift, quality, performance);

        string[] expected =
        [
            "drift_share", "drifted_features", "dataset_drift", "rows", "reference_rows", "volume_ratio",
            "drift(Distance)", "drift_score(Distance)", "ks(Distance)", "ks_pvalue(Distance)", "psi(Distance)", "wasserstein(Distance)",
            "jensenshannon(Distance)", "missing_rate(Distance)", "out_of_range(Distance)", "type_violations(Distance)",
            "drift(Origin)", "drift_score(Origin)", "chisquare(Origin)", "chisquare_pvalue(Origin)", "psi(Origin)", "jensenshannon(Origin)",
            "missing_rate(Origin)", "unseen_rate(Origin)", "type_violations(Origin)",
            "auc", "accuracy", "precision", "recall", "f1", "log_loss", "labelled_rows",
        ];
        foreach (var name in expected) Assert.True(values.ContainsKey(name), $"missing {name}");
        Assert.Equal(2000, values["rows"]);
        Assert.Equal(3000, values["reference_rows"]);
        Assert.Equal(values["wasserstein(Distance)"], values["drift_score(Distance)"]);
        Assert.Equal(values["chisquare(Origin)"], values["drift_score(Origin)"]);
        Assert.Equal(1, values["drift(Distance)"]);
        Assert.Equal(0.8, values["volume_ratio"], 12);
        Assert.False(values.ContainsKey("chisquare(Distance)"));
        Assert.False(values.ContainsKey("rmse"));
    }

    [Fact]
    public void Feature_reports_carry_what_a_plot_needs()
    {
        var drift = DriftCalculator.Compare(Samples.Numeric("x", Samples.Normal(1, 3000)), Samples.Numeric("x", Samples.Normal(2, 3000, 1)));
        var feature = drift.Features[0];
        Assert.Equal(21, feature.Histogram.Edges.Count);
        Assert.Equal(1, feature.Histogram.Reference.Sum(), 9);
        Assert.Equal(1, feature.Histogram.Current.Sum(), 9);
        Assert.Equal(3000, feature.ReferenceRows);

        var categories = Samples.Categories(3, 1000, Enumerable.Range(0, 30).Select(i => $"v{i}").ToArray(), Enumerable.Repeat(1.0, 30).ToArray());
        var cat = DriftCalculator.Compare(Samples.Categorical("c", categories), Samples.Categorical("c", categories)).Features[0];
        Assert.Equal(20, cat.Histogram.Categories!.Count);
        Assert.Equal(DriftCalculator.OtherCategory, cat.Histogram.Categories[^1]);
        Assert.Equal(1, cat.Histogram.Reference.Sum(), 9);
    }
}
