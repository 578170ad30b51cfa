namespace Cairn.Deployments.Experiments;

/// <summary>One variant's data in an A/B test.</summary>
/// <param name="Assigned">Requests routed to the variant while the test ran (feedback or not); the sample-ratio check reads these.</param>
/// <param name="Outcomes">One value per request that got feedback, in arrival order (0/1 for a proportion metric).</param>
public sealed record VariantOutcomes(string Variant, long Assigned, IReadOnlyList<double> Outcomes);

/// <summary>Settings of an analysis beyond the test's own (all optional).</summary>
/// <param name="SampleRatioThreshold">A sample-ratio p-value below this is a mismatch.</param>
/// <param name="Power">Power the required sample size is computed for.</param>
/// <param name="MixingVariance">mSPRT τ² in squared outcome units; null: <see cref="Experiments.MixingVariance.Default"/>.</param>
/// <param name="MinimumSamplesForSequential">Samples each arm needs before the sequential test's looks count: plug-in variances from a handful of requests are too rough to trust.</param>
/// <param name="MaxLooks">Looks the sequential test takes over the outcomes, at evenly spaced fractions of each arm's samples.</param>
public sealed record AbAnalysisOptions(
    double SampleRatioThreshold = SampleRatioMismatch.DefaultThreshold,
    double Power = SampleSize.DefaultPower,
    double? MixingVariance = null,
    int MinimumSamplesForSequential = 30,
    int MaxLooks = 500);

/// <summary>One variant in an A/B report. Comparisons are with the control; for the control itself they are null.</summary>
/// <param name="Samples">Outcomes (requests with feedback).</param>
/// <param name="Mean">Mean outcome; the rate for a proportion metric.</param>
/// <param name="StdDev">Sample standard deviation (√(p(1 − p)) for a proportion); 0 below two samples.</param>
/// <param name="Difference">Mean minus the control's.</param>
/// <param name="DifferenceLow">Fixed-horizon (1 − alpha) interval of the difference.</param>
/// <param name="Lift">Mean / control mean − 1; null when the control's mean is 0.</param>
/// <param name="LiftLow">Fixed-horizon interval of the lift (delta method).</param>
/// <param name="PValue">Fixed-horizon two-sided p-value: z-test for a proportion, Welch's t-test for a mean. Valid only if read once, at a sample size fixed in advance.</param>
/// <param name="Significant"><see cref="PValue"/> below alpha.</param>
/// <param name="SequentialPValue">Always-valid (mSPRT) p-value: valid however often the report is read.</param>
/// <param name="SequentialDifferenceLow">Always-valid interval of the difference.</param>
/// <param name="SequentialLiftLow">That interval divided by the control's mean (its uncertainty left out).</param>
/// <param name="SignificantSequential"><see cref="SequentialPValue"/> below alpha; the verdict reads this.</param>
/// <param name="RequiredSamples">Samples per variant a fixed-horizon test needs to detect the minimum detectable effect with the power asked, from the control's observed rate or mean and spread; null when no effect is set or the control cannot give a baseline.</param>
/// <param name="Verdict">For a non-control variant: what the data say about it against the control.</param>
public sealed record AbVariantReport(
    string Variant,
    bool IsControl,
    long Assigned,
    long Samples,
    double Mean,
    double StdDev,
    double? Difference,
    double? DifferenceLow,
    double? DifferenceHigh,
    double? Lift,
    double? LiftLow,
    double? LiftHigh,
    double? PValue,
    bool Significant,
    double? SequentialPValue,
    double? SequentialDifferenceLow,
    double? SequentialDifferenceHigh,
    double? SequentialLiftLow,
    double? SequentialLiftHigh,
    bool SignificantSequential,
    long? RequiredSamples,
    string? Verdict);

/// <summary>An A/B test's report: printed as JSON (snake_case) or as text (<see cref="AbAnalysis.ToText"/>).</summary>
/// <param name="MixingVariance">The mSPRT τ² used, in squared outcome units.</param>
/// <param name="Verdict">One line for people: the sample-ratio mismatch if there is one, else each variant's verdict.</param>
public sealed record AbReport(
    string Metric,
    string Kind,
    double Alpha,
    string Control,
    double? MinimumDetectableEffect,
    double Power,
    double MixingVariance,
    IReadOnlyList<AbVariantReport> Variants,
    SampleRatioResult SampleRatio,
    string Verdict);
