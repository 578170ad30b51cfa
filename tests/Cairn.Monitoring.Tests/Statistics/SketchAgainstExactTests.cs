namespace Cairn.Monitoring.Tests;

/// <summary>Every statistic from the profiles against <see cref="ExactDrift"/> on the raw values, within the stated bounds.</summary>
public class SketchAgainstExactTests
{
    public static TheoryData<string, double[], double[]> NumericCases() => new()
    {
        { "same normal", Samples.Normal(1, 5000), Samples.Normal(2, 4000) },
        { "shifted normal", Samples.Normal(3, 5000), Samples.Normal(4, 5000, mean: 0.3) },
        { "wider normal", Samples.Normal(5, 3000, 10, 2), Samples.Normal(6, 3000, 10, 3) },
        { "lognormal shifted", Samples.LogNormal(7, 4000), Samples.LogNormal(8, 4000, mu: 0.2) },
        { "offset mean", Samples.Normal(9, 4000, 100, 1), Samples.Normal(10, 4000, 100.5, 1) },
        { "ties: small integers", Samples.Integers(11, 5000, 10), Samples.Integers(12, 5000, 12) },
        { "ties: crossing zero", Samples.Integers(13, 2000, 7, -3), Samples.Integers(14, 2000, 7, -2) },
        { "small samples", Samples.Normal(15, 60), Samples.Normal(16, 40, 0.5) },
    };

    [Theory]
    [MemberData(nameof(NumericCases))]
    public void Numeric_statistics_are_within_their_bounds_of_the_exact_values(string name, double[] reference, double[] current)
    {
        var report = DriftCalculator.Compare(Samples.Numeric("x", reference), Samples.Numeric("x", current));
        var feature = Assert.Single(report.Features);
        var s = feature.Statistics;
        var bounds = feature.ErrorBounds;

        var (ks, _) = ExactDrift.KolmogorovSmirnov(reference, current);
        Assert.True(s["ks"] <= ks + 1e-12 && ks <= s["ks"] + bounds["ks"] + 1e-12,
            $"{name}: KS {s["ks"]} + {bounds["ks"]} does not hold the exact {ks}");
        var exactP = KolmogorovDistribution.TwoSamplePValue(ks, reference.Length, current.Length);
        Assert.True(Math.Abs(s["ks_pvalue"] - exactP) <= bounds["ks_pvalue"] + 1e-12, $"{name}: p {s["ks_pvalue"]} vs {exactP}");

        var wasserstein = ExactDrift.WassersteinNormalized(reference, current);
        Assert.True(Math.Abs(s["wasserstein"] - wasserstein) <= bounds["wasserstein"] + 1e-12,
            $"{name}: Wasserstein {s["wasserstein"]} ± {bounds["wasserstein"]} vs exact {wasserstein}");

        var edges = DriftCalculator.PsiEdges(Samples.Numeric("x", reference).NumericColumns["x"]);
        Assert.Equal(ExactDrift.Psi(reference, current, edges), s["psi"], 9);
        Assert.Equal(ExactDrift.JensenShannon(reference, current, edges), s["jensenshannon"], 9);
    }

    [Fact]
    public void Bounds_are_small_for_a_thousand_rows_or_more()
    {
        var report = DriftCalculator.Compare(Samples.Numeric("x", Samples.Normal(21, 20_000)), Samples.Numeric("x", Samples.Normal(22, 20_000, 0.1)));
        var bounds = report.Features[0].ErrorBounds;
        Assert.InRange(bounds["ks"], 0, 0.005);
        Assert.InRange(bounds["wasserstein"], 0, 0.005);
    }

    [Fact]
    public void Psi_bins_are_the_reference_deciles_within_a_bucket()
    {
        var reference = Samples.Normal(23, 10_000, 5, 1);
        var edges = DriftCalculator.PsiEdges(Samples.Numeric("x", reference).NumericColumns["x"]);
        var sorted = reference.Order().ToArray();
        Assert.Equal(10, edges.Length);
        for (var k = 1; k < 10; k++)
        {
            var decile = sorted[k * sorted.Length / 10 - 1];
            Assert.InRange(edges[k - 1], decile, decile * LogBuckets.Gamma);
        }
    }

    [Fact]
    public void Categorical_statistics_equal_the_exact_ones_below_the_cap()
    {
        string[] values = ["a", "b", "c", "d", "e"];
        var reference = Samples.Categories(31, 3000, values, [5, 3, 1, 1, 0.5]);
        var current = Samples.Categories(32, 2000, [.. values, "f"], [4, 3, 2, 1, 0.5, 0.2]);
        current[0] = null;
        var report = DriftCalculator.Compare(Samples.Categorical("c", reference), Samples.Categorical("c", current));
        var s = report.Features[0].Statistics;
        var (chi, p) = ExactDrift.ChiSquare(reference, current);
        Assert.Equal(chi, s["chisquare"]);
        Assert.Equal(p, s["chisquare_pvalue"]);
        Assert.Equal(ExactDrift.Psi(reference, current), s["psi"], 12);
        Assert.Equal(ExactDrift.JensenShannon(reference, current), s["jensenshannon"], 12);
        Assert.Equal(0, report.Features[0].ErrorBound);
        Assert.Equal(1, report.Features[0].CurrentMissing);
    }

    [Fact]
    public void Categorical_chi_square_without_unseen_values_matches_the_exact_p_value()
    {
        string[] values = ["x", "y", "z"];
        var reference = Samples.Categories(33, 800, values, [1, 1, 1]);
        var current = Samples.Categories(34, 500, values, [1.3, 1, 0.8]);
        var report = DriftCalculator.Compare(Samples.Categorical("c", reference), Samples.Categorical("c", current));
        var feature = report.Features[0];
        Assert.Equal(DriftMethods.ChiSquare, feature.Method);
        Assert.Equal(ExactDrift.ChiSquare(reference, current).PValue, feature.PValue!.Value, 12);
        Assert.Equal(feature.PValue < 0.05, feature.Drifted);
    }

    [Fact]
    public void Out_of_range_is_within_its_bound_of_the_exact_share()
    {
        var reference = Samples.Normal(41, 5000);
        var current = Samples.Normal(42, 5000, 0.8, 1.2);
        var quality = QualityCalculator.Compare(Samples.Numeric("x", reference), Samples.Numeric("x", current));
        var column = quality.Columns[0];
        var exact = ExactDrift.OutOfRange(reference, current);
        Assert.True(exact > 0.001);
        Assert.True(Math.Abs(column.OutOfRange!.Value - exact) <= column.OutOfRangeBound!.Value + 1e-12,
            $"out of range {column.OutOfRange} ± {column.OutOfRangeBound} vs exact {exact}");
    }
}
