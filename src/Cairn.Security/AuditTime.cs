using System.Globalization;

namespace Cairn.Security;

/// <summary>Reads the times an audit listing is filtered by, as people write them.</summary>
public static class AuditTime
{
    /// <summary>
    /// Milliseconds since the epoch from a date (<c>2026-12-01</c>, midnight UTC), an ISO 8601 time
    /// (UTC unless it gives an offset), an age before <paramref name="now"/> (<c>30m</c>, <c>12h</c>, <c>7d</c>),
    /// or milliseconds since the epoch themselves (12 digits or more).
    /// </summary>
    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE for anything else.</exception>
    public static long Parse(string text, DateTimeOffset now, string name = "--since")
    {
        var t = text.Trim();
        if (t.Length >= 12 && t.All(char.IsAsciiDigit) && long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var millis)) return millis;
        if (t.Length >= 2 && long.TryParse(t[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount) && amount <= 100_000)
        {
            TimeSpan? age = t[^1] switch
            {
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => null,
            };
            if (age is { } a) return (now - a).ToUnixTimeMilliseconds();
        }
        if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) && t.Length >= 10 && char.IsAsciiDigit(t[0]))
            return time.ToUnixTimeMilliseconds();
        throw CairnException.InvalidParameter($"{name} '{text}' is not a time: give a date (2026-12-01), an ISO time (2026-12-01T08:00:00Z) or an age (30m, 12h, 7d).");
    }
}
