namespace Cairn.Monitoring.Tests;

public class FormulaTests
{
    [Theory]
    // scipy.stats.kstwobign.sf
    [InlineData(1.36, 0.0494858768)]
    [InlineData(1.0, 0.2699996717)]
    [InlineData(0.5, 0.9639452437)]
    [InlineData(2.0, 0.0006709253)]
    public void Kolmogorov_survival_matches_known_values(double lambda, double expected) =>
        Assert.Equal(expected, KolmogorovDistribution.Survival(lambda), 8);

    [Fact]
    public void Kolmogorov_survival_is_one_at_zero_and_continuous_where_the_series_switch()
    {
        Assert.Equal(1, KolmogorovDistribution.Survival(0));
        Assert.Equal(KolmogorovDistribution.Survival(1.18 - 1e-9), KolmogorovDistribution.Survival(1.18 + 1e-9), 7);
    }

    [Fact]
    public void Two_sample_p_value_uses_the_effective_sample_size() =>
        // n = m = 200: effective n = 100, so D = 0.136 is λ = 1.36.
        Assert.Equal(0.0494858768, KolmogorovDistribution.TwoSamplePValue(0.136, 200, 200), 8);

    [Fact]
    public void Psi_of_two_bins_matches_the_hand_computed_value() =>
        // (0.25 − 0.5)·ln(0.25/0.5) + (0.75 − 0.5)·ln(0.75/0.5)
        Assert.Equal(0.2746530722, DriftFormulas.Psi([50, 50], [25, 75]), 9);

    [Fact]
    public void Psi_raises_empty_bins_to_a_small_share()
    {
        var psi = DriftFormulas.Psi([100, 0], [50, 50]);
        Assert.Equal((0.5 - 1) * Math.Log(0.5) + (0.5 - 0.0001) * Math.Log(0.5 / 0.0001), psi, 9);
    }

    [Fact]
    public void Jensen_shannon_matches_scipy() =>
        // scipy.spatial.distance.jensenshannon([0.5, 0.5], [0.25, 0.75])
        Assert.Equal(0.1839077909, DriftFormulas.JensenShannon([50, 50], [25, 75]), 9);

    [Fact]
    public void Chi_square_matches_the_hand_computed_values()
    {
        var (statistic, p) = DriftFormulas.ChiSquare([50, 50], [30, 70]);
        Assert.Equal(16, statistic, 9);
        Assert.Equal(6.334248367e-05, p, 12);
        // Reference shares scaled to the current total: expected 30, 30, 40 against 20, 30, 50; 2 degrees of freedom.
        (statistic, p) = DriftFormulas.ChiSquare([300, 300, 400], [20, 30, 50]);
        Assert.Equal(5.833333333, statistic, 8);
        Assert.Equal(0.0541137662, p, 9);
    }

    [Fact]
    public void Chi_square_of_a_category_the_reference_never_had_is_certain_drift()
    {
        var (statistic, p) = DriftFormulas.ChiSquare([10, 0], [10, 1]);
        Assert.True(double.IsPositiveInfinity(statistic));
        Assert.Equal(0, p);
    }

    [Fact]
    public void Exact_ks_and_wasserstein_match_hand_computed_values()
    {
        var (d, _) = ExactDrift.KolmogorovSmirnov([1, 2, 3, 4], [3, 4, 5, 6]);
        Assert.Equal(0.5, d, 12);
        Assert.Equal(1.0, ExactDrift.Wasserstein([0, 1], [1, 2]), 12);
        // Ties across the samples move both CDFs together: identical samples have D = 0.
        Assert.Equal(0, ExactDrift.KolmogorovSmirnov([1, 1, 2, 2], [2, 1, 2, 1]).Statistic);
        Assert.Equal(0.25, ExactDrift.Wasserstein([0, 0, 1, 1], [0, 1, 1, 1]), 12);
    }

    [Fact]
    public void Exact_wasserstein_is_normalised_by_the_reference_population_deviation() =>
        // Reference 0, 2 (std 1), current 2, 4: distance 2.
        Assert.Equal(2, ExactDrift.WassersteinNormalized([0, 2], [2, 4]), 12);
}
