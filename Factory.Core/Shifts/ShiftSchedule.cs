namespace Factory.Core.Shifts;

/// <summary>
/// A calendar bound to the factory's time zone, answering in UTC ticks what the metrics engine asks:
/// the occurrences of a shift and the planned breaks of a registry shift inside a range.
/// An off calendar has no shifts and no breaks, so every figure computed with it is the plain one.
/// </summary>
public sealed class ShiftSchedule
{
    public ShiftSchedule(ShiftCalendar calendar, TimeZoneInfo zone)
    {
        Calendar = calendar;
        Zone = zone;
    }

    /// <summary>No shifts, no breaks.</summary>
    public static ShiftSchedule Off { get; } = new(ShiftCalendar.Off, TimeZoneInfo.Utc);

    public ShiftCalendar Calendar { get; }

    public TimeZoneInfo Zone { get; }

    public bool Enabled => Calendar.Enabled && Calendar.Shifts.Count > 0;

    /// <summary>The calendar shift a registry shift name refers to (case-insensitive), or null (also when the calendar is off).</summary>
    public ShiftDefinition? Find(string? name) => Calendar.Enabled ? Calendar.Find(name) : null;

    /// <summary>The parts of <c>[from, to)</c> inside occurrences of <paramref name="shift"/>, ascending and disjoint.</summary>
    public List<(long From, long To)> OccurrenceRanges(ShiftDefinition shift, long from, long to)
    {
        var ranges = new List<(long From, long To)>();
        if (from >= to)
        {
            return ranges;
        }

        foreach (var occurrence in ShiftCalendar.Occurrences(shift, Utc(from), Utc(to), Zone))
        {
            Append(ranges, Math.Max(from, occurrence.Start.Ticks), Math.Min(to, occurrence.End.Ticks));
        }

        return ranges;
    }

    /// <summary>
    /// The planned breaks of the registry shift <paramref name="workerShift"/> intersected with <c>[from, to)</c>,
    /// ascending and disjoint; empty when the calendar is off or has no such shift.
    /// </summary>
    public List<(long From, long To)> BreakRanges(string? workerShift, long from, long to)
    {
        var ranges = new List<(long From, long To)>();
        if (from >= to || Find(workerShift) is not { } shift || shift.Breaks.Count == 0)
        {
            return ranges;
        }

        var pieces = new List<(long From, long To)>();
        foreach (var occurrence in ShiftCalendar.Occurrences(shift, Utc(from), Utc(to), Zone))
        {
            foreach (var (start, end) in ShiftCalendar.Breaks(shift, occurrence, Zone))
            {
                var a = Math.Max(from, start.Ticks);
                var b = Math.Min(to, end.Ticks);
                if (a < b)
                {
                    pieces.Add((a, b));
                }
            }
        }

        pieces.Sort();
        foreach (var (a, b) in pieces)
        {
            Append(ranges, a, b);
        }

        return ranges;
    }

    /// <summary>True when <paramref name="ticks"/> lies inside a planned break of the registry shift <paramref name="workerShift"/>.</summary>
    public bool IsOnBreak(string? workerShift, long ticks) => BreakRanges(workerShift, ticks, ticks + 1).Count > 0;

    /// <summary>Adds <c>[from, to)</c> to ascending disjoint ranges, merging with the last one when they touch or overlap.</summary>
    private static void Append(List<(long From, long To)> ranges, long from, long to)
    {
        if (from >= to)
        {
            return;
        }

        if (ranges.Count > 0 && ranges[^1].To >= from)
        {
            ranges[^1] = (ranges[^1].From, Math.Max(ranges[^1].To, to));
            return;
        }

        ranges.Add((from, to));
    }

    private static DateTime Utc(long ticks) => new(ticks, DateTimeKind.Utc);
}
