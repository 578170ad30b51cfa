using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.Monitoring;

/// <summary>Windows and cool-downs as monitors write them: <c>30m</c>, <c>1h</c>, <c>1h30m</c>, <c>7d</c>, <c>90s</c>.</summary>
public static partial class MonitorDuration
{
    [GeneratedRegex(@"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")]
    private static partial Regex Pattern();

    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming <paramref name="what"/> and the accepted forms.</exception>
    public static TimeSpan Parse(string? text, string what)
    {
        var trimmed = text?.Trim() ?? "";
        var m = Pattern().Match(trimmed);
        if (trimmed.Length == 0 || trimmed.Length > 40 || !m.Success)
            throw CairnException.InvalidParameter($"Invalid {what} '{text}': write a duration such as 90s, 30m, 1h, 1h30m or 7d.");
        long Part(int group, long unit) => m.Groups[group].Success ? long.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) * unit : 0;
        var seconds = Part(1, 86_400) + Part(2, 3_600) + Part(3, 60) + Part(4, 1);
        if (seconds <= 0 || seconds > 366L * 86_400)
            throw CairnException.InvalidParameter($"Invalid {what} '{text}': it must be more than zero and at most 366 days.");
        return TimeSpan.FromSeconds(seconds);
    }
}
