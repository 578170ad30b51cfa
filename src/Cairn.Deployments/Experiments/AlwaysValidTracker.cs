namespace Cairn.Deployments.Experiments;

/// <summary>
/// Running always-valid inference over successive mSPRT looks: the p-value is the running minimum of
/// 1/Λ (so it never rises) and the interval the running intersection of the looks' intervals (so it
/// never widens). The two agree: the p-value is below alpha exactly when some look's interval left 0
/// out (unless the fallback below replaced an empty intersection).
/// </summary>
public sealed class AlwaysValidTracker
{
    /// <summary>Always-valid p-value so far; 1 before any look could tell.</summary>
    public double PValue { get; private set; } = 1;

    /// <summary>Lower end of the always-valid interval so far; null before any look could tell.</summary>
    public double? Low { get; private set; }

    public double? High { get; private set; }

    public int Looks { get; private set; }

    public void Observe(MsprtStep step)
    {
        Looks++;
        PValue = Math.Min(PValue, step.PValue);
        if (step.Low is not { } low || step.High is not { } high) return;
        if (Low is null || High is null) { (Low, High) = (low, high); return; }
        var (newLow, newHigh) = (Math.Max(Low.Value, low), Math.Min(High.Value, high));
        // Plug-in variances can drift so that the intervals no longer overlap; the newest one is then
        // kept rather than an empty set.
        (Low, High) = newLow <= newHigh ? (newLow, newHigh) : (low, high);
    }
}
