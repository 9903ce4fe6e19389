using Factory.Core.Metrics;
using Factory.Core.Registry;
using Factory.Core.Seeding;
using Factory.Core.Shifts;
using Factory.Core.Time;
using Factory.Web.Dashboard;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Factory.Tests.Core.Time;

/// <summary>
/// Every place that turns wall-clock times into instants goes through <see cref="WallClock"/>, so chart buckets, shift
/// occurrences, demo shifts and the dashboard's "today" agree on daylight-saving days.
/// </summary>
public sealed class WallClockUsersTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly TimeZoneInfo Havana = TimeZoneInfo.FindSystemTimeZoneById("America/Havana");

    [Fact]
    public void Day_buckets_start_when_a_skipped_midnight_lands()
    {
        var buckets = TimeBuckets.Cover(Utc(2026, 3, 8, 12, 0), Utc(2026, 3, 8, 13, 0), BucketSize.Day, Havana);

        Assert.Equal([(Utc(2026, 3, 8, 5, 0), Utc(2026, 3, 9, 4, 0))], buckets);
    }

    [Fact]
    public void Hour_buckets_of_the_autumn_change_repeat_the_local_hour()
    {
        var buckets = TimeBuckets.Cover(Utc(2026, 10, 24, 22, 0), Utc(2026, 10, 25, 3, 0), BucketSize.Hour, Berlin);

        Assert.Equal(5, buckets.Count);
        Assert.All(buckets, b => Assert.Equal(TimeSpan.FromHours(1), b.End - b.Start));
        Assert.Equal([0, 1, 2, 2, 3], buckets.Select(b => WallClock.ToLocal(b.Start, Berlin).Hour));
    }

    [Fact]
    public void A_shift_starting_at_a_skipped_time_starts_when_the_clocks_land()
    {
        var early = new ShiftDefinition("early", new TimeOnly(2, 30), new TimeOnly(10, 30), []);

        var occurrence = ShiftCalendar.Occurrence(early, new DateOnly(2026, 3, 29), Berlin);

        Assert.Equal(Utc(2026, 3, 29, 1, 0), occurrence.Start);
        Assert.Equal(Utc(2026, 3, 29, 8, 30), occurrence.End);
    }

    [Theory]
    [InlineData(2026, 3, 28, 7)]
    [InlineData(2026, 10, 24, 9)]
    public void Demo_night_shifts_and_their_meal_are_the_calendars_on_daylight_saving_nights(int year, int month, int day, int hours)
    {
        var from = Utc(year, month, day, 0, 0);
        var scenario = DemoScenario.ForPeriod(RegistrySeed.Workers, RegistrySeed.Workstations, 7, Berlin, from, from.AddDays(2), ShiftCalendar.Default);
        var night = ShiftCalendar.Default.Find("night")!;
        var date = new DateOnly(year, month, day);

        var window = new DemoDataGenerator(scenario).GetShiftWindow(scenario.Workers.Single(w => w.Id == "W6"), date);

        var occurrence = ShiftCalendar.Occurrence(night, date, Berlin);
        Assert.Equal((occurrence.Start, occurrence.End), (window.Start, window.End));
        Assert.Equal(TimeSpan.FromHours(hours), window.End - window.Start);
        var meal = ShiftCalendar.Breaks(night, occurrence, Berlin).ToList();
        if (meal.Count == 0)
        {
            // 02:00–02:30 does not exist on the spring night: no meal in the calendar, none in the demo.
            Assert.Equal(window.BreakStart, window.BreakEnd);
        }
        else
        {
            Assert.Equal(meal[0], (window.BreakStart, window.BreakEnd));
        }
    }

    [Fact]
    public void Today_on_the_dashboard_starts_when_a_skipped_midnight_lands()
    {
        var clock = new FactoryClock(new FakeTimeProvider(new DateTimeOffset(2026, 3, 8, 15, 0, 0, TimeSpan.Zero)),
            Options.Create(new FactoryOptions { TimeZone = "America/Havana" }));

        Assert.Equal(Utc(2026, 3, 8, 5, 0), clock.StartOfTodayUtc);
        Assert.Equal(Utc(2026, 3, 8, 5, 0), clock.LocalToUtc(new DateTime(2026, 3, 8, 0, 30, 0)));
    }

    private static DateTime Utc(int year, int month, int day, int hour, int minute) => new(year, month, day, hour, minute, 0, DateTimeKind.Utc);
}
