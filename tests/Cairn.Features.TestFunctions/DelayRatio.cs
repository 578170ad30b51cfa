namespace Cairn.Features.TestFunctions;

/// <summary><c>delay_ratio = avg_delay_7d / max(1, scheduled_minutes)</c>; null when the stored average is missing.</summary>
public sealed class DelayRatio : IOnDemandFeatureFunction
{
    /// <summary>The name definitions use.</summary>
    public string Name => "delay_ratio";

    /// <summary>One ratio per row.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Compute(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows) =>
        [.. rows.Select(row => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["delay_ratio"] = Ratio(row["avg_delay_7d"] as double?, (long)row["scheduled_minutes"]!),
        })];

    /// <summary>The formula, for tests to compare against.</summary>
    public static double? Ratio(double? averageDelay, long scheduledMinutes) => averageDelay / Math.Max(1, scheduledMinutes);
}

/// <summary>Throws for a negative <c>scheduled_minutes</c>, so tests see which row failed.</summary>
public sealed class RefusesNegativeMinutes : IOnDemandFeatureFunction
{
    /// <summary>The name definitions use.</summary>
    public string Name => "refuses_negative_minutes";

    /// <summary>The minutes again, or an exception.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Compute(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows) =>
        [.. rows.Select(row => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["delay_ratio"] = (long)row["scheduled_minutes"]! < 0 ? throw new InvalidOperationException("negative minutes") : 1.0,
        })];
}

/// <summary>Gives text where a double is declared.</summary>
public sealed class GivesText : IOnDemandFeatureFunction
{
    /// <summary>The name definitions use.</summary>
    public string Name => "gives_text";

    /// <summary>"high" for every row.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Compute(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows) =>
        [.. rows.Select(_ => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["delay_ratio"] = "high" })];
}
