using Cairn.Deployments.Experiments;

namespace Cairn.Deployments.Tests.Experiments;

/// <summary>Each test against numbers worked out here from the textbook formula or a printed table.</summary>
public class ClosedFormTests
{
    [Fact]
    public void Two_proportion_z_test_uses_the_pooled_error_for_z_and_the_unpooled_one_for_the_interval()
    {
        // 200/1000 against 250/1000.
        var r = TwoProportionZTest.Run(200, 1000, 250, 1000, 0.05);

        var pooledSe = Math.Sqrt(0.225 * 0.775 * (2.0 / 1000));
        var z = 0.05 / pooledSe;
        Assert.Equal(2.6774, z, 4);
        Assert.Equal(z, r.Statistic!.Value, 9);
        Assert.Equal(Reference.TwoSidedNormalP(z), r.PValue, 6);
        Assert.Equal(0.0074, r.PValue, 4);

        var unpooledSe = Math.Sqrt(0.2 * 0.8 / 1000 + 0.25 * 0.75 / 1000);
        Assert.Equal(0.05, r.Difference, 12);
        Assert.Equal(0.05 - Reference.Z975 * unpooledSe, r.DifferenceLow!.Value, 5);
        Assert.Equal(0.05 + Reference.Z975 * unpooledSe, r.DifferenceHigh!.Value, 5);

        // Delta method: Var(B/A) ≈ Var(B)/A² + B²Var(A)/A⁴.
        var liftSe = Math.Sqrt(0.25 * 0.75 / 1000 / 0.04 + 0.0625 * (0.2 * 0.8 / 1000) / 0.0016);
        Assert.Equal(0.25, r.RelativeLift!.Value, 12);
        Assert.Equal(0.25 - Reference.Z975 * liftSe, r.RelativeLiftLow!.Value, 5);
        Assert.Equal(0.25 + Reference.Z975 * liftSe, r.RelativeLiftHigh!.Value, 5);
    }

    [Fact]
    public void Z_test_just_inside_the_5_percent_boundary_is_significant_by_the_normal_tail()
    {
        // 5000/10000 against 5139/10000: z ≈ 1.966, just above 1.96, so p is just below 0.05.
        var r = TwoProportionZTest.Run(5000, 10000, 5139, 10000);
        var pooled = 10139.0 / 20000;
        var z = 0.0139 / Math.Sqrt(pooled * (1 - pooled) * 2.0 / 10000);
        Assert.Equal(z, r.Statistic!.Value, 9);
        Assert.Equal(Reference.TwoSidedNormalP(z), r.PValue, 6);
        Assert.InRange(r.PValue, 0.045, 0.05);
    }

    [Fact]
    public void Welch_t_test_with_two_samples_each_matches_the_closed_form_t_distribution_with_2_df()
    {
        // A = {1, 3}, B = {4, 6}: means 2 and 5, variances 2 and 2, SE² = 2/2 + 2/2 = 2, ν = 4 / (1 + 1) = 2.
        var r = WelchTTest.Run(SampleSummary.Of([1, 3]), SampleSummary.Of([4, 6]), 0.05);
        var t = 3 / Math.Sqrt(2);
        Assert.Equal(t, r.Statistic!.Value, 9);
        Assert.Equal(2, r.DegreesOfFreedom!.Value, 9);
        // With 2 df, P(|T| > t) = 1 − t/√(2 + t²).
        Assert.Equal(1 - t / Math.Sqrt(2 + t * t), r.PValue, 6);
        Assert.Equal(3 - Reference.T975With2Df * Math.Sqrt(2), r.DifferenceLow!.Value, 4);
        Assert.Equal(3 + Reference.T975With2Df * Math.Sqrt(2), r.DifferenceHigh!.Value, 4);
    }

    [Fact]
    public void Welch_interval_with_equal_arms_and_spreads_uses_the_t_table_value_for_20_df()
    {
        // Eleven samples each with the same spread: ν = 2(n − 1) = 20, where the table gives t = 2.085963.
        double[] a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        var b = a.Select(x => x + 2).ToArray();
        var r = WelchTTest.Run(SampleSummary.Of(a), SampleSummary.Of(b), 0.05);
        var se = Math.Sqrt(2 * 11.0 / 11);
        Assert.Equal(20, r.DegreesOfFreedom!.Value, 9);
        Assert.Equal(2 - Reference.T975With20Df * se, r.DifferenceLow!.Value, 5);
        Assert.Equal(2 + Reference.T975With20Df * se, r.DifferenceHigh!.Value, 5);
    }

    [Fact]
    public void Welch_t_test_with_unequal_variances_uses_the_Satterthwaite_degrees_of_freedom()
    {
        double[] a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
        double[] b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4, 23.0, 21.0];
        var (meanA, varA) = TwoPass(a);
        var (meanB, varB) = TwoPass(b);
        var (ea, eb) = (varA / a.Length, varB / b.Length);
        var df = (ea + eb) * (ea + eb) / (ea * ea / (a.Length - 1) + eb * eb / (b.Length - 1));

