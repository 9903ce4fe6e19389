using Factory.Core.Shifts;

namespace Factory.Tests.Core.Shifts;

public sealed class ShiftCalendarTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly ShiftCalendar Calendar = ShiftCalendar.Default;

    private static DateTime Utc(string iso) => DateTime.SpecifyKind(DateTime.Parse(iso, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), DateTimeKind.Utc);

    [Fact]
    public void Night_shift_crosses_midnight_and_its_break_falls_on_the_next_day()
    {
        var night = Calendar.Find("NIGHT")!;
        var occurrence = ShiftCalendar.Occurrence(night, new DateOnly(2026, 1, 20), Berlin);

        Assert.Equal(Utc("2026-01-20T21:00:00Z"), occurrence.Start);
        Assert.Equal(Utc("2026-01-21T05:00:00Z"), occurrence.End);
        var pause = Assert.Single(ShiftCalendar.Breaks(night, occurrence, Berlin));
        Assert.Equal((Utc("2026-01-21T01:00:00Z"), Utc("2026-01-21T01:30:00Z")), pause);
    }

    [Theory]
    [InlineData("2026-03-28", 7)] // spring forward at 02:00 on the 29th: 02:00-03:00 does not exist
    [InlineData("2026-10-24", 9)] // fall back at 03:00 on the 25th: 02:00-03:00 happens twice
    [InlineData("2026-01-20", 8)]
    public void Night_shift_across_a_daylight_saving_change_keeps_its_wall_clock_bounds(string date, int hours)
    {
        var night = Calendar.Find("night")!;
        var occurrence = ShiftCalendar.Occurrence(night, DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture), Berlin);

        Assert.Equal(TimeSpan.FromHours(hours), occurrence.End - occurrence.Start);
    }

    [Theory]
    [InlineData("2026-03-29")]
    [InlineData("2026-10-25")]
    [InlineData("2026-06-01")]
    public void The_default_shifts_tile_every_local_day_whatever_its_length(string date)
    {
        var day = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
        var from = ShiftCalendar.ToUtc(day, new TimeOnly(6, 0), Berlin);
        var to = ShiftCalendar.ToUtc(day.AddDays(1), new TimeOnly(6, 0), Berlin);

        var pieces = Calendar.Shifts
            .SelectMany(s => ShiftCalendar.Occurrences(s, from, to, Berlin))
            .OrderBy(o => o.Start)
            .ToList();

        Assert.Equal(3, pieces.Count);
        Assert.Equal(from, pieces[0].Start);
        Assert.Equal(pieces[0].End, pieces[1].Start);
        Assert.Equal(pieces[1].End, pieces[2].Start);
        Assert.Equal(to, pieces[2].End);
    }

    [Fact]
    public void The_shift_in_progress_is_found_on_both_sides_of_midnight()
    {
        Assert.Equal("night", Calendar.At(Utc("2026-01-20T22:30:00Z"), Berlin)!.Shift);
        var early = Calendar.At(Utc("2026-01-21T03:00:00Z"), Berlin)!;
        Assert.Equal(("night", new DateOnly(2026, 1, 20)), (early.Shift, early.Date));
        Assert.Equal("morning", Calendar.At(Utc("2026-01-21T05:00:00Z"), Berlin)!.Shift);
        Assert.Null(ShiftCalendar.Off.At(Utc("2026-01-21T05:00:00Z"), Berlin));
    }

    [Fact]
    public void Skipped_and_repeated_wall_clock_times_map_to_one_instant_each()
    {
        Assert.Equal(Utc("2026-03-29T01:00:00Z"), ShiftCalendar.ToUtc(new DateOnly(2026, 3, 29), new TimeOnly(2, 30), Berlin));
        Assert.Equal(Utc("2026-10-25T00:30:00Z"), ShiftCalendar.ToUtc(new DateOnly(2026, 10, 25), new TimeOnly(2, 30), Berlin));
    }

    [Fact]
    public void Validation_names_each_problem()
    {
        var calendar = new ShiftCalendar(true,
        [
            new("day", new(6, 0), new(14, 0), [new("late", new(13, 30), new(14, 30)), new("x", new(9, 0), new(9, 0))]),
            new("Day", new(14, 0), new(22, 0), [new("a", new(15, 0), new(16, 0)), new("b", new(15, 30), new(15, 45))]),
            new("", new(22, 0), new(6, 0), [new("meal", new(2, 0), new(2, 30))]),
        ]);

        var errors = calendar.Validate();

        Assert.Contains(errors, e => e.Field == "shifts[0].breaks[0]" && e.Message.Contains("not inside", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "shifts[0].breaks[1]");
        Assert.Contains(errors, e => e.Field == "shifts[1].name");
        Assert.Contains(errors, e => e.Field == "shifts[1].breaks[1]" && e.Message.Contains("overlap", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "shifts[2].name");
        Assert.Empty(ShiftCalendar.Default.Validate());
    }
}
