namespace Cairn.Monitoring.Tests;

public class ProfileTests
{
    [Fact]
    public void Merged_partial_profiles_equal_the_profile_of_the_concatenation()
    {
        var a = Samples.Normal(1, 3000, 2, 3);
        var b = Samples.LogNormal(2, 2000);
        var c = Samples.Integers(3, 1000, 5, -2);
        a[5] = double.NaN;
        string?[] ca = ["x", "y", null], cb = ["y", "z"], cc = ["x"];
        var whole = Build([.. a, .. b, .. c], [.. ca, .. cb, .. cc]);
        var merged = Build(a, ca);
        merged.Merge(Build(b, cb));
        merged.Merge(Build(c, cc));

        Assert.Equal(whole.Rows, merged.Rows);
        var (w, m) = (whole.NumericColumns["n"], merged.NumericColumns["n"]);
        Assert.Equal(w.Buckets().Ordinals, m.Buckets().Ordinals);
        Assert.Equal(w.Buckets().Counts, m.Buckets().Counts);
        Assert.Equal((w.Count, w.Missing, w.Min, w.Max), (m.Count, m.Missing, m.Min, m.Max));
        Assert.Equal(w.Mean, m.Mean, 10);
        Assert.Equal(w.StandardDeviation, m.StandardDeviation, 10);
        Assert.Null(w.DistinctValues);
        Assert.Null(m.DistinctValues);
        var (wc, mc) = (whole.CategoricalColumns["c"], merged.CategoricalColumns["c"]);
        Assert.Equal(wc.Counts.OrderBy(p => p.Key), mc.Counts.OrderBy(p => p.Key));
        Assert.Equal((wc.Count, wc.Missing), (mc.Count, mc.Missing));
        // The same drift either way.
        var reference = Build(Samples.Normal(4, 2000), ["x", "y"]);
        Assert.Equal(DriftCalculator.Compare(reference, whole).Features[0].Statistics["ks"], DriftCalculator.Compare(reference, merged).Features[0].Statistics["ks"]);
    }

    [Fact]
    public void A_profile_survives_a_json_round_trip()
    {
        var profile = Build(Samples.Normal(5, 1000, -1, 4), ["a", "b", null, "a"]);
        profile.Numeric("n").AddTypeViolations(3);
        profile.Numeric("codes").AddNumbers([1, 2, 2, 3]);
        var json = profile.ToJson();
        var restored = DatasetProfile.FromJson(json);
        Assert.Equal(json, restored.ToJson());
        Assert.Equal(3, restored.NumericColumns["n"].TypeViolations);
        Assert.Equal(2, restored.NumericColumns["codes"].DistinctValues![2.0]);
        var reference = Build(Samples.Normal(6, 1000), ["a"]);
        Assert.Equal(DriftCalculator.Compare(reference, profile).ToValues(), DriftCalculator.Compare(reference, restored).ToValues());
    }

    [Fact]
    public void An_empty_profile_survives_a_json_round_trip()
    {
        var profile = new DatasetProfile();
        profile.Numeric("n");
        profile.Categorical("c");
        var restored = DatasetProfile.FromJson(profile.ToJson());
        Assert.Equal(0, restored.NumericColumns["n"].Count);
        Assert.True(double.IsNaN(restored.NumericColumns["n"].Min));
    }

    [Fact]
    public void Invalid_json_is_a_user_error() =>
        Assert.Equal(ErrorCodes.InvalidParameterValue, Assert.Throws<CairnException>(() => DatasetProfile.FromJson("{\"version\": 1")).ErrorCode);

    [Fact]
    public void Categories_past_the_cap_are_counted_as_other()
    {
        var profile = new CategoricalProfile();
        var values = new string?[CategoricalProfile.MaxDistinct + 10];
        for (var i = 0; i < values.Length; i++) values[i] = $"v{i}";
        profile.AddStrings(values);
        profile.AddString("v0");
        Assert.Equal(CategoricalProfile.MaxDistinct, profile.Counts.Count);
        Assert.Equal(10, profile.Other);
        Assert.Equal(values.Length + 1, profile.Count);
        Assert.Equal(2, profile.Counts["v0"]);
    }

    [Fact]
    public void A_column_has_one_kind_in_a_profile()
    {
        var profile = new DatasetProfile();
        profile.Numeric("x");
        Assert.Throws<CairnException>(() => profile.Categorical("x"));
    }

    [Fact]
    public void Reports_with_infinite_and_missing_statistics_survive_json()
    {
        var settings = new DriftSettings(PerFeature: new Dictionary<string, FeatureDriftSettings> { ["c"] = new(DriftMethods.ChiSquare) });
        var current = Build([double.NaN], ["zzz"]);
        var report = DriftCalculator.Compare(Build([1, 2, 3], ["a"]), current, settings);
        Assert.True(double.IsPositiveInfinity(report.Features.Single(f => f.Column == "c").Statistic));
        var json = ReportJson.Serialize(report);
        var back = ReportJson.Deserialize<DriftReport>(json)!;
        Assert.True(double.IsPositiveInfinity(back.Features.Single(f => f.Column == "c").Statistic));
        Assert.Equal(DriftVerdicts.NoData, back.Features.Single(f => f.Column == "n").Verdict);
        Assert.Contains("\"drift_share\"", json);
    }

    [Fact]
    public void A_profile_is_not_merged_into_itself()
    {
        var profile = Build([1, 2], ["a"]);
        Assert.Throws<ArgumentException>(() => profile.Merge(profile));
    }

    private static DatasetProfile Build(double[] numbers, string?[] categories)
    {
        var profile = new DatasetProfile();
        profile.AddRows(numbers.Length);
        profile.Numeric("n").AddNumbers(numbers);
        profile.Categorical("c").AddStrings(categories);
        return profile;
    }
}
