using Xunit.Abstractions;
using Cairn.Deployments.Experiments;

namespace Cairn.Deployments.Tests.Experiments;

/// <summary>
/// Simulated experiments with fixed seeds: what the tests promise (error rates, power) measured,
/// not assumed. The numbers are quoted in docs/deployments-statistics.md.
/// </summary>
public class SimulationTests(ITestOutputHelper output)
{
    private const int Experiments = 2000;
    private const int PeekEvery = 50;
    private const double Alpha = 0.05;

    [Fact]
    public void Aa_test_on_proportions_peeked_every_50_up_to_5000_keeps_msprt_below_alpha_while_naive_z_tests_do_not()
    {
        var random = new Random(20260101);
        const double rate = 0.10;
        var tau2 = MixingVariance.Default(rate, rate * (1 - rate), relativeEffect: 0.10);
        int msprtFalse = 0, naiveFalse = 0;
        for (var e = 0; e < Experiments; e++)
        {
            long xA = 0, xB = 0, n = 0;
            var tracker = new AlwaysValidTracker();
            var naive = false;
            while (n < 5000)
            {
                xA += Reference.Binomial(random, PeekEvery, rate);
                xB += Reference.Binomial(random, PeekEvery, rate);
                n += PeekEvery;
                tracker.Observe(MixtureSequentialTest.ForProportions(xA, n, xB, n, tau2, Alpha));
                naive |= TwoProportionZTest.Run(xA, n, xB, n, Alpha).PValue < Alpha;
            }
            if (tracker.PValue < Alpha) msprtFalse++;
            if (naive) naiveFalse++;
        }
        var msprtRate = (double)msprtFalse / Experiments;
        var naiveRate = (double)naiveFalse / Experiments;
        output.WriteLine($"false positives under peeking: mSPRT {msprtRate:P2}, naive {naiveRate:P2}");
        Assert.True(msprtRate <= Alpha + 0.01, $"mSPRT false-positive rate under peeking {msprtRate:P1}");
        Assert.True(naiveRate >= 2 * Alpha, $"naive peeking false-positive rate {naiveRate:P1}");
    }

    [Fact]
    public void Aa_test_on_means_peeked_every_50_up_to_2000_keeps_msprt_below_alpha_while_naive_welch_tests_do_not()
    {
        var random = new Random(424242);
        const double mean = 10, sd = 3;
        var tau2 = MixingVariance.Default(mean, sd * sd, relativeEffect: 0.05);
        int msprtFalse = 0, naiveFalse = 0;
        for (var e = 0; e < Experiments; e++)
        {
            var a = new Running();
            var b = new Running();
            var tracker = new AlwaysValidTracker();
            var naive = false;
            while (a.Count < 2000)
            {
                for (var i = 0; i < PeekEvery; i++)
                {
                    a.Add(mean + sd * Reference.Gaussian(random));
                    b.Add(mean + sd * Reference.Gaussian(random));
                }
                tracker.Observe(MixtureSequentialTest.ForMeans(a.Summary, b.Summary, tau2, Alpha));
                naive |= WelchTTest.Run(a.Summary, b.Summary, Alpha).PValue < Alpha;
            }
            if (tracker.PValue < Alpha) msprtFalse++;
            if (naive) naiveFalse++;
        }
        var msprtRate = (double)msprtFalse / Experiments;
        var naiveRate = (double)naiveFalse / Experiments;
        output.WriteLine($"false positives under peeking: mSPRT {msprtRate:P2}, naive {naiveRate:P2}");
        Assert.True(msprtRate <= Alpha + 0.01, $"mSPRT false-positive rate under peeking {msprtRate:P1}");
        Assert.True(naiveRate >= 2 * Alpha, $"naive peeking false-positive rate {naiveRate:P1}");
    }

    [Fact]
    public void Aa_tests_through_the_report_rarely_call_a_winner_even_on_skewed_revenue()
    {
        // The report replays 500 looks over the outcomes; revenue is log-normal (heavy right tail),
        // the hard case for plug-in variances.
        var random = new Random(7);
        var settings = new AbTestSettings("revenue", AbMetricKinds.Mean, Alpha);
        var weights = new Dictionary<string, int> { ["a"] = 50, ["b"] = 50 };
        var called = 0;
        for (var e = 0; e < Experiments; e++)
        {
            var a = Enumerable.Range(0, 1000).Select(_ => Math.Exp(1 + Reference.Gaussian(random))).ToArray();
            var b = Enumerable.Range(0, 1000).Select(_ => Math.Exp(1 + Reference.Gaussian(random))).ToArray();
            var report = AbAnalysis.Analyze(settings, [new("a", 1000, a), new("b", 1000, b)], weights);
            if (report.Variants[1].SignificantSequential) called++;
        }
        var rate = (double)called / Experiments;
        output.WriteLine($"winners called in A/A reports: {rate:P2}");
        Assert.True(rate <= Alpha + 0.01, $"winners called in A/A tests through the report {rate:P1}");
    }

    [Fact]
    public void Proportions_at_the_planned_sample_size_reach_the_nominal_power()
    {
        // 10 % → 11 %: the sample size the planner gives, then one fixed-horizon z-test per experiment.
        var random = new Random(1234);
        var n = SampleSize.ForProportions(0.10, 0.10);
        const int runs = 4000;
        var detected = 0;
        for (var e = 0; e < runs; e++)
        {
            var r = TwoProportionZTest.Run(Reference.Binomial(random, n, 0.10), n, Reference.Binomial(random, n, 0.11), n, Alpha);
            if (r.PValue < Alpha && r.Difference > 0) detected++;
        }
        var power = (double)detected / runs;
        output.WriteLine($"n = {n} per arm, empirical power {power:P2}");
        Assert.InRange(power, 0.77, 0.83);
    }

    [Fact]
    public void Means_at_the_planned_sample_size_reach_the_nominal_power()
    {
        var random = new Random(99);
        var n = (int)SampleSize.ForMeans(100, 20, 0.05);
        const int runs = 4000;
        var detected = 0;
        for (var e = 0; e < runs; e++)
        {
            var a = new Running();
            var b = new Running();
            for (var i = 0; i < n; i++)
            {
                a.Add(100 + 20 * Reference.Gaussian(random));
                b.Add(105 + 20 * Reference.Gaussian(random));
            }
            var r = WelchTTest.Run(a.Summary, b.Summary, Alpha);
            if (r.PValue < Alpha && r.Difference > 0) detected++;
        }
        var power = (double)detected / runs;
        output.WriteLine($"n = {n} per arm, empirical power {power:P2}");
        Assert.InRange(power, 0.77, 0.83);
    }

    /// <summary>Welford running mean and variance, so a look costs nothing.</summary>
    private sealed class Running
    {
        private double _mean, _squares;
        public long Count { get; private set; }

        public void Add(double x)
        {
            Count++;
            var delta = x - _mean;
            _mean += delta / Count;
            _squares += delta * (x - _mean);
        }

        public SampleSummary Summary => new(Count, _mean, Count > 1 ? _squares / (Count - 1) : 0);
    }
}
