namespace Cairn.Monitoring.Tests;

public class DriftSettingsTests
{
    [Fact]
    public void Small_references_use_tests_and_large_ones_distances()
    {
        var small = DriftCalculator.Compare(Both(Samples.Normal(1, 1000), ["a"]), Both(Samples.Normal(2, 5000), ["a"]));
        Assert.Equal(DriftMethods.KolmogorovSmirnov, small.Features[0].Method);
        Assert.Equal(0.05, small.Features[0].Threshold);
        Assert.Equal(DriftMethods.ChiSquare, small.Features[1].Method);
        var large = DriftCalculator.Compare(Both(Samples.Normal(1, 1001), ["a"]), Both(Samples.Normal(2, 500), ["a"]));
        Assert.Equal(DriftMethods.Wasserstein, large.Features[0].Method);
        Assert.Equal(0.1, large.Features[0].Threshold);
        Assert.Equal(DriftMethods.JensenShannon, large.Features[1].Method);
    }

    [Fact]
    public void Per_feature_settings_choose_method_threshold_and_kind()
    {
        var reference = Both(Samples.Normal(1, 3000), ["a"]);
        reference.Numeric("code").AddNumbers(Samples.Integers(3, 3000, 4));
        var current = Both(Samples.Normal(2, 3000, 0.2), ["a"]);
        current.Numeric("code").AddNumbers(Samples.Integers(4, 3000, 5));
        var settings = new DriftSettings(PerFeature: new Dictionary<string, FeatureDriftSettings>
        {
            ["n"] = new(DriftMethods.Psi, 0.01),
            ["code"] = new(DriftMethods.ChiSquare, Kind: ColumnKinds.Categorical),
        });
        var report = DriftCalculator.Compare(reference, current, settings);
        var n = report.Features.Single(f => f.Column == "n");
        Assert.Equal((DriftMethods.Psi, 0.01), (n.Method, n.Threshold));
        Assert.Equal(n.Statistics["psi"], n.Statistic);
        Assert.Equal(n.Statistic >= 0.01, n.Drifted);
        var code = report.Features.Single(f => f.Column == "code");
        Assert.Equal((ColumnKinds.Categorical, DriftMethods.ChiSquare), (code.Kind, code.Method));
        // The value 4 is new in the current: chi-square is certain drift.
        Assert.True(code.Drifted);
        Assert.Equal(0, code.PValue);
    }

    [Fact]
    public void A_global_method_applies_where_it_fits_the_kind()
    {
        var report = DriftCalculator.Compare(Both(Samples.Normal(1, 3000), ["a"]), Both(Samples.Normal(2, 3000), ["a"]), new DriftSettings(DriftMethods.KolmogorovSmirnov));
        Assert.Equal(DriftMethods.KolmogorovSmirnov, report.Features[0].Method);
        Assert.Equal(DriftMethods.JensenShannon, report.Features[1].Method);
    }

    [Theory]
    [InlineData("n", "chisquare", null)]
    [InlineData("c", "ks", null)]
    [InlineData("n", "bogus", null)]
    [InlineData("n", null, "text")]
    public void Wrong_settings_are_user_errors(string column, string? method, string? kind)
    {
        var settings = new DriftSettings(PerFeature: new Dictionary<string, FeatureDriftSettings> { [column] = new(method, Kind: kind) });
        var error = Assert.Throws<CairnException>(() => DriftCalculator.Compare(Both([1, 2], ["a"]), Both([1, 2], ["a"]), settings));
        Assert.Equal(ErrorCodes.InvalidParameterValue, error.ErrorCode);
    }

    [Fact]
    public void A_numeric_kind_parses_categories_as_numbers()
    {
        var settings = new DriftSettings(PerFeature: new Dictionary<string, FeatureDriftSettings> { ["c"] = new(Kind: ColumnKinds.Numeric) });
        var report = DriftCalculator.Compare(Both([1], ["1", "2", "2.5"]), Both([1], ["1", "2", "3"]), settings);
        var c = report.Features.Single(f => f.Column == "c");
        Assert.Equal(ColumnKinds.Numeric, c.Kind);
        Assert.Equal(ExactDrift.KolmogorovSmirnov([1, 2, 2.5], [1, 2, 3]).Statistic, c.Statistics["ks"], 12);
        Assert.Throws<CairnException>(() => DriftCalculator.Compare(Both([1], ["x"]), Both([1], ["1"]), settings));
    }

    [Fact]
    public void The_dataset_drifts_at_the_drift_share()
    {
        var reference = new DatasetProfile();
        var current = new DatasetProfile();
        for (var k = 0; k < 4; k++)
        {
            reference.Numeric($"f{k}").AddNumbers(Samples.Normal(10 + k, 2000));
            current.Numeric($"f{k}").AddNumbers(Samples.Normal(20 + k, 2000, k < 2 ? 1.0 : 0));
        }
        var half = DriftCalculator.Compare(reference, current);
        Assert.Equal((0.5, 2, 4, true), (half.Dataset.DriftShare, half.Dataset.DriftedFeatures, half.Dataset.ComparedFeatures, half.Dataset.Drifted));
        var stricter = DriftCalculator.Compare(reference, current, new DriftSettings(DriftShare: 0.75));
        Assert.False(stricter.Dataset.Drifted);
        var values = half.ToValues();
        Assert.Equal(0.5, values["drift_share"]);
        Assert.Equal(2, values["drifted_features"]);
        Assert.Equal(1, values["dataset_drift"]);
    }

    private static DatasetProfile Both(double[] numbers, string?[] categories)
    {
        var profile = new DatasetProfile();
        profile.AddRows(numbers.Length);
        profile.Numeric("n").AddNumbers(numbers);
        // Categories repeat to the numbers' length, so both columns have the same rows.
        var filled = new string?[Math.Max(numbers.Length, categories.Length)];
        for (var i = 0; i < filled.Length; i++) filled[i] = categories[i % categories.Length];
        profile.Categorical("c").AddStrings(filled);
        return profile;
    }
}
