using System.Globalization;
using Cairn.Features;
using Cairn.Server.Ui.Components;

namespace Cairn.Server.Ui.FeatureStore;

/// <summary>Where a numeric feature's quantiles sit on a bar from its minimum (0) to its maximum (100).</summary>
public sealed record QuantileBar(double Q05, double Q25, double Median, double Q75, double Q95);

/// <summary>How the view page writes recorded statistics and freshness.</summary>
public static class FeatureStatisticsText
{
    /// <summary>An instant in UTC as the pages write times, or "none".</summary>
    public static string Instant(DateTimeOffset? instant) =>
        instant is { } i ? i.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "none";

    /// <summary>How long before <paramref name="now"/> <paramref name="instant"/> was ("in the future" for a later one).</summary>
    public static string Age(DateTimeOffset instant, DateTimeOffset now) =>
        instant > now ? "in the future" : Format.Duration(now - instant) + " ago";

    /// <summary>The event interval a snapshot covers.</summary>
    public static string Interval(FeatureStatisticsSnapshot snapshot) => (snapshot.Start, snapshot.End) switch
    {
        (null, null) => "all events",
        ({ } s, null) => $"events from {Instant(s)}",
        (null, { } e) => $"events before {Instant(e)}",
        ({ } s, { } e) => $"events from {Instant(s)} to {Instant(e)}",
    };

    /// <summary>A statistic that may be absent: the number, or empty.</summary>
    public static string Number(double? value) => value is { } v ? Format.Number(v) : "";

    /// <summary>The quantiles of <paramref name="statistic"/> as one line (<c>p5 1 · p25 2 · ...</c>).</summary>
    public static string Quantiles(FeatureStatistic statistic) => statistic.Quantiles is { } q
        ? string.Join(" · ", q.Zip(FeatureStatisticsSnapshot.QuantileLevels, (value, level) => string.Create(CultureInfo.InvariantCulture, $"p{level * 100:0} {Format.Number(value)}")))
        : "";

    /// <summary>The bar of a numeric feature, or null when it has no quantiles or all its values are equal.</summary>
    public static QuantileBar? Bar(FeatureStatistic statistic)
    {
        if (statistic.Quantiles is not { Count: 5 } q) return null;
        var low = Parse(statistic.Min) ?? q[0];
        var high = Parse(statistic.Max) ?? q[4];
        if (!(high > low) || q.Any(v => !double.IsFinite(v))) return null;
        double At(double value) => Math.Round(Math.Clamp((value - low) / (high - low), 0, 1) * 100, 2);
        return new QuantileBar(At(q[0]), At(q[1]), At(q[2]), At(q[3]), At(q[4]));
    }

    private static double? Parse(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;
}
