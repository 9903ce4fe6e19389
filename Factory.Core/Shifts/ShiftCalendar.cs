using Factory.Core.Time;

namespace Factory.Core.Shifts;

/// <summary>A planned break inside a shift, in local wall-clock time (it may cross midnight).</summary>
public sealed record PlannedBreak(string Name, TimeOnly Start, TimeOnly End);

/// <summary>
/// A named shift in local wall-clock time. <see cref="End"/> at or before <see cref="Start"/> means the
/// shift ends on the next day (22:00–06:00); equal times mean a 24-hour shift.
/// </summary>
public sealed record ShiftDefinition(string Name, TimeOnly Start, TimeOnly End, IReadOnlyList<PlannedBreak> Breaks)
{
    /// <summary>True when the shift ends on the local day after the one it starts on.</summary>
    public bool CrossesMidnight => End <= Start;
}

/// <summary>One occurrence of a shift: the local date it starts on and its UTC bounds <c>[Start, End)</c>.</summary>
public sealed record ShiftOccurrence(string Shift, DateOnly Date, DateTime Start, DateTime End);

/// <summary>
/// The plant's shift calendar. Shift and break bounds are wall-clock times of the factory's time zone, so
/// a shift that spans a daylight-saving change is an hour shorter or longer, and shifts that meet on
/// the clock (14:00 end, 14:00 start) meet exactly in UTC too: a calendar whose shifts tile the day
/// tiles every local day, whatever its length.
/// <para>
/// Wall-clock times are mapped to instants the same way everywhere: a time skipped by a spring-forward
/// change maps to the first instant after the gap, and a time that occurs twice maps to its first occurrence.
/// </para>
/// </summary>
public sealed record ShiftCalendar(bool Enabled, IReadOnlyList<ShiftDefinition> Shifts)
{
    /// <summary>Morning 06:00–14:00 (lunch 13:00–13:45), evening 14:00–22:00 (18:00–18:30), night 22:00–06:00 (02:00–02:30).</summary>
    public static ShiftCalendar Default { get; } = new(true,
    [
        new("morning", new(6, 0), new(14, 0), [new("lunch", new(13, 0), new(13, 45))]),
        new("evening", new(14, 0), new(22, 0), [new("meal", new(18, 0), new(18, 30))]),
        new("night", new(22, 0), new(6, 0), [new("meal", new(2, 0), new(2, 30))]),
    ]);

    /// <summary>A calendar that changes nothing: no breaks, no shifts.</summary>
    public static ShiftCalendar Off { get; } = new(false, []);

