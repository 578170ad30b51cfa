using Cairn.Pipelines;

namespace Cairn.Pipelines.Tests.Scheduling;

public sealed class CronScheduleTests
{
    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void NextAfter_ParisAcrossSpringForward_KeepsLocalThreeOClock()
    {
        var cron = CronSchedule.Parse("0 3 * * *", "Europe/Paris");

        // 28 March 2026 is still winter time (UTC+1); the clocks go forward on 29 March (UTC+2).
        Assert.Equal(Utc("2026-03-28T02:00:00Z"), cron.NextAfter(Utc("2026-03-27T12:00:00Z")));
        Assert.Equal(Utc("2026-03-29T01:00:00Z"), cron.NextAfter(Utc("2026-03-28T12:00:00Z")));
    }

    [Fact]
    public void NextAfter_ParisSkippedHalfHour_FiresOnceRightAfterTheGap()
    {
        var cron = CronSchedule.Parse("30 2 * * *", "Europe/Paris");
        // 02:30 does not exist on 29 March 2026: Cronos fires at 03:00 local (01:00 UTC), once.
        var next = cron.NextAfter(Utc("2026-03-28T12:00:00Z"))!.Value;
        Assert.Equal(Utc("2026-03-29T01:00:00Z"), next);
        Assert.Equal(Utc("2026-03-30T00:30:00Z"), cron.NextAfter(next));
    }

    [Fact]
    public void NextAfter_ParisRepeatedHalfHour_FiresOnceOnFallBack()
    {
        var cron = CronSchedule.Parse("30 2 * * *", "Europe/Paris");
        // 02:30 happens twice on 25 October 2026 (00:30 and 01:30 UTC): one fire only.
        var first = cron.NextAfter(Utc("2026-10-24T12:00:00Z"))!.Value;
        Assert.Equal(Utc("2026-10-25T00:30:00Z"), first);
        Assert.Equal(Utc("2026-10-26T01:30:00Z"), cron.NextAfter(first));
    }

    [Fact]
    public void LatestIn_LongGapWithAFrequentCron_IsTheLastOccurrence()
    {
        var cron = CronSchedule.Parse("*/2 * * * * *", "UTC");
        Assert.Equal(Utc("2026-05-10T08:00:04Z"), cron.LatestIn(Utc("2026-01-01T00:00:00Z"), Utc("2026-05-10T08:00:05.5Z")));
    }

    [Fact]
    public void LatestIn_RareCron_FindsItFarBack_AndNothingBeforeTheStart()
    {
        var cron = CronSchedule.Parse("0 0 1 1 *", "America/New_York");
        Assert.Equal(Utc("2026-01-01T05:00:00Z"), cron.LatestIn(Utc("2020-06-01T00:00:00Z"), Utc("2026-12-31T00:00:00Z")));
        Assert.Null(cron.LatestIn(Utc("2026-01-01T05:00:00Z"), Utc("2026-12-31T00:00:00Z")));
    }

    [Theory]
    [InlineData("0 3 * *", "UTC", "cron")]
    [InlineData("0 25 * * *", "UTC", "cron")]
    [InlineData("0 3 * * *", "Europe/Atlantis", "Unknown time zone")]
    [InlineData("0 3 * * *", "../../etc/passwd", "Unknown time zone")]
    public void Parse_Invalid_SaysWhat(string cron, string zone, string said)
    {
        var e = Assert.Throws<CairnException>(() => CronSchedule.Parse(cron, zone));
        Assert.Equal(ErrorCodes.InvalidParameterValue, e.ErrorCode);
        Assert.Contains(said, e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
