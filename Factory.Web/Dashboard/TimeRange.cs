using System.Globalization;
using Factory.Core.Events;
using Factory.Core.Limits;
using Factory.Core.Metrics;

namespace Factory.Web.Dashboard;

/// <summary>The preset windows of the time-range picker.</summary>
public enum RangeKind
{
    Shift,
    Today,
    Last24Hours,
    Last7Days,
    Custom,
}

/// <summary>
/// A time range as kept in the page URL (<c>?range=shift|today|24h|7d|custom&amp;from=…&amp;to=…</c>), so a view can be
/// shared. Presets are resolved in factory time against the current clock; custom bounds carry their own offset.
/// </summary>
public sealed record TimeRange(RangeKind Kind, DateTimeOffset? From = null, DateTimeOffset? To = null)
{
    /// <summary>Shift starts in local time used when calendars are off or no shift is in progress: 06:00, 14:00, 22:00.</summary>
    public static readonly IReadOnlyList<int> ShiftStartHours = [6, 14, 22];

    public static TimeRange Default { get; } = new(RangeKind.Last24Hours);

    public static IReadOnlyList<(RangeKind Kind, string Label)> Presets { get; } =
    [
        (RangeKind.Shift, "Live shift"),
        (RangeKind.Today, "Today"),
        (RangeKind.Last24Hours, "24 h"),
        (RangeKind.Last7Days, "7 d"),
        (RangeKind.Custom, "Custom"),
    ];

    /// <summary>
    /// Why the range the URL asked for is not shown (it broke a read limit), or null. Set by <see cref="Within"/>; the
    /// range picker shows it beside the presets.
    /// </summary>
    public string? Problem { get; init; }

    /// <summary>
    /// This range when its window and buckets are within <paramref name="limits"/>; otherwise the default range with a
    /// <see cref="Problem"/> that says why, so a page never computes (or fails on) a window the API would refuse.
    /// </summary>
    public TimeRange Within(QueryLimits limits, FactoryClock clock)
    {
        var (start, end) = Resolve(clock);
        var problem = limits.CheckWindow(start, end) ?? limits.CheckBuckets(start, end, Bucket(clock));
        return problem is null ? this : Default with { Problem = $"{problem} Showing the last 24 h instead." };
    }

    /// <summary>True when the window ends now, so new events change it.</summary>
    public bool IsLive => Kind != RangeKind.Custom || To is null;

    /// <summary>Reads the URL's values; anything unreadable falls back to the default range.</summary>
    public static TimeRange Parse(string? range, string? from, string? to)
    {
        switch (range)
        {
            case "shift": return new TimeRange(RangeKind.Shift);
            case "today": return new TimeRange(RangeKind.Today);
            case "24h": return new TimeRange(RangeKind.Last24Hours);
            case "7d": return new TimeRange(RangeKind.Last7Days);
            case "custom":
                var start = ParseInstant(from);
                var end = ParseInstant(to);
                if (start is null || (end is not null && end <= start))
                {
                    return Default;
                }

                return new TimeRange(RangeKind.Custom, start, end);
            default:
                return Default;
        }
    }

    public string Key => Kind switch
    {
        RangeKind.Shift => "shift",
        RangeKind.Today => "today",
        RangeKind.Last7Days => "7d",
        RangeKind.Custom => "custom",
        _ => "24h",
    };

    public string Label => Kind == RangeKind.Custom && From is { } f
        ? $"{f:yyyy-MM-dd HH:mm} – {(To is { } t ? t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "now")}"
        : Presets.First(p => p.Kind == Kind).Label;

    /// <summary>The query-string values of this range (null removes a parameter).</summary>
    public IReadOnlyDictionary<string, object?> ToQuery() => new Dictionary<string, object?>
    {
        ["range"] = Key,
        ["from"] = Kind == RangeKind.Custom ? Format(From) : null,
        ["to"] = Kind == RangeKind.Custom ? Format(To) : null,
    };

    /// <summary>The UTC bounds <c>[start, end)</c>; <c>end</c> is now for every window that reaches the present.</summary>
    public (DateTime Start, DateTime End) Resolve(FactoryClock clock)
    {
        var now = clock.UtcNow;
        return Kind switch
        {
            RangeKind.Shift => (CurrentShiftStart(clock), now),
            RangeKind.Today => (clock.StartOfTodayUtc, now),
            RangeKind.Last7Days => (now.AddDays(-7), now),
            RangeKind.Custom when From is { } f => (f.UtcDateTime, To?.UtcDateTime ?? now),
            _ => (now.AddHours(-24), now),
        };
    }

    /// <summary>Hourly buckets up to two days, daily beyond.</summary>
    public BucketSize Bucket(FactoryClock clock)
    {
        var (start, end) = Resolve(clock);
        return end - start > TimeSpan.FromDays(2) ? BucketSize.Day : BucketSize.Hour;
    }

    /// <summary>
    /// Start of the shift in progress, in UTC: the calendar's current occurrence (<see cref="FactoryClock.CurrentShift"/>),
    /// or, when calendars are off or no shift is in progress, the last of <see cref="ShiftStartHours"/>.
    /// </summary>
    public static DateTime CurrentShiftStart(FactoryClock clock)
    {
        if (clock.CurrentShift is { } occurrence)
        {
            return occurrence.Start;
        }

        var local = clock.LocalNow.DateTime;
        var day = local.Date;
        var hour = local.Hour;
        var startHour = ShiftStartHours.LastOrDefault(h => h <= hour, -1);
        var start = startHour >= 0 ? day.AddHours(startHour) : day.AddDays(-1).AddHours(ShiftStartHours[^1]);
        return clock.LocalToUtc(start);
    }

    private static DateTimeOffset? ParseInstant(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || !WireTime.TryParse(value, out var utc, out _))
        {
            return null;
        }

        // Keep the offset the user gave so the shared link reads the same.
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset)
            ? withOffset
            : new DateTimeOffset(utc);
    }

    private static string? Format(DateTimeOffset? value) =>
        value?.ToString("yyyy-MM-dd'T'HH:mmzzz", CultureInfo.InvariantCulture);
}
