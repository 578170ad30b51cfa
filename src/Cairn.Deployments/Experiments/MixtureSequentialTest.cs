namespace Cairn.Deployments.Experiments;

/// <summary>
/// One look of the mixture sequential probability ratio test.
/// </summary>
/// <param name="LogLikelihoodRatio">ln Λ, the mixture likelihood ratio of "the difference is θ ~ N(0, τ²)" against "the difference is 0"; 0 when the look cannot tell.</param>
/// <param name="PValue">min(1, 1/Λ) at this look alone; the always-valid p-value is the running minimum over looks (<see cref="AlwaysValidTracker"/>).</param>
/// <param name="Low">Lower end of this look's always-valid interval of the difference (the θ₀ with Λ(θ₀) &lt; 1/α); null when the look cannot tell.</param>
/// <param name="High">Upper end of that interval.</param>
public sealed record MsprtStep(double LogLikelihoodRatio, double PValue, double? Low, double? High)
{
    public static readonly MsprtStep Undecided = new(0, 1, null, null);
}

/// <summary>
/// The mixture sequential probability ratio test (mSPRT) of Johari, Pekelis and Walsh, "Always valid
/// inference: continuous monitoring of A/B tests" (2017), for a difference of means or of proportions.
/// The estimated difference d̂ = x̄B − x̄A is treated as normal with variance V = sA²/nA + sB²/nB
/// (plug-in estimates, the paper's large-sample form), and the effect is mixed over θ ~ N(θ₀, τ²):
/// <code>
/// Λ = √(V / (V + τ²)) · exp( τ²(d̂ − θ₀)² / (2V(V + τ²)) )
/// </code>
/// With equal arms of n this is the paper's √(σ²/(σ² + nτ²))·exp(n²τ²(d̂ − θ₀)²/(2σ²(σ² + nτ²))), σ² = σA² + σB².
/// Under the null Λ is a martingale, so by Ville's inequality P(Λ ever reaches 1/α) ≤ α: the p-value
/// min over looks of 1/Λ and the intervals below stay valid however often one looks and whenever one stops.
/// </summary>
public static class MixtureSequentialTest
{
    /// <summary>
    /// The relative effect τ is set to when the test states no minimum detectable effect: a 10 % lift.
    /// The mixture is most powerful for effects near τ; a τ far above the real effect costs samples,
    /// far below it delays detection of large effects.
    /// </summary>
    public const double DefaultRelativeEffect = 0.10;

    /// <summary>One look from an estimated difference and its variance (both B minus A).</summary>
    /// <param name="tauSquared">Mixing variance τ² of the effect, in squared outcome units (see <see cref="MixingVariance"/>).</param>
    /// <param name="nullDifference">θ₀, the difference under the null (0 for "no effect").</param>
    public static MsprtStep Evaluate(double difference, double varianceOfDifference, double tauSquared, double alpha, double nullDifference = 0)
    {
        AbInputs.CheckAlpha(alpha);
        if (!(tauSquared > 0) || !double.IsFinite(tauSquared))
            throw CairnException.InvalidParameter($"The mixing variance tau² must be positive and finite, got {tauSquared}.");
        var v = varianceOfDifference;
        if (!(v > 0) || !double.IsFinite(v) || !double.IsFinite(difference)) return MsprtStep.Undecided;

        var gap = difference - nullDifference;
        var logRatio = 0.5 * Math.Log(v / (v + tauSquared)) + tauSquared * gap * gap / (2 * v * (v + tauSquared));
        var p = Math.Min(1, Math.Exp(-logRatio));
        // Solving ln Λ(θ₀) < ln(1/α) for θ₀ gives a symmetric interval around d̂.
        var half = Math.Sqrt(v * (v + tauSquared) / tauSquared * (2 * Math.Log(1 / alpha) + Math.Log((v + tauSquared) / v)));
        return new(logRatio, p, difference - half, difference + half);
    }

    /// <summary>Difference of means, B minus A; each arm needs two samples for a variance.</summary>
    public static MsprtStep ForMeans(SampleSummary a, SampleSummary b, double tauSquared, double alpha)
    {
        if (a.Count < 2 || b.Count < 2) return MsprtStep.Undecided;
        return Evaluate(b.Mean - a.Mean, a.VarianceOfMean + b.VarianceOfMean, tauSquared, alpha);
    }

    /// <summary>
    /// Difference of rates, B minus A. The variance uses rates with one success and one failure added
    /// to each arm (as Agresti and Caffo do for their interval), so that an arm at 0 % or 100 % still
    /// has a variance and an early run of identical outcomes cannot claim certainty.
    /// </summary>
    public static MsprtStep ForProportions(long successesA, long trialsA, long successesB, long trialsB, double tauSquared, double alpha)
    {
        if (trialsA < 1 || trialsB < 1) return MsprtStep.Undecided;
        var difference = (double)successesB / trialsB - (double)successesA / trialsA;
        var smoothedA = (successesA + 1.0) / (trialsA + 2.0);
        var smoothedB = (successesB + 1.0) / (trialsB + 2.0);
        var variance = smoothedA * (1 - smoothedA) / trialsA + smoothedB * (1 - smoothedB) / trialsB;
        return Evaluate(difference, variance, tauSquared, alpha);
    }
}

/// <summary>Choices of the mSPRT mixing variance τ².</summary>
public static class MixingVariance
{
    /// <summary>τ = the absolute effect the test is meant to find, so τ² = effect².</summary>
    public static double FromAbsoluteEffect(double effect) => effect * effect;

    /// <summary>
    /// τ = relative effect × |control mean|: the minimum detectable effect when one is set, else
    /// <see cref="MixtureSequentialTest.DefaultRelativeEffect"/>. With a control mean of 0 (a relative
    /// effect means nothing) τ is a tenth of the outcome's standard deviation; with no variance either (nothing varies, so there is nothing to find) 1e-8.
    /// </summary>
    public static double Default(double controlMean, double outcomeVariance, double? relativeEffect)
    {
        var relative = relativeEffect is > 0 ? relativeEffect.Value : MixtureSequentialTest.DefaultRelativeEffect;
        var tau = relative * Math.Abs(controlMean);
        if (tau > 0 && double.IsFinite(tau)) return tau * tau;
        var fromSpread = 0.01 * outcomeVariance;
        return fromSpread > 0 && double.IsFinite(fromSpread) ? fromSpread : 1e-8;
    }
}
