namespace Cairn.Deployments.Experiments;

/// <summary>
/// Analyses an A/B test: each variant against the control with a fixed-horizon test (z-test for a
/// proportion, Welch's t-test for a mean) and an always-valid mSPRT, the sample-ratio check, the
/// sample size the minimum detectable effect needs, and a verdict. The verdict reads the
/// always-valid test, because a report can be opened at any time and as often as one likes.
/// </summary>
public static partial class AbAnalysis
{
    /// <param name="settings">The endpoint's A/B settings (metric, kind, alpha, minimum detectable effect, control).</param>
    /// <param name="variants">Every live variant in the test, in display order; the control among them.</param>
    /// <param name="weights">Percent of traffic per variant, for the sample-ratio check.</param>
    public static AbReport Analyze(
        AbTestSettings settings,
        IReadOnlyList<VariantOutcomes> variants,
        IReadOnlyDictionary<string, int> weights,
        AbAnalysisOptions? options = null)
    {
        options ??= new AbAnalysisOptions();
        var proportion = CheckSettings(settings, options);
        CheckVariants(variants, proportion);
        var control = settings.Control ?? variants[0].Variant;
        var controlData = variants.FirstOrDefault(v => v.Variant == control)
            ?? throw CairnException.InvalidParameter(
                $"The control '{control}' is not a variant of the test; use one of: {string.Join(", ", variants.Select(v => v.Variant))}.");

        var summaries = variants.ToDictionary(v => v.Variant, v => Summarize(v.Outcomes, proportion));
        var controlSummary = summaries[control];
        var srm = SampleRatioMismatch.Check(variants.Select(v => (v.Variant, v.Assigned)).ToList(), weights, options.SampleRatioThreshold);
        var tauSquared = options.MixingVariance
            ?? MixingVariance.Default(controlSummary.Mean, OutcomeVariance(summaries.Values), settings.MinimumDetectableEffect);
        if (!(tauSquared > 0) || !double.IsFinite(tauSquared))
            throw CairnException.InvalidParameter($"The mixing variance must be positive and finite, got {tauSquared}.");
        var required = RequiredSamples(settings, controlSummary, proportion, options.Power);

        var rows = new List<AbVariantReport>();
        foreach (var v in variants)
        {
            var s = summaries[v.Variant];
            var stdDev = proportion ? Math.Sqrt(s.Mean * (1 - s.Mean)) : s.StandardDeviation;
            if (v.Variant == control)
            {
                rows.Add(new(v.Variant, true, v.Assigned, s.Count, s.Mean, stdDev, null, null, null, null, null, null,
                    null, false, null, null, null, null, null, false, required, null));
                continue;
            }
            var fixedTest = proportion
                ? TwoProportionZTest.Run(Successes(controlData.Outcomes), controlSummary.Count, Successes(v.Outcomes), s.Count, settings.Alpha)
                : WelchTTest.Run(controlSummary, s, settings.Alpha);
            var sequential = SequentialLooks.Replay(proportion, controlData.Outcomes, v.Outcomes, tauSquared, settings.Alpha,
                options.MinimumSamplesForSequential, options.MaxLooks);
            var (seqLiftLow, seqLiftHigh) = LiftInterval(sequential.Low, sequential.High, controlSummary.Mean);
            var row = new AbVariantReport(v.Variant, false, v.Assigned, s.Count, s.Mean, stdDev,
                fixedTest.Difference, fixedTest.DifferenceLow, fixedTest.DifferenceHigh,
                fixedTest.RelativeLift, fixedTest.RelativeLiftLow, fixedTest.RelativeLiftHigh,
                fixedTest.PValue, fixedTest.PValue < settings.Alpha,
                sequential.PValue, sequential.Low, sequential.High, seqLiftLow, seqLiftHigh,
                sequential.PValue < settings.Alpha, required, null);
            rows.Add(row with { Verdict = AbVerdicts.ForVariant(row, control, controlSummary.Count, settings, options) });
        }

        return new AbReport(settings.Metric, settings.Kind, settings.Alpha, control, settings.MinimumDetectableEffect,
            options.Power, tauSquared, rows, srm, AbVerdicts.Overall(rows, control, srm));
    }

