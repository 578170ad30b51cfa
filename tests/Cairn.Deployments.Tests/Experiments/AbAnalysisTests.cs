using System.Text.Json;
using Cairn.Deployments.Experiments;

namespace Cairn.Deployments.Tests.Experiments;

public class AbAnalysisTests
{
    private static readonly Dictionary<string, int> FiftyFifty = new() { ["a"] = 50, ["b"] = 50 };
    private static readonly AbTestSettings Conversion = new("conversion");

    /// <summary>Outcomes with exactly <paramref name="successes"/> ones, spread evenly so every prefix has about the same rate.</summary>
    private static double[] Rate(int n, int successes) =>
        Enumerable.Range(0, n).Select(i => (double)((long)(i + 1) * successes / n - (long)i * successes / n)).ToArray();

    [Fact]
    public void Sample_ratio_5000_against_5400_on_a_50_50_split_is_a_mismatch_and_5000_against_5050_is_not()
    {
        Assert.True(SampleRatioMismatch.Check([("a", 5000), ("b", 5400)], FiftyFifty).Mismatch);
        var fine = SampleRatioMismatch.Check([("a", 5000), ("b", 5050)], FiftyFifty);
        Assert.False(fine.Mismatch);
        Assert.InRange(fine.PValue, 0.5, 0.7);

        var report = AbAnalysis.Analyze(Conversion, [new("a", 5000, Rate(4000, 400)), new("b", 5400, Rate(4000, 400))], FiftyFifty);
        Assert.StartsWith("sample ratio mismatch: assignment does not follow the 50/50 split (p=8.8e-5); fix the split", report.Verdict);
    }

    [Fact]
    public void A_clear_winner_is_called_with_its_lift_and_always_valid_interval()
    {
        var report = AbAnalysis.Analyze(Conversion with { MinimumDetectableEffect = 0.1 },
            [new("a", 5000, Rate(5000, 500)), new("b", 5000, Rate(5000, 650))], FiftyFifty);
        var b = report.Variants[1];
        Assert.True(b.SignificantSequential);
        Assert.True(b.Significant);
        Assert.Equal(0.3, b.Lift!.Value, 9);
        Assert.True(b.SequentialLiftLow > 0 && b.SequentialLiftLow < b.LiftLow, "the always-valid interval is wider than the fixed one");
        Assert.Matches(@"^b beats a: \+30\.0% \(95% CI \+\d+\.\d% to \+\d+\.\d%\), always-valid p=", report.Verdict);
        Assert.Equal(14_749, b.RequiredSamples);
        Assert.Equal(b.RequiredSamples, report.Variants[0].RequiredSamples);
    }

    [Fact]
    public void A_worse_variant_is_called_worse()
    {
        var report = AbAnalysis.Analyze(Conversion, [new("a", 5000, Rate(5000, 650)), new("b", 5000, Rate(5000, 500))], FiftyFifty);
        Assert.StartsWith("b is worse than a: -23.1% (95% CI -", report.Verdict);
    }

    [Fact]
    public void Without_enough_samples_the_verdict_says_how_many_of_the_planned_are_in()
    {
        var report = AbAnalysis.Analyze(Conversion with { MinimumDetectableEffect = 0.1 },
            [new("a", 1000, Rate(1000, 100)), new("b", 1000, Rate(1000, 104))], FiftyFifty);
        Assert.StartsWith("no significant difference yet: 1,000 of 14,749 samples needed per variant; b vs a +4.0% (95% CI ", report.Verdict);
        Assert.False(report.Variants[1].SignificantSequential);
    }

    [Fact]
    public void Past_the_planned_sample_size_without_a_difference_the_verdict_says_so()
    {
        var planned = SampleSize.ForProportions(0.10, 0.5);
        var report = AbAnalysis.Analyze(Conversion with { MinimumDetectableEffect = 0.5 },
            [new("a", 2000, Rate(2000, 200)), new("b", 2000, Rate(2000, 200))], FiftyFifty);
        Assert.True(planned < 2000);
        Assert.StartsWith($"no significant difference after 2,000 samples per variant ({planned:N0} planned for a +50.0% lift): b vs a +0.0% (95% CI -", report.Verdict);
    }

    [Fact]
    public void The_control_can_be_named_and_an_unknown_control_is_refused()
    {
        var variants = new List<VariantOutcomes> { new("a", 10, Rate(10, 1)), new("b", 10, Rate(10, 2)) };
        Assert.Equal("b", AbAnalysis.Analyze(Conversion with { Control = "b" }, variants, FiftyFifty).Control);
        var e = Assert.Throws<CairnException>(() => AbAnalysis.Analyze(Conversion with { Control = "c" }, variants, FiftyFifty));
        Assert.Equal(ErrorCodes.InvalidParameterValue, e.ErrorCode);
        Assert.Contains("control 'c' is not a variant", e.Message);
        Assert.Contains("a, b", e.Message);
    }