        var r = WelchTTest.Run(SampleSummary.Of(a), SampleSummary.Of(b));
        Assert.Equal((meanB - meanA) / Math.Sqrt(ea + eb), r.Statistic!.Value, 9);
        Assert.Equal(df, r.DegreesOfFreedom!.Value, 6);
        Assert.InRange(df, 14, 30); // Welch's bounds: min(nA, nB) − 1 ≤ ν ≤ nA + nB − 2
        Assert.InRange(r.PValue, 0.001, 0.05);
        Assert.True(r.DifferenceLow > 0 && r.DifferenceHigh > r.DifferenceLow);
        Assert.Equal(meanB / meanA - 1, r.RelativeLift!.Value, 9);
    }

    [Fact]
    public void Sample_ratio_chi_square_matches_the_hand_computed_value()
    {
        // 5000 vs 5400 on 50/50: expected 5200 each, χ² = 2 · 200² / 5200, and with 1 df p = erfc(√(χ²/2)).
        var r = SampleRatioMismatch.Check([("a", 5000), ("b", 5400)], new Dictionary<string, int> { ["a"] = 50, ["b"] = 50 });
        var chi = 2 * 200.0 * 200 / 5200;
        Assert.Equal(chi, r.ChiSquare, 9);
        Assert.Equal(1, r.DegreesOfFreedom);
        Assert.Equal(Reference.Erfc(Math.Sqrt(chi / 2)), r.PValue, 7);
        Assert.Equal(1, r.PValue / Reference.Erfc(Math.Sqrt(chi / 2)), 2);

        // Three variants on 20/30/50: 2 df, where the tail is exactly exp(−χ²/2).
        var three = SampleRatioMismatch.Check([("a", 1900), ("b", 3100), ("c", 5000)],
            new Dictionary<string, int> { ["a"] = 20, ["b"] = 30, ["c"] = 50 });
        var chi3 = 100.0 * 100 / 2000 + 100.0 * 100 / 3000 + 0;
        Assert.Equal(chi3, three.ChiSquare, 9);
        Assert.Equal(Math.Exp(-chi3 / 2), three.PValue, 9);
        Assert.Equal("20/30/50", three.Split);
    }

    [Fact]
    public void Sample_size_for_proportions_is_the_standard_formula_about_14750_for_10_to_11_percent()
    {
        var expected = Math.Pow(Reference.Z975 + Reference.Z80, 2) * (0.10 * 0.90 + 0.11 * 0.89) / (0.01 * 0.01);
        var n = SampleSize.ForProportions(0.10, 0.10, 0.05, 0.8);
        Assert.Equal(Math.Ceiling(expected), n, 1.0);
        Assert.InRange(n, 14_740, 14_760);
    }

    [Fact]
    public void Sample_size_for_means_is_the_standard_formula_with_a_common_sd()
    {
        // Baseline 100, sd 20, +5 %: δ = 5, n = (z + z)² · 2 · 400 / 25 ≈ 251.2 → 252.
        var expected = Math.Pow(Reference.Z975 + Reference.Z80, 2) * 2 * 400 / 25;
        Assert.Equal(Math.Ceiling(expected), SampleSize.ForMeans(100, 20, 0.05));
        // Power 0.9 needs more, a larger effect fewer.
        Assert.True(SampleSize.ForMeans(100, 20, 0.05, 0.05, 0.9) > 252);
        Assert.True(SampleSize.ForMeans(100, 20, 0.10) < 70);
    }

    [Theory]
    [InlineData(0.0, 0.1)]
    [InlineData(0.6, 1.0)] // 0.6 · 2 = 1.2 is not a rate
    [InlineData(0.1, 0.0)]
    public void Sample_size_refuses_effects_it_cannot_plan_for(double baseline, double effect)
    {
        var e = Assert.Throws<CairnException>(() => SampleSize.ForProportions(baseline, effect));
        Assert.Equal(ErrorCodes.InvalidParameterValue, e.ErrorCode);
    }

    [Fact]
    public void Msprt_interval_is_where_the_likelihood_ratio_stays_below_one_over_alpha()
    {
        // At the interval's ends Λ(θ₀) = 1/α exactly; inside it is below.
        const double v = 0.0004, tau2 = 0.0001, d = 0.05, alpha = 0.05;
        var step = MixtureSequentialTest.Evaluate(d, v, tau2, alpha);
        Assert.Equal(Math.Log(1 / alpha), MixtureSequentialTest.Evaluate(d, v, tau2, alpha, step.High!.Value).LogLikelihoodRatio, 9);
        Assert.Equal(Math.Log(1 / alpha), MixtureSequentialTest.Evaluate(d, v, tau2, alpha, step.Low!.Value).LogLikelihoodRatio, 9);
        Assert.True(MixtureSequentialTest.Evaluate(d, v, tau2, alpha, d).LogLikelihoodRatio < Math.Log(1 / alpha));
        // Λ by hand at θ₀ = 0.
        var logLambda = 0.5 * Math.Log(v / (v + tau2)) + tau2 * d * d / (2 * v * (v + tau2));
        Assert.Equal(logLambda, step.LogLikelihoodRatio, 12);
        Assert.Equal(Math.Min(1, Math.Exp(-logLambda)), step.PValue, 12);
    }

    [Fact]
    public void Always_valid_p_value_never_rises_and_the_interval_never_widens()
    {
        var tracker = new AlwaysValidTracker();
        tracker.Observe(new MsprtStep(3, 0.05, 0.01, 0.09));
        tracker.Observe(new MsprtStep(0.5, 0.6, -0.02, 0.05));
        Assert.Equal(0.05, tracker.PValue);
        Assert.Equal(0.01, tracker.Low);
        Assert.Equal(0.05, tracker.High);
        tracker.Observe(MsprtStep.Undecided);
        Assert.Equal(0.05, tracker.PValue);
        Assert.Equal(3, tracker.Looks);
    }

    private static (double Mean, double Variance) TwoPass(double[] x)
    {
        var mean = x.Sum() / x.Length;
        return (mean, x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
    }
}
