namespace Cairn.Deployments.Experiments;

/// <summary>
/// A fixed-horizon comparison of a treatment arm (B) with a control arm (A): valid when read once,
/// at a sample size fixed in advance. Differences and lifts are B minus A.
/// </summary>
/// <param name="Statistic">z or t; null when it is not defined (no samples, or no variance with different means).</param>
/// <param name="DegreesOfFreedom">Welch–Satterthwaite degrees of freedom for a t-test; null for a z-test.</param>
/// <param name="PValue">Two-sided; 1 when the data cannot tell (too few samples).</param>
/// <param name="Difference">Mean (or rate) of B minus that of A.</param>
/// <param name="DifferenceLow">Lower end of the (1 - alpha) confidence interval of the difference; null when it cannot be computed.</param>
/// <param name="DifferenceHigh">Upper end of that interval.</param>
/// <param name="RelativeLift">B / A - 1; null when A's mean is 0 or A has no samples.</param>
/// <param name="RelativeLiftLow">Lower end of the lift's interval (delta method, see <see cref="RelativeLift"/>).</param>
/// <param name="RelativeLiftHigh">Upper end of the lift's interval.</param>
public sealed record FixedHorizonResult(
    double? Statistic,
    double? DegreesOfFreedom,
    double PValue,
    double Difference,
    double? DifferenceLow,
    double? DifferenceHigh,
    double? RelativeLift,
    double? RelativeLiftLow,
    double? RelativeLiftHigh);
