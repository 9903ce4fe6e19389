using Factory.Core.Time;

namespace Factory.Tests.Core.Time;

/// <summary>The one rule for wall-clock times: skipped ones land where the clocks land, repeated ones at their first occurrence.</summary>
public sealed class WallClockTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public void A_valid_local_time_is_its_instant()
    {
        Assert.Equal(Utc(2026, 1, 21, 13, 30), WallClock.ToUtc(new DateTime(2026, 1, 21, 14, 30, 0), Berlin));
        Assert.Equal(Utc(2026, 7, 1, 12, 0), WallClock.ToUtc(new DateOnly(2026, 7, 1), new TimeOnly(14, 0), Berlin));
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(2, 30)]
    [InlineData(2, 59)]
    public void A_time_skipped_in_spring_is_the_instant_the_clocks_jump(int hour, int minute) =>
        // 2026-03-29 in Berlin: 02:00 CET becomes 03:00 CEST at 01:00Z.
        Assert.Equal(Utc(2026, 3, 29, 1, 0), WallClock.ToUtc(new DateTime(2026, 3, 29, hour, minute, 0), Berlin));

    [Fact]
    public void A_time_repeated_in_autumn_is_its_first_occurrence() =>
        // 2026-10-25 in Berlin: 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET).
        Assert.Equal(Utc(2026, 10, 25, 0, 30), WallClock.ToUtc(new DateTime(2026, 10, 25, 2, 30, 0), Berlin));

    [Fact]
    public void Days_around_the_changes_are_23_and_25_hours_long()
    {
        Assert.Equal(TimeSpan.FromHours(23), WallClock.StartOfDay(new DateOnly(2026, 3, 30), Berlin) - WallClock.StartOfDay(new DateOnly(2026, 3, 29), Berlin));
        Assert.Equal(TimeSpan.FromHours(25), WallClock.StartOfDay(new DateOnly(2026, 10, 26), Berlin) - WallClock.StartOfDay(new DateOnly(2026, 10, 25), Berlin));
        Assert.Equal(Utc(2026, 3, 28, 23, 0), WallClock.StartOfLocalDay(Utc(2026, 3, 29, 21, 59), Berlin));
        Assert.Equal(new DateOnly(2026, 3, 30), WallClock.LocalDate(Utc(2026, 3, 29, 22, 0), Berlin));
    }

    /// <summary>
    /// Every quarter hour of a year in zones with whole-hour, half-hour and midnight changes: a valid time converts back
    /// to itself, a repeated one to its first occurrence, and a skipped one to the first instant of the later offset.
    /// </summary>
    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/New_York")]
    [InlineData("Australia/Lord_Howe")]
    [InlineData("America/Havana")]
    [InlineData("Asia/Kolkata")]
    public void Every_local_time_of_a_year_follows_the_rule(string zoneId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var skipped = 0;
        for (var local = new DateTime(2026, 1, 1, 0, 0, 0); local.Year == 2026; local = local.AddMinutes(15))
        {
            var utc = WallClock.ToUtc(local, zone);
            Assert.Equal(DateTimeKind.Utc, utc.Kind);
            if (zone.IsInvalidTime(local))
            {
                skipped++;
                Assert.True(WallClock.ToLocal(utc, zone) > local, $"{zoneId} {local:s}: lands at {WallClock.ToLocal(utc, zone):s}");
                Assert.True(WallClock.ToLocal(utc.AddTicks(-1), zone) < local, $"{zoneId} {local:s}: the tick before the jump is not before it");
                Assert.NotEqual(zone.GetUtcOffset(utc.AddTicks(-1)), zone.GetUtcOffset(utc));
            }
            else
            {
                Assert.Equal(local, WallClock.ToLocal(utc, zone));
                if (zone.IsAmbiguousTime(local))
                {
                    var gap = zone.GetAmbiguousTimeOffsets(local).Max() - zone.GetAmbiguousTimeOffsets(local).Min();
                    Assert.Equal(local, WallClock.ToLocal(utc + gap, zone));
                }
            }
        }

        Assert.Equal(zoneId == "Asia/Kolkata" ? 0 : zoneId == "Australia/Lord_Howe" ? 2 : 4, skipped);
    }

    [Fact]
    public void A_midnight_skipped_by_the_change_starts_the_day_when_the_clocks_land()
    {
        // Cuba moves from 00:00 to 01:00 on 2026-03-08: that local day starts at 01:00 CDT, 05:00Z.
        var havana = TimeZoneInfo.FindSystemTimeZoneById("America/Havana");
        Assert.Equal(Utc(2026, 3, 8, 5, 0), WallClock.StartOfDay(new DateOnly(2026, 3, 8), havana));
        Assert.Equal(TimeSpan.FromHours(23), WallClock.StartOfDay(new DateOnly(2026, 3, 9), havana) - WallClock.StartOfDay(new DateOnly(2026, 3, 8), havana));
    }

    private static DateTime Utc(int year, int month, int day, int hour, int minute) => new(year, month, day, hour, minute, 0, DateTimeKind.Utc);
}
