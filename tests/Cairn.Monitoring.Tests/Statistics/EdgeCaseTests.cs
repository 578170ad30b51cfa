namespace Cairn.Monitoring.Tests;

public class EdgeCaseTests
{
    [Fact]
    public void An_empty_current_window_gives_no_data_and_no_drift()
    {
        var reference = Samples.Numeric("x", Samples.Normal(1, 100));
        var current = new DatasetProfile();
        current.Numeric("x");
        var report = DriftCalculator.Compare(reference, current);
        var feature = report.Features[0];
        Assert.Equal(DriftVerdicts.NoData, feature.Verdict);
        Assert.False(feature.Drifted);
        Assert.True(double.IsNaN(feature.Statistic));
        Assert.False(report.Dataset.Drifted);
        Assert.Equal(0, report.Dataset.ComparedFeatures);
        var values = report.ToValues();
        Assert.Equal(0, values["drift(x)"]);
        Assert.Equal(0, values["dataset_drift"]);
        Assert.False(values.ContainsKey("drift_score(x)"));
        Assert.False(values.ContainsKey("ks(x)"));
        Assert.False(values.ContainsKey("drift_share"));
    }

    [Fact]
    public void A_column_missing_from_the_current_profile_is_no_data_when_listed()
    {
        var report = DriftCalculator.Compare(Samples.Numeric("x", Samples.Normal(1, 100)), new DatasetProfile(), features: ["x"]);
        Assert.Equal(DriftVerdicts.NoData, report.Features[0].Verdict);
    }

    [Fact]
    public void Nan_and_infinities_count_as_missing_and_an_all_missing_column_is_no_data()
    {
        var current = Samples.Numeric("x", [double.NaN, 1, double.PositiveInfinity, 2]);
        var profile = current.NumericColumns["x"];
        Assert.Equal(2, profile.Count);
        Assert.Equal(2, profile.Missing);

        var allMissing = Samples.Numeric("x", [double.NaN, double.NaN]);
        var reference = Samples.Numeric("x", Samples.Normal(2, 100));
        var report = DriftCalculator.Compare(reference, allMissing);
        Assert.Equal(DriftVerdicts.NoData, report.Features[0].Verdict);
        Assert.Equal(2, report.Features[0].CurrentMissing);
        var quality = QualityCalculator.Compare(reference, allMissing);
        Assert.Equal(1, quality.Columns[0].MissingRate);
        Assert.Equal(1, quality.ToValues()["missing_rate(x)"]);
    }

    [Fact]
    public void Nullable_numbers_count_null_as_missing()
    {
        var profile = new NumericProfile();
        var values = new double?[600];
        for (var i = 0; i < values.Length; i++) values[i] = i % 3 == 0 ? null : i;
        profile.AddNumbers(values);
        Assert.Equal(200, profile.Missing);
        Assert.Equal(400, profile.Count);
    }

    [Fact]
    public void Equal_constant_columns_do_not_drift_and_different_ones_do()
    {
        var five = Enumerable.Repeat(5.0, 2000).ToArray();
        var six = Enumerable.Repeat(6.0, 2000).ToArray();
        // By default so few values are compared as categories (below); as numbers here.
        var asNumbers = new DriftSettings(DriftMethods.Wasserstein);
        var same = DriftCalculator.Compare(Samples.Numeric("x", five), Samples.Numeric("x", five), asNumbers).Features[0];
        Assert.Equal(0, same.Statistics["ks"]);
        Assert.Equal(0, same.ErrorBounds["ks"]);
        Assert.Equal(0, same.Statistics["wasserstein"]);
        Assert.False(same.Drifted);
        var shifted = DriftCalculator.Compare(Samples.Numeric("x", five), Samples.Numeric("x", six), asNumbers).Features[0];
        Assert.Equal(1, shifted.Statistics["ks"]);
        Assert.True(double.IsPositiveInfinity(shifted.Statistics["wasserstein"]));
        Assert.True(shifted.Drifted);
    }

    [Fact]
    public void Constant_current_against_a_varied_reference_is_exact()
    {
        var reference = Samples.Normal(3, 3000);
        var current = Enumerable.Repeat(0.25, 1000).ToArray();
        var feature = DriftCalculator.Compare(Samples.Numeric("x", reference), Samples.Numeric("x", current)).Features[0];
        var exact = ExactDrift.KolmogorovSmirnov(reference, current).Statistic;
        Assert.InRange(exact, feature.Statistics["ks"] - 1e-12, feature.Statistics["ks"] + feature.ErrorBounds["ks"] + 1e-12);
        Assert.InRange(ExactDrift.WassersteinNormalized(reference, current),
            feature.Statistics["wasserstein"] - feature.ErrorBounds["wasserstein"] - 1e-12,
            feature.Statistics["wasserstein"] + feature.ErrorBounds["wasserstein"] + 1e-12);
    }

    [Fact]
    public void Zero_and_tiny_values_share_the_zero_bucket()
    {
        var feature = DriftCalculator.Compare(Samples.Numeric("x", [0, 0, 1e-12, -1e-12]), Samples.Numeric("x", [0, 0, 0, 0]),
            new DriftSettings(DriftMethods.KolmogorovSmirnov)).Features[0];
        Assert.Equal(0, feature.Statistics["ks"], 12);
        Assert.True(feature.ErrorBounds["ks"] > 0);
    }

    [Fact]
    public void Empty_categorical_window_is_no_data()
    {
        var report = DriftCalculator.Compare(Samples.Categorical("c", ["a", "b"]), Samples.Categorical("c", new string?[] { null, null }));
        Assert.Equal(DriftVerdicts.NoData, report.Features[0].Verdict);
        Assert.False(report.Features[0].Drifted);
    }

    [Fact]
    public void Numbers_with_at_most_five_values_are_compared_as_categories_by_default()
    {
        var reference = Samples.Integers(1, 3000, 3);
        var current = Samples.Integers(2, 3000, 4);
        var feature = DriftCalculator.Compare(Samples.Numeric("x", reference), Samples.Numeric("x", current)).Features[0];
        Assert.Equal((ColumnKinds.Categorical, DriftMethods.JensenShannon), (feature.Kind, feature.Method));
        string?[] Text(double[] values) => values.Select(v => (string?)v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(ExactDrift.JensenShannon(Text(reference), Text(current)), feature.Statistic, 12);
        var six = DriftCalculator.Compare(Samples.Numeric("x", reference), Samples.Numeric("x", Samples.Integers(3, 3000, 6))).Features[0];
        Assert.Equal(ColumnKinds.Numeric, six.Kind);
    }
}
