namespace Factory.Core.DataQuality;

/// <summary>
/// Lags counted in log-linear buckets (exact below 2 ms, then 1024 steps per power of two: under 0.1 % error), so
/// that percentiles over millions of events need memory bounded by the range of lags, not by their number.
/// Percentiles interpolate between ranks as <c>percentile_cont</c> does.
/// </summary>
internal sealed class LagHistogram
{
    private const int SubBucketBits = 10;
    private const long ExactBelow = 1L << (SubBucketBits + 1);

    private readonly Dictionary<long, long> _counts = [];
    private (long Value, long Count)[]? _sorted;

    public long Count { get; private set; }

    /// <summary>Adds a lag in microseconds.</summary>
    public void Add(long micros)
    {
        var key = Representative(micros);
        _counts[key] = _counts.GetValueOrDefault(key) + 1;
        Count++;
        _sorted = null;
    }

    public void Merge(LagHistogram other)
    {
        foreach (var (key, count) in other._counts)
        {
            _counts[key] = _counts.GetValueOrDefault(key) + count;
        }

        Count += other.Count;
        _sorted = null;
    }

    /// <summary>The continuous percentile <paramref name="p"/> (0..1) in seconds, or null when empty.</summary>
    public double? Percentile(double p)
    {
        if (Count == 0)
        {
            return null;
        }

        _sorted ??= _counts.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value)).ToArray();
        var rank = p * (Count - 1);
        var lowerRank = (long)Math.Floor(rank);
        var lower = ValueAt(lowerRank);
        var upper = ValueAt(Math.Min(lowerRank + 1, Count - 1));
        var micros = lower + (upper - lower) * (rank - lowerRank);
        return micros / 1_000_000.0;
    }

    private long ValueAt(long rank)
    {
        long seen = 0;
        foreach (var (value, count) in _sorted!)
        {
            seen += count;
            if (rank < seen)
            {
                return value;
            }
        }

        return _sorted[^1].Value;
    }

    /// <summary>The middle of the bucket holding <paramref name="micros"/> (negative lags mirror positive ones).</summary>
    internal static long Representative(long micros)
    {
        if (micros < 0)
        {
            return micros == long.MinValue ? long.MinValue : -Representative(-micros);
        }

        if (micros < ExactBelow)
        {
            return micros;
        }

        var shift = 63 - (int)long.LeadingZeroCount(micros) - SubBucketBits;
        var width = 1L << shift;
        return (micros & ~(width - 1)) + width / 2;
    }
}
