using System.Globalization;
using Factory.Core.Data;
using Factory.Core.Metrics;
using Factory.Core.Time;
using Microsoft.Extensions.Options;

namespace Factory.Core.Limits;

/// <summary>
/// The one owner of read limits: how long a window and how many buckets a read may ask for. The API's parameter
/// binding and the dashboard's range picker both ask it before computing anything; a refusal is a sentence that
/// names the limit and its setting, so the caller can say which parameter broke it.
/// </summary>
public sealed class QueryLimits(IOptions<LimitsOptions> options, IOptions<RetentionOptions> retention, IOptions<FactoryOptions> factory)
{
    /// <summary>Longest window one read may cover.</summary>
    public TimeSpan MaxWindow => options.Value.MaxWindow ?? retention.Value.Period;

    /// <summary>Most buckets one timeseries may have.</summary>
    public int MaxBuckets => options.Value.MaxBuckets;

    /// <summary>Most events one page of the event log may hold.</summary>
    public int MaxPageSize => options.Value.MaxPageSize;

    /// <summary>Most whole days a read counted in days may reach back (at least one).</summary>
    public int MaxDays => Math.Max(1, (int)Math.Floor(MaxWindow.TotalDays));

    /// <summary>Null when <c>[start, end)</c> is within <see cref="MaxWindow"/>; otherwise why not. An empty or inverted window costs nothing and passes.</summary>
    public string? CheckWindow(DateTime start, DateTime end)
    {
        var span = end - start;
        return span <= MaxWindow
            ? null
            : $"The window is {Describe(span)} long; at most {Describe(MaxWindow)} (Limits:MaxWindow) may be read at once. Choose a shorter window.";
    }

    /// <summary>Null when a timeseries of <paramref name="bucket"/> buckets over <c>[start, end)</c> has at most <see cref="MaxBuckets"/>; otherwise why not.</summary>
    public string? CheckBuckets(DateTime start, DateTime end, BucketSize bucket)
    {
        var count = BucketCount(start, end, bucket);
        return count <= MaxBuckets
            ? null
            : $"The window holds {count.ToString(CultureInfo.InvariantCulture)} {(bucket == BucketSize.Hour ? "hourly" : "daily")} buckets; " +
              $"at most {MaxBuckets.ToString(CultureInfo.InvariantCulture)} (Limits:MaxBuckets) are computed at once. Choose a shorter window or daily buckets.";
    }

    /// <summary>
    /// Buckets of the factory's local hours (or days of 24 h) from the one holding <paramref name="start"/> up to
    /// <paramref name="end"/>: exact for whole-hour zones away from daylight-saving changes, within one otherwise.
    /// Arithmetic only, so even an absurd window costs nothing to check.
    /// </summary>
    public long BucketCount(DateTime start, DateTime end, BucketSize bucket)
    {
        if (end <= start)
        {
            return 0;
        }

        var length = bucket == BucketSize.Hour ? TimeSpan.TicksPerHour : TimeSpan.TicksPerDay;
        var offset = factory.Value.Zone.GetUtcOffset(DateTime.SpecifyKind(start, DateTimeKind.Utc)).Ticks;
        var local = start.Ticks + offset;
        var aligned = local - PositiveModulo(local, length) - offset;
        return (end.Ticks - aligned + length - 1) / length;
    }

    private static long PositiveModulo(long value, long divisor) => ((value % divisor) + divisor) % divisor;

    /// <summary>"90 days", "36 hours", "45 minutes": the largest unit that reads naturally.</summary>
    public static string Describe(TimeSpan span)
    {
        if (span >= TimeSpan.FromDays(2))
        {
            return $"{Round(span.TotalDays)} days";
        }

        if (span >= TimeSpan.FromHours(2))
        {
            return $"{Round(span.TotalHours)} hours";
        }

        return $"{Round(span.TotalMinutes)} minutes";
    }

    private static string Round(double value) => Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture);
}
