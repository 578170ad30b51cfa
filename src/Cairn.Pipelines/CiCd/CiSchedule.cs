using Cronos;

namespace Cairn.Pipelines.CiCd;

/// <summary>
/// Cron schedules for CI files: parsed by Cronos (five fields, UTC), then held to the part of cron
/// every provider reads (lists, ranges, steps, '*', month and weekday names). Cronos also takes
/// '?', 'L', 'W' and '#', which GitHub and Azure DevOps do not, and a file that validates here but
/// is refused by the service would only fail after the push.
/// </summary>
public static class CiSchedule
{
    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] Days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>Returns the expression with its fields separated by single spaces.</summary>
    public static string Validate(string cron)
    {
        var fields = cron.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var normalized = string.Join(' ', fields);
        if (fields.Length != 5)
            throw CairnException.InvalidParameter($"--schedule '{CiInputs.Printable(cron)}' must have five fields (minute hour day-of-month month day-of-week, UTC), e.g. \"0 3 * * 1\".");
        try
        {
            CronExpression.Parse(normalized, CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            throw CairnException.InvalidParameter($"--schedule '{CiInputs.Printable(cron)}' is not a valid cron expression: {e.Message}");
        }
        for (var i = 0; i < fields.Length; i++)
            if (!fields[i].Split(',').All(item => IsPortableItem(item, i == 3 ? Months : i == 4 ? Days : [])))
                throw CairnException.InvalidParameter($"--schedule '{CiInputs.Printable(cron)}': field '{fields[i]}' uses cron syntax CI services do not all accept; use numbers, names, '*', ',', '-' and '/'.");
        return normalized;
    }

    private static bool IsPortableItem(string item, string[] names)
    {
        var slash = item.Split('/');
        if (slash.Length > 2 || (slash.Length == 2 && !IsNumber(slash[1]))) return false;
        if (slash[0] == "*") return true;
        var range = slash[0].Split('-');
        return range.Length <= 2 && range.All(v => IsNumber(v) || names.Contains(v.ToUpperInvariant()));
    }

    private static bool IsNumber(string text) => text.Length is > 0 and <= 2 && text.All(char.IsAsciiDigit);
}
