using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.Pipelines;

/// <summary>Durations (<c>90s</c>, <c>5m</c>, <c>1h30m</c>) and sizes (<c>512Mi</c>, <c>4Gi</c>, <c>2G</c>) as pipeline files write them.</summary>
public static partial class Quantities
{
    [GeneratedRegex(@"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)([KMGT]i?|k)?$")]
    private static partial Regex SizePattern();

    public static TimeSpan? ParseDuration(string text)
    {
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            return seconds > 0 && seconds < 1e7 ? TimeSpan.FromSeconds(seconds) : null;
        var m = DurationPattern().Match(text);
        if (!m.Success || text.Length == 0) return null;
        var total = (m.Groups[1].Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 3600 : 0)
            + (m.Groups[2].Success ? long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) * 60 : 0)
            + (m.Groups[3].Success ? double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : 0);
        return total > 0 && total < 1e7 ? TimeSpan.FromSeconds(total) : null;
    }

    public static long? ParseBytes(string text)
    {
        var m = SizePattern().Match(text.Trim());
        if (!m.Success) return null;
        var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = m.Groups[2].Value switch
        {
            "" => 1d, "k" or "K" => 1e3, "M" => 1e6, "G" => 1e9, "T" => 1e12,
            "Ki" => 1024d, "Mi" => 1024d * 1024, "Gi" => 1024d * 1024 * 1024, "Ti" => 1024d * 1024 * 1024 * 1024,
            _ => double.NaN,
        };
        var bytes = value * unit;
        return bytes >= 1 && bytes < 1e15 ? (long)bytes : null;
    }
}