    private static bool CheckSettings(AbTestSettings settings, AbAnalysisOptions options)
    {
        if (!AbMetricKinds.All.Contains(settings.Kind))
            throw CairnException.InvalidParameter($"The A/B metric kind '{settings.Kind}' is unknown; use one of: {string.Join(", ", AbMetricKinds.All)}.");
        AbInputs.CheckAlpha(settings.Alpha);
        AbInputs.CheckPower(options.Power);
        if (settings.MinimumDetectableEffect is { } mde && (mde == 0 || !double.IsFinite(mde)))
            throw CairnException.InvalidParameter($"The minimum detectable effect must be a non-zero relative lift such as 0.05, got {mde}.");
        return settings.Kind == AbMetricKinds.Proportion;
    }

    private static void CheckVariants(IReadOnlyList<VariantOutcomes> variants, bool proportion)
    {
        if (variants.Count == 0) throw CairnException.InvalidParameter("An A/B analysis needs at least the control variant.");
        var seen = new HashSet<string>();
        foreach (var v in variants)
        {
            if (!seen.Add(v.Variant)) throw CairnException.InvalidParameter($"Variant '{v.Variant}' is given twice; give each variant once.");
            if (v.Assigned < 0) throw CairnException.InvalidParameter($"Variant '{v.Variant}' has {v.Assigned} assignments; counts cannot be negative.");
            for (var i = 0; i < v.Outcomes.Count; i++)
            {
                var x = v.Outcomes[i];
                if (!double.IsFinite(x))
                    throw CairnException.InvalidParameter($"Variant '{v.Variant}' has a non-finite outcome ({x}); feedback values must be numbers.");
                if (proportion && x != 0 && x != 1)
                    throw CairnException.InvalidParameter(
                        $"Variant '{v.Variant}' has outcome {x}, but a proportion metric takes 0 or 1; use kind 'mean' for other values.");
            }
        }
    }

    private static SampleSummary Summarize(IReadOnlyList<double> outcomes, bool proportion) =>
        proportion ? SampleSummary.OfProportion(Successes(outcomes), outcomes.Count) : SampleSummary.Of(outcomes);

    private static long Successes(IReadOnlyList<double> outcomes)
    {
        long n = 0;
        for (var i = 0; i < outcomes.Count; i++) if (outcomes[i] == 1) n++;
        return n;
    }

    /// <summary>
    /// Variance of all outcomes taken together (spread within arms plus between them), so that a
    /// test whose arms are each constant, say all 0 against all 1, still gets a mixing variance.
    /// </summary>
    private static double OutcomeVariance(IEnumerable<SampleSummary> summaries)
    {
        var all = summaries.Where(s => s.Count > 0).ToList();
        var n = all.Sum(s => s.Count);
        if (n < 2) return 0;
        var mean = all.Sum(s => s.Mean * s.Count) / n;
        var squares = all.Sum(s => s.Variance * (s.Count - 1) + s.Count * (s.Mean - mean) * (s.Mean - mean));
        return squares / (n - 1);
    }

    private static long? RequiredSamples(AbTestSettings settings, SampleSummary control, bool proportion, double power)
    {
        if (settings.MinimumDetectableEffect is not { } mde) return null;
        try
        {
            if (proportion)
            {
                var treated = control.Mean * (1 + mde);
                return control.Count > 0 && control.Mean is > 0 and < 1 && treated is > 0 and < 1
                    ? SampleSize.ForProportions(control.Mean, mde, settings.Alpha, power)
                    : null;
            }
            return control.Count > 1 && control.Mean != 0 && control.StandardDeviation > 0
                ? SampleSize.ForMeans(control.Mean, control.StandardDeviation, mde, settings.Alpha, power)
                : null;
        }
        catch (CairnException)
        {
            // A control mean near 0 makes a relative effect vanish: no feasible size, so none is stated.
            return null;
        }
    }

    private static (double?, double?) LiftInterval(double? low, double? high, double controlMean)
    {
        if (low is null || high is null || controlMean == 0) return (null, null);
        var (a, b) = (low.Value / controlMean, high.Value / controlMean);
        return (Math.Min(a, b), Math.Max(a, b));
    }
}
