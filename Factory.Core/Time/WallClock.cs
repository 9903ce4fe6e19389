namespace Factory.Core.Time;

/// <summary>
/// The one owner of conversions between the plant's wall-clock time and UTC instants. One rule everywhere:
/// a wall-clock time skipped by a daylight-saving jump (spring forward) is the first instant after the gap, exactly;
/// a repeated one (fall back) is its first occurrence. So a day, shift or bucket that starts at a skipped time starts
/// when the clocks land, and one that starts at a repeated time starts the first time the clock shows it.
/// </summary>
public static class WallClock
{
    /// <summary>The UTC instant of local wall-clock time <paramref name="local"/> (its kind is ignored).</summary>
    public static DateTime ToUtc(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            return EndOfGap(local, zone);
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTime(local.Ticks - offset.Ticks, DateTimeKind.Utc);
    }

    /// <summary>The UTC instant of <paramref name="time"/> on local date <paramref name="date"/>.</summary>
    public static DateTime ToUtc(DateOnly date, TimeOnly time, TimeZoneInfo zone) =>
        ToUtc(date.ToDateTime(time, DateTimeKind.Unspecified), zone);

    /// <summary>The first instant of local date <paramref name="date"/>.</summary>
    public static DateTime StartOfDay(DateOnly date, TimeZoneInfo zone) => ToUtc(date, TimeOnly.MinValue, zone);

    /// <summary>The wall-clock time at instant <paramref name="utc"/> (a UTC <see cref="DateTime"/>; the kind is ignored).</summary>
    public static DateTime ToLocal(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);

    /// <summary>The wall-clock time at <paramref name="utc"/> with its offset.</summary>
    public static DateTimeOffset ToLocalOffset(DateTime utc, TimeZoneInfo zone)
    {
        utc = DateTime.SpecifyKind(utc, DateTimeKind.Utc);
        return new DateTimeOffset(utc).ToOffset(zone.GetUtcOffset(utc));
    }

    /// <summary>The local date at instant <paramref name="utc"/>.</summary>
    public static DateOnly LocalDate(DateTime utc, TimeZoneInfo zone) => DateOnly.FromDateTime(ToLocal(utc, zone));

    /// <summary>The first instant of the local day containing <paramref name="utc"/>.</summary>
    public static DateTime StartOfLocalDay(DateTime utc, TimeZoneInfo zone) => StartOfDay(LocalDate(utc, zone), zone);

    /// <summary>
    /// The instant the clocks jump over <paramref name="skipped"/>: the offsets a day before and after bound it to
    /// the gap's length in UTC, and a binary search finds the first instant with the later offset, to the tick.
    /// </summary>
    private static DateTime EndOfGap(DateTime skipped, TimeZoneInfo zone)
    {
        var before = zone.GetUtcOffset(skipped.AddDays(-1));
        var after = zone.GetUtcOffset(skipped.AddDays(1));
        long low = skipped.Ticks - after.Ticks, high = skipped.Ticks - before.Ticks;
        if (low >= high)
        {
            // Not the usual shape of a gap (another change within a day): walk minutes until the time exists.
            var probe = skipped;
            for (var guard = 0; zone.IsInvalidTime(probe) && guard < 24 * 60; guard++)
            {
                probe = probe.AddMinutes(1);
            }

            return ToUtc(probe, zone);
        }

        // Invariant: the offset at `low` is the earlier one, at `high` the later one.
        while (high - low > 1)
        {
            var middle = low + ((high - low) / 2);
            if (zone.GetUtcOffset(new DateTime(middle, DateTimeKind.Utc)) == after)
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        return new DateTime(high, DateTimeKind.Utc);
    }
}
