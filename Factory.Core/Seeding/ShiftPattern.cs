using Factory.Core.Shifts;

namespace Factory.Core.Seeding;

/// <summary>
/// When a shift starts (local wall-clock time), how long it lasts and when its break is.
/// Durations are elapsed time, so a shift that spans a daylight-saving change still lasts its length.
/// </summary>
public sealed record ShiftPattern(string Name, TimeOnly Start, TimeSpan Length, TimeSpan BreakAfter, TimeSpan BreakLength)
{
    /// <summary>06:00–14:00 with the 45-minute lunch at 13:00.</summary>
    public static ShiftPattern Morning { get; } = new("morning", new TimeOnly(6, 0), TimeSpan.FromHours(8), TimeSpan.FromHours(7), TimeSpan.FromMinutes(45));

    /// <summary>14:00–22:00 with a 30-minute meal break at 18:00.</summary>
    public static ShiftPattern Evening { get; } = new("evening", new TimeOnly(14, 0), TimeSpan.FromHours(8), TimeSpan.FromHours(4), TimeSpan.FromMinutes(30));

    /// <summary>22:00–06:00 with a 30-minute meal break at 02:00.</summary>
    public static ShiftPattern Night { get; } = new("night", new TimeOnly(22, 0), TimeSpan.FromHours(8), TimeSpan.FromHours(4), TimeSpan.FromMinutes(30));

    /// <summary>The pattern for a registry shift name; unknown names work the morning shift.</summary>
    public static ShiftPattern ForShift(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "evening" or "afternoon" or "late" => Evening,
        "night" => Night,
        _ => Morning,
    };

    /// <summary>
    /// The pattern for a registry shift name from the calendar: the calendar shift's start and length, and its
    /// first planned break, so demo breaks fall in the planned ones. Without a calendar (or when it is off, or
    /// has no such shift) the fixed patterns of <see cref="ForShift(string?)"/>.
    /// </summary>
    public static ShiftPattern ForShift(string? name, ShiftCalendar? calendar) =>
        calendar is { Enabled: true } && calendar.Find(name) is { } shift ? FromCalendar(shift) : ForShift(name);

    /// <summary>A calendar shift as a pattern: the wall-clock length, and the break that comes first in the shift (none: no break).</summary>
    public static ShiftPattern FromCalendar(ShiftDefinition shift)
    {
        var length = TimeSpan.FromMinutes(Minutes(shift.Start, shift.End));
        var first = shift.Breaks
            .Select(b => (After: TimeSpan.FromMinutes(Minutes(shift.Start, b.Start) % 1440), Length: TimeSpan.FromMinutes(Minutes(b.Start, b.End))))
            .Where(b => b.After + b.Length <= length)
            .OrderBy(b => b.After)
            .FirstOrDefault((After: length, Length: TimeSpan.Zero));
        return new ShiftPattern(shift.Name, shift.Start, length, first.After, first.Length);
    }

    /// <summary>Wall-clock minutes from <paramref name="from"/> forward to <paramref name="to"/> (1440 when equal).</summary>
    private static int Minutes(TimeOnly from, TimeOnly to)
    {
        var minutes = (int)(to - from).TotalMinutes;
        return minutes == 0 ? 1440 : minutes;
    }
}
