namespace Factory.Core.Metrics;

/// <summary>
/// Timestamps of every stored event (valid or not) bucketed by UTC hour, so that
/// <c>events_in_window</c> and <c>low_confidence_events</c> are whole-hour counts plus two binary searches.
/// </summary>
public sealed class EventCounts
{
    private readonly Dictionary<long, HourTicks> _hours = [];
    private long _lastHour = long.MinValue;
    private HourTicks? _lastBucket;

    public void Add(long ticks, bool lowConfidence)
    {
        var hour = TimeMath.HourOf(ticks);
        var bucket = _lastBucket;
        if (hour != _lastHour || bucket is null)
        {
            if (!_hours.TryGetValue(hour, out bucket))
            {
                _hours[hour] = bucket = new HourTicks();
            }

            (_lastHour, _lastBucket) = (hour, bucket);
        }

        Insert(bucket.All, ticks);
        if (lowConfidence)
        {
            Insert(bucket.Low, ticks);
        }
    }

    /// <summary>Counts of all and of low-confidence events with timestamp in <c>[from, to)</c>.</summary>
    public (long All, long Low) Count(long from, long to)
    {
        long all = 0, low = 0;
        if (from >= to)
        {
            return (0, 0);
        }

        var firstHour = TimeMath.HourOf(from);
        var lastHour = TimeMath.HourOf(to - 1);
        if (lastHour - firstHour > _hours.Count)
        {
            foreach (var (hour, bucket) in _hours)
            {
                if (hour >= firstHour && hour <= lastHour)
                {
                    Accumulate(hour, bucket, from, to, ref all, ref low);
                }
            }

            return (all, low);
        }

        for (var hour = firstHour; hour <= lastHour; hour++)
        {
            if (_hours.TryGetValue(hour, out var bucket))
            {
                Accumulate(hour, bucket, from, to, ref all, ref low);
            }
        }

        return (all, low);
    }

    private static void Accumulate(long hour, HourTicks bucket, long from, long to, ref long all, ref long low)
    {
        var hourStart = hour * TimeSpan.TicksPerHour;
        if (from <= hourStart && hourStart + TimeSpan.TicksPerHour <= to)
        {
            all += bucket.All.Count;
            low += bucket.Low.Count;
            return;
        }

        all += CountIn(bucket.All, from, to);
        low += CountIn(bucket.Low, from, to);
    }

    private static int CountIn(List<long> sorted, long from, long to) => LowerBound(sorted, to) - LowerBound(sorted, from);

    private static void Insert(List<long> sorted, long ticks)
    {
        if (sorted.Count == 0 || sorted[^1] <= ticks)
        {
            sorted.Add(ticks);
            return;
        }

        sorted.Insert(LowerBound(sorted, ticks), ticks);
    }

    private static int LowerBound(List<long> list, long ticks)
    {
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid] < ticks) lo = mid + 1; else hi = mid;
        }

        return lo;
    }

    private sealed class HourTicks
    {
        public List<long> All { get; } = [];
        public List<long> Low { get; } = [];
    }
}

/// <summary>Integer time arithmetic on UTC ticks.</summary>
public static class TimeMath
{
    public static long HourOf(long ticks) => Math.DivRem(ticks, TimeSpan.TicksPerHour, out var rem) - (rem < 0 ? 1 : 0);

    public static double Hours(long ticks) => ticks / (double)TimeSpan.TicksPerHour;

    public static double Ratio(double numerator, double denominator) => denominator == 0 ? 0 : numerator / denominator;

    public static double Percentage(long part, long whole) => whole == 0 ? 0 : part * 100.0 / whole;
}
