using Factory.Core.Time;

namespace Factory.Core.Metrics;

/// <summary>
/// Chart buckets aligned to the factory's time zone. Boundaries are computed in local time and converted
/// back to UTC, so a daylight-saving day has 23 or 25 hourly buckets and a daily bucket of 23 or 25 hours:
/// no hour is ever lost or counted twice.
/// </summary>
public static class TimeBuckets
{
    /// <summary>UTC boundaries of the buckets that intersect <c>[start, end)</c>; the first starts at or before <paramref name="start"/>.</summary>
    public static List<(DateTime Start, DateTime End)> Cover(DateTime start, DateTime end, BucketSize size, TimeZoneInfo zone)
    {
        var buckets = new List<(DateTime, DateTime)>();
        if (start >= end)
        {
            return buckets;
        }

        var bucketStart = Floor(start, size, zone);
        while (bucketStart < end)
        {
            var next = Next(bucketStart, size, zone);
            buckets.Add((bucketStart, next));
            bucketStart = next;
        }

        return buckets;
    }

    /// <summary>Start (UTC) of the local hour or day containing <paramref name="utc"/>.</summary>
    public static DateTime Floor(DateTime utc, BucketSize size, TimeZoneInfo zone)
    {
        if (size == BucketSize.Day)
        {
            var date = WallClock.LocalDate(utc, zone);
            var dayStart = WallClock.StartOfDay(date, zone);
            return dayStart > utc ? WallClock.StartOfDay(date.AddDays(-1), zone) : dayStart;
        }

        var offset = zone.GetUtcOffset(utc);
        var localTicks = utc.Ticks + offset.Ticks;
        var intoHour = ((localTicks % TimeSpan.TicksPerHour) + TimeSpan.TicksPerHour) % TimeSpan.TicksPerHour;
        return new DateTime(utc.Ticks - intoHour, DateTimeKind.Utc);
    }

    /// <summary>Start (UTC) of the bucket after the one starting at <paramref name="bucketStart"/>.</summary>
    public static DateTime Next(DateTime bucketStart, BucketSize size, TimeZoneInfo zone)
    {
        if (size == BucketSize.Day)
        {
            var date = WallClock.LocalDate(bucketStart, zone);
            var next = WallClock.StartOfDay(date.AddDays(1), zone);
            return next > bucketStart ? next : WallClock.StartOfDay(date.AddDays(2), zone);
        }

        var candidate = Floor(bucketStart.AddHours(1), size, zone);
        return candidate > bucketStart ? candidate : bucketStart.AddHours(1);
    }

}
