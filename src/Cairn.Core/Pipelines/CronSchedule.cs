using Cronos;

namespace Cairn.Pipelines;

/// <summary>A cron expression in a time zone: five fields, or six with seconds first (Cronos).</summary>
public sealed class CronSchedule
{
    private readonly CronExpression _expression;

    public TimeZoneInfo Zone { get; }

    private CronSchedule(CronExpression expression, TimeZoneInfo zone)
    {
        _expression = expression;
        Zone = zone;
    }

    /// <exception cref="CairnException">INVALID_PARAMETER_VALUE naming what is wrong with the cron or the zone.</exception>
    public static CronSchedule Parse(string? cron, string? timeZone) => new(ParseCron(cron), ParseZone(timeZone));

    public static CronExpression ParseCron(string? cron)
    {
        if (string.IsNullOrWhiteSpace(cron) || cron.Length > 200)
            throw CairnException.InvalidParameter("A cron expression is required, such as \"0 3 * * *\" (minute hour day month weekday), or six fields with seconds first.");
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        try
        {
            return CronExpression.Parse(cron.Trim(), format);
        }
        catch (CronFormatException e)
        {
            throw CairnException.InvalidParameter($"Invalid cron expression '{cron}': {e.Message} Use five fields (minute hour day month weekday) or six with seconds first.");
        }
    }

    /// <summary>An IANA time zone id (Europe/Paris, America/New_York, UTC).</summary>
    public static TimeZoneInfo ParseZone(string? timeZone)
    {
        if (string.IsNullOrWhiteSpace(timeZone) || timeZone.Length > 100)
            throw CairnException.InvalidParameter("A time zone is required: an IANA id such as Europe/Paris or UTC.");
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone) || !zone.HasIanaId)
            throw CairnException.InvalidParameter($"Unknown time zone '{timeZone}': use an IANA id such as Europe/Paris, America/New_York or UTC.");
        return zone;
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null when there is none.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) =>
        _expression.GetNextOccurrence(after, Zone, inclusive: false);

    /// <summary>
    /// The latest occurrence in (<paramref name="after"/>, <paramref name="upTo"/>], or null. Searches
    /// backwards from <paramref name="upTo"/> in growing windows, so a frequent cron over a long gap
    /// does not enumerate every occurrence.
    /// </summary>
    public DateTimeOffset? LatestIn(DateTimeOffset after, DateTimeOffset upTo)
    {
        if (upTo <= after) return null;
        var window = TimeSpan.FromMinutes(1);
        while (true)
        {
            var from = upTo - window > after ? upTo - window : after;
            DateTimeOffset? latest = null;
            foreach (var occurrence in _expression.GetOccurrences(from, upTo, Zone, fromInclusive: false, toInclusive: true))
                latest = occurrence;
            if (latest is not null || from == after) return latest;
            window = window < TimeSpan.FromDays(3650) ? window * 4 : upTo - after;
        }
    }
}