    /// <summary>The shift with this name (case-insensitive), or null.</summary>
    public ShiftDefinition? Find(string? name) =>
        name is null ? null : Shifts.FirstOrDefault(s => string.Equals(s.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The occurrence of <paramref name="shift"/> that starts on local date <paramref name="date"/>.</summary>
    public static ShiftOccurrence Occurrence(ShiftDefinition shift, DateOnly date, TimeZoneInfo zone)
    {
        var endDate = shift.CrossesMidnight ? date.AddDays(1) : date;
        return new ShiftOccurrence(shift.Name, date, ToUtc(date, shift.Start, zone), ToUtc(endDate, shift.End, zone));
    }

    /// <summary>Occurrences of <paramref name="shift"/> overlapping <c>[fromUtc, toUtc)</c>, in order.</summary>
    public static IEnumerable<ShiftOccurrence> Occurrences(ShiftDefinition shift, DateTime fromUtc, DateTime toUtc, TimeZoneInfo zone)
    {
        if (fromUtc >= toUtc)
        {
            yield break;
        }

        var first = LocalDate(fromUtc, zone).AddDays(-1);
        var last = LocalDate(toUtc, zone);
        for (var date = first; date <= last; date = date.AddDays(1))
        {
            var occurrence = Occurrence(shift, date, zone);
            if (occurrence.Start < toUtc && occurrence.End > fromUtc && occurrence.Start < occurrence.End)
            {
                yield return occurrence;
            }
        }
    }

    /// <summary>UTC bounds of the planned breaks of one occurrence.</summary>
    public static IEnumerable<(DateTime Start, DateTime End)> Breaks(ShiftDefinition shift, ShiftOccurrence occurrence, TimeZoneInfo zone)
    {
        foreach (var pause in shift.Breaks)
        {
            // A break belongs to the occurrence's local day when it starts at or after the shift's start,
            // otherwise to the next day (a night shift's 02:00 break).
            var startDate = pause.Start >= shift.Start ? occurrence.Date : occurrence.Date.AddDays(1);
            var endDate = pause.End > pause.Start ? startDate : startDate.AddDays(1);
            var start = ToUtc(startDate, pause.Start, zone);
            var end = ToUtc(endDate, pause.End, zone);
            if (start < end)
            {
                yield return (start, end);
            }
        }
    }

    /// <summary>The occurrence in progress at <paramref name="utc"/> (the first listed shift wins an overlap), or null.</summary>
    public ShiftOccurrence? At(DateTime utc, TimeZoneInfo zone)
    {
        foreach (var shift in Shifts)
        {
            foreach (var occurrence in Occurrences(shift, utc, utc.AddTicks(1), zone))
            {
                return occurrence;
            }
        }

        return null;
    }

    /// <summary>
    /// The occurrence that ended last at or before <paramref name="utc"/> (of <paramref name="only"/>, or of any shift),
    /// looking back at most <paramref name="lookBackDays"/> days; null when none did.
    /// </summary>
    public ShiftOccurrence? LastCompleted(DateTime utc, TimeZoneInfo zone, ShiftDefinition? only = null, int lookBackDays = 3)
    {
        ShiftOccurrence? last = null;
        foreach (var shift in only is null ? Shifts : [only])
        {
            foreach (var occurrence in Occurrences(shift, utc.AddDays(-lookBackDays), utc, zone))
            {
                if (occurrence.End <= utc && (last is null || occurrence.End > last.End))
                {
                    last = occurrence;
                }
            }
        }

        return last;
    }

    /// <summary>What is wrong with this calendar, as (field, message) pairs; empty when it is usable.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var errors = new List<(string, string)>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Shifts.Count; i++)
        {
            var shift = Shifts[i];
            var field = $"shifts[{i}]";
            if (string.IsNullOrWhiteSpace(shift.Name) || shift.Name.Length > 64)
            {
                errors.Add(($"{field}.name", "A shift needs a name of 1 to 64 characters."));
            }
            else if (!names.Add(shift.Name.Trim()))
            {
                errors.Add(($"{field}.name", $"The shift name '{shift.Name}' is used twice."));
            }

            var length = Minutes(shift.Start, shift.End);
            var taken = new List<(int From, int To)>();
            for (var j = 0; j < shift.Breaks.Count; j++)
            {
                var pause = shift.Breaks[j];
                var breakField = $"{field}.breaks[{j}]";
                var from = Minutes(shift.Start, pause.Start);
                var to = from + Minutes(pause.Start, pause.End);
                if (pause.Start == pause.End)
                {
                    errors.Add((breakField, "A break must end after it starts."));
                }
                else if (to > length)
                {
                    errors.Add((breakField, $"The break {pause.Start:HH\\:mm}–{pause.End:HH\\:mm} is not inside the shift {shift.Start:HH\\:mm}–{shift.End:HH\\:mm}."));
                }
                else if (taken.Any(t => from < t.To && t.From < to))
                {
                    errors.Add((breakField, "Breaks of a shift must not overlap."));
                }
                else
                {
                    taken.Add((from, to));
                }
            }
        }

        return errors;
    }

    /// <summary>Wall-clock minutes from <paramref name="from"/> forward to <paramref name="to"/> (1440 when equal).</summary>
    private static int Minutes(TimeOnly from, TimeOnly to)
    {
        var minutes = (int)(to - from).TotalMinutes;
        return minutes == 0 ? 1440 : minutes;
    }

    private static DateOnly LocalDate(DateTime utc, TimeZoneInfo zone) => WallClock.LocalDate(utc, zone);

    /// <summary>The instant of a local wall-clock time (the rule of <see cref="WallClock"/>: skipped times land after the gap, repeated ones at their first occurrence).</summary>
    public static DateTime ToUtc(DateOnly date, TimeOnly time, TimeZoneInfo zone) => WallClock.ToUtc(date, time, zone);
}
