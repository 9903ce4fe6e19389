namespace Factory.Tests.Reference;

/// <summary>
/// Local wall-clock time of the factory's zone, re-derived from the README ("Shifts and breaks", "Timeseries
/// buckets") by brute force rather than by the product's conversion code.
/// </summary>
internal static class ReferenceTime
{
    private static readonly Dictionary<(string, DateTime), long> Cache = [];

    /// <summary>The wall-clock reading of a UTC instant.</summary>
    public static DateTime Local(long utcTicks, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(new DateTime(utcTicks, DateTimeKind.Utc), zone);

    /// <summary>
    /// The instant of a wall-clock time given to the minute: the earliest instant whose local reading is at or
    /// after it. That is the time itself when it occurs once, its first occurrence when a fall-back change repeats
    /// it, and the first instant after the gap when a spring-forward change skips it.
    /// </summary>
    public static long ToUtc(DateTime local, TimeZoneInfo zone)
    {
        var key = (zone.Id, local);
        lock (Cache)
        {
            if (Cache.TryGetValue(key, out var known))
            {
                return known;
            }
        }

        // Scan minute by minute from well before the answer (every zone offset is within a few hours of the base one).
        var guess = DateTime.SpecifyKind(local - zone.BaseUtcOffset, DateTimeKind.Utc);
        for (var utc = guess.AddHours(-3); utc <= guess.AddHours(3); utc = utc.AddMinutes(1))
        {
            if (TimeZoneInfo.ConvertTimeFromUtc(utc, zone) >= local)
            {
                lock (Cache)
                {
                    Cache[key] = utc.Ticks;
                }

                return utc.Ticks;
            }
        }

        throw new InvalidOperationException($"No instant found for {local:O} in {zone.Id}.");
    }

    /// <summary>The local date of an instant.</summary>
    public static DateOnly LocalDate(long utcTicks, TimeZoneInfo zone) => DateOnly.FromDateTime(Local(utcTicks, zone));

    /// <summary>
    /// Hourly bucket bounds: every instant at which the local clock reads a whole hour (found on a quarter-hour
    /// grid of UTC, which holds every real zone offset), covering <c>[from, to)</c>.
    /// </summary>
    public static List<long> HourBounds(long from, long to, TimeZoneInfo zone)
    {
        var quarter = TimeSpan.TicksPerMinute * 15;
        var first = from - (from % quarter) - TimeSpan.TicksPerHour * 2;
        var bounds = new List<long>();
        for (var t = first; t <= to + TimeSpan.TicksPerHour * 2; t += quarter)
        {
            var local = Local(t, zone);
            if (local.Minute == 0 && local.Second == 0)
            {
                bounds.Add(t);
            }
        }

        return bounds;
    }

    /// <summary>Daily bucket bounds: local midnights (as instants) around <c>[from, to)</c>.</summary>
    public static List<long> DayBounds(long from, long to, TimeZoneInfo zone)
    {
        var bounds = new List<long>();
        for (var date = LocalDate(from, zone).AddDays(-1); date <= LocalDate(to, zone).AddDays(1); date = date.AddDays(1))
        {
            bounds.Add(ToUtc(date.ToDateTime(TimeOnly.MinValue), zone));
        }

        return bounds;
    }

    /// <summary>
    /// The buckets <c>[bounds[i], bounds[i+1])</c> that overlap <c>[from, to)</c>; empty when <c>from &gt;= to</c>.
    /// </summary>
    public static List<(long Start, long End)> Buckets(List<long> bounds, long from, long to)
    {
        var buckets = new List<(long, long)>();
        for (var i = 0; i + 1 < bounds.Count; i++)
        {
            if (bounds[i] < to && bounds[i + 1] > from)
            {
                buckets.Add((bounds[i], bounds[i + 1]));
            }
        }

        return buckets;
    }

    /// <summary>
    /// The occurrences of a shift around <c>[from, to)</c>: one per local date, starting at its start time on that
    /// date and ending at its end time on that date, or on the next one when the end is at or before the start.
    /// </summary>
    public static List<(long Start, long End, DateOnly Date)> Occurrences(RefShift shift, long from, long to, TimeZoneInfo zone)
    {
        var list = new List<(long, long, DateOnly)>();
        for (var date = LocalDate(from, zone).AddDays(-2); date <= LocalDate(to, zone).AddDays(1); date = date.AddDays(1))
        {
            var endDate = shift.End <= shift.Start ? date.AddDays(1) : date;
            var start = ToUtc(date.ToDateTime(shift.Start), zone);
            var end = ToUtc(endDate.ToDateTime(shift.End), zone);
            if (start < end)
            {
                list.Add((start, end, date));
            }
        }

        return list;
    }

    /// <summary>
    /// The planned breaks of a shift around <c>[from, to)</c>. A break lies inside its shift: it is on the
    /// occurrence's date when it starts at or after the shift's start time, otherwise on the next date (a night
    /// shift's 02:00 meal), and it ends on the next date again when its end is at or before its start.
    /// </summary>
    public static List<(long Start, long End)> Breaks(RefShift shift, long from, long to, TimeZoneInfo zone)
    {
        var list = new List<(long, long)>();
        foreach (var (_, _, date) in Occurrences(shift, from, to, zone))
        {
            foreach (var pause in shift.Breaks)
            {
                var startDate = pause.Start >= shift.Start ? date : date.AddDays(1);
                var endDate = pause.End > pause.Start ? startDate : startDate.AddDays(1);
                var start = ToUtc(startDate.ToDateTime(pause.Start), zone);
                var end = ToUtc(endDate.ToDateTime(pause.End), zone);
                if (start < end)
                {
                    list.Add((start, end));
                }
            }
        }

        return list;
    }
}

/// <summary>Half-open tick intervals: unions by sorting, intersections by trying every pair.</summary>
internal static class Intervals
{
    public static long Overlap((long From, long To) a, (long From, long To) b) =>
        Math.Max(0, Math.Min(a.To, b.To) - Math.Max(a.From, b.From));

    /// <summary>Sorted, disjoint, non-touching intervals covering exactly the given ones.</summary>
    public static List<(long From, long To)> Union(IEnumerable<(long From, long To)> items)
    {
        var result = new List<(long From, long To)>();
        foreach (var (a, b) in items.Where(i => i.From < i.To).OrderBy(i => i.From))
        {
            if (result.Count > 0 && result[^1].To >= a)
            {
                result[^1] = (result[^1].From, Math.Max(result[^1].To, b));
            }
            else
            {
                result.Add((a, b));
            }
        }

        return result;
    }

    /// <summary>The intersection of two sets of intervals, as a union.</summary>
    public static List<(long From, long To)> Intersect(IEnumerable<(long From, long To)> left, IEnumerable<(long From, long To)> right)
    {
        var pieces = new List<(long, long)>();
        var rightList = right.ToList();
        foreach (var a in left)
        {
            foreach (var b in rightList)
            {
                var from = Math.Max(a.From, b.From);
                var to = Math.Min(a.To, b.To);
                if (from < to)
                {
                    pieces.Add((from, to));
                }
            }
        }

        return Union(pieces);
    }

    public static long Length(IEnumerable<(long From, long To)> items) => items.Sum(i => i.To - i.From);

    /// <summary>How much of <paramref name="piece"/> lies inside the (disjoint) <paramref name="set"/>.</summary>
    public static long OverlapWith((long From, long To) piece, IEnumerable<(long From, long To)> set) => set.Sum(s => Overlap(piece, s));
}