    [Theory]
    [InlineData(AbMetricKinds.Proportion, new double[] { 0, 1, 2 }, "takes 0 or 1")]
    [InlineData(AbMetricKinds.Mean, new double[] { 1, double.NaN }, "non-finite outcome")]
    public void Outcomes_that_do_not_fit_the_metric_are_refused(string kind, double[] outcomes, string expected)
    {
        var e = Assert.Throws<CairnException>(() => AbAnalysis.Analyze(
            Conversion with { Kind = kind }, [new("a", 3, [0, 1, 1]), new("b", 3, outcomes)], FiftyFifty));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_variant_without_a_weight_or_an_unknown_kind_is_refused()
    {
        Assert.Contains("has no weight", Assert.Throws<CairnException>(() => AbAnalysis.Analyze(
            Conversion, [new("a", 1, [1]), new("c", 1, [0])], FiftyFifty)).Message);
        Assert.Contains("kind 'median' is unknown", Assert.Throws<CairnException>(() => AbAnalysis.Analyze(
            Conversion with { Kind = "median" }, [new("a", 1, [1])], FiftyFifty)).Message);
    }

    public static TheoryData<string, string, double[], double[]> EdgeCases => new()
    {
        { "no samples", AbMetricKinds.Proportion, [], [] },
        { "one sample each", AbMetricKinds.Mean, [3], [4] },
        { "rates 0 and 0", AbMetricKinds.Proportion, new double[200], new double[200] },
        { "rates 0 and 1", AbMetricKinds.Proportion, new double[200], Enumerable.Repeat(1.0, 200).ToArray() },
        { "rates 1 and 1", AbMetricKinds.Proportion, Enumerable.Repeat(1.0, 200).ToArray(), Enumerable.Repeat(1.0, 200).ToArray() },
        { "constant equal means", AbMetricKinds.Mean, Enumerable.Repeat(5.0, 100).ToArray(), Enumerable.Repeat(5.0, 100).ToArray() },
        { "constant different means", AbMetricKinds.Mean, Enumerable.Repeat(5.0, 100).ToArray(), Enumerable.Repeat(6.0, 100).ToArray() },
        { "control mean 0", AbMetricKinds.Mean, Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? -1.0 : 1.0).ToArray(), Enumerable.Range(0, 100).Select(i => i % 2 == 0 ? 0.0 : 2.0).ToArray() },
    };

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void Edge_cases_give_finite_numbers_and_a_verdict(string name, string kind, double[] a, double[] b)
    {
        var report = AbAnalysis.Analyze(new AbTestSettings("m", kind, MinimumDetectableEffect: 0.05),
            [new("a", a.Length, a), new("b", b.Length, b)], FiftyFifty);
        var json = JsonSerializer.Serialize(report, CairnJson.Options);
        Assert.DoesNotContain("NaN", json);
        Assert.DoesNotContain("Infinity", json);
        Assert.False(string.IsNullOrWhiteSpace(report.Verdict), name);
        Assert.DoesNotContain("NaN", AbAnalysis.ToText(report));
        var row = report.Variants[1];
        Assert.InRange(row.SequentialPValue!.Value, 0, 1);
        Assert.InRange(row.PValue!.Value, 0, 1);
    }

    [Fact]
    public void Tiny_tests_say_there_is_not_enough_data_and_the_rate_0_against_1_case_is_called()
    {
        var tiny = AbAnalysis.Analyze(new AbTestSettings("m", AbMetricKinds.Mean), [new("a", 1, [3]), new("b", 1, [4])], FiftyFifty);
        Assert.Equal("not enough data yet for b vs a: 1 and 1 samples, the sequential test starts at 30 per variant", tiny.Verdict);

        var extreme = AbAnalysis.Analyze(Conversion, [new("a", 200, new double[200]), new("b", 200, Enumerable.Repeat(1.0, 200).ToArray())], FiftyFifty);
        Assert.True(extreme.Variants[1].SignificantSequential);
        Assert.Null(extreme.Variants[1].Lift); // no lift over a rate of 0: the verdict gives the difference
        Assert.StartsWith("b beats a: +1 (95% CI +", extreme.Verdict);
    }

    [Fact]
    public void The_report_prints_as_snake_case_json_and_as_a_table()
    {
        var report = AbAnalysis.Analyze(Conversion with { MinimumDetectableEffect = 0.1 },
            [new("a", 5000, Rate(5000, 500)), new("b", 5000, Rate(5000, 650))], FiftyFifty);
        var json = JsonSerializer.Serialize(report, CairnJson.Options);
        Assert.Contains("\"sequential_p_value\":", json);
        Assert.Contains("\"sample_ratio\":{\"chi_square\":0,", json);
        Assert.Contains("\"required_samples\":14749", json);

        var text = AbAnalysis.ToText(report);
        Assert.Contains("A/B test on conversion (proportion), control a, alpha 0.05, minimum detectable effect +10.0%", text);
        Assert.Matches(@"\nb +5,000 +5,000 +0\.13 .* \+30\.0% ", text);
        Assert.Contains("sample ratio (50/50 split): chi-square 0, df 1, p=1 -> ok", text);
        Assert.Contains("verdict: b beats a: +30.0%", text);
    }

    [Fact]
    public void With_three_variants_each_is_compared_with_the_control()
    {
        var weights = new Dictionary<string, int> { ["a"] = 34, ["b"] = 33, ["c"] = 33 };
        var report = AbAnalysis.Analyze(Conversion,
            [new("a", 3400, Rate(3400, 340)), new("b", 3300, Rate(3300, 330)), new("c", 3300, Rate(3300, 500))], weights);
        Assert.Equal(3, report.Variants.Count);
        Assert.False(report.Variants[1].SignificantSequential);
        Assert.True(report.Variants[2].SignificantSequential);
        Assert.Matches(@"^no significant difference yet: b vs a \+0\.0% .*; c beats a: \+51\.5%", report.Verdict);
    }
}
