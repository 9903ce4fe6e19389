using Factory.Core.Events;

namespace Factory.Core.Alerts;

/// <summary>
/// Sums of the trailing hour in one-minute buckets (60 of them, the current one included): a fixed-size ring, so the
/// memory of a figure never grows with history. Values older than the ring are dropped as time moves on.
/// </summary>
internal sealed class MinuteRing
{
    public const int Minutes = 60;
    private readonly long[] _minute = new long[Minutes];
    private readonly double[] _a = new double[Minutes];
    private readonly double[] _b = new double[Minutes];

    public MinuteRing() => Array.Fill(_minute, long.MinValue);

    public void Add(long ticks, double a, double b)
    {
        var minute = ticks / TimeSpan.TicksPerMinute;
        var i = (int)(((minute % Minutes) + Minutes) % Minutes);
        if (_minute[i] != minute)
        {
            if (_minute[i] > minute)
            {
                return; // older than the ring holds
            }

            _minute[i] = minute;
            _a[i] = 0;
            _b[i] = 0;
        }

        _a[i] += a;
        _b[i] += b;
    }

    /// <summary>Adds seconds of <c>[from, to)</c> to each minute it covers: <paramref name="a"/> and <paramref name="b"/> say which sums count them.</summary>
    public void AddSpan(long from, long to, bool a, bool b)
    {
        while (from < to)
        {
            var minuteEnd = (from / TimeSpan.TicksPerMinute + 1) * TimeSpan.TicksPerMinute;
            var end = Math.Min(to, minuteEnd);
            var seconds = (end - from) / (double)TimeSpan.TicksPerSecond;
            Add(from, a ? seconds : 0, b ? seconds : 0);
            from = end;
        }
    }

    /// <summary>Both sums over the 60 minutes ending with the minute of <paramref name="nowTicks"/>.</summary>
    public (double A, double B) Sum(long nowTicks)
    {
        var now = nowTicks / TimeSpan.TicksPerMinute;
        double a = 0, b = 0;
        for (var i = 0; i < Minutes; i++)
        {
            if (_minute[i] <= now && _minute[i] > now - Minutes)
            {
                a += _a[i];
                b += _b[i];
            }
        }

        return (a, b);
    }
}

/// <summary>What the alert rules know of one worker: last sighting, current state, and the trailing hour.</summary>
internal sealed class WorkerLive(string id)
{
    public string Id { get; } = id;
    public long LastSeen { get; set; } = long.MinValue;
    public string? LastStation { get; set; }
    public EventType? State { get; set; }
    public long StateAt { get; set; } = long.MinValue;
    public string? StateStation { get; set; }
    public long IdleSince { get; set; }
    public long AccruedUntil { get; set; } = long.MinValue;

    /// <summary>A: working seconds.</summary>
    public MinuteRing Working { get; } = new();

    /// <summary>A: units.</summary>
    public MinuteRing Units { get; } = new();
}

/// <summary>What the alert rules know of one workstation: who is there now, and the union of their time over the trailing hour.</summary>
internal sealed class StationLive(string id)
{
    public string Id { get; } = id;

    /// <summary>Workers whose current (working or idle) state was reported here, with the instant it lapses.</summary>
    public Dictionary<string, (EventType State, long Expiry)> Present { get; } = new(StringComparer.Ordinal);

    public long AccruedUntil { get; set; } = long.MinValue;

    /// <summary>A: seconds with someone working; B: seconds with someone working or idle (occupied).</summary>
    public MinuteRing Time { get; } = new();

    /// <summary>A: units.</summary>
    public MinuteRing Units { get; } = new();
}

/// <summary>What the alert rules know of one camera: when it last reported, the stations it reported at, confidence and lateness.</summary>
internal sealed class CameraLive(string id)
{
    public const int MaxStations = 16;

    public string Id { get; } = id;
    public long LastSeen { get; set; } = long.MinValue;

    /// <summary>Stations in its recent events, with the last instant seen there (at most <see cref="MaxStations"/>).</summary>
    public Dictionary<string, long> Stations { get; } = new(StringComparer.Ordinal);

    /// <summary>A: sum of confidence; B: events (by timestamp).</summary>
    public MinuteRing Confidence { get; } = new();

    /// <summary>A: late events; B: events (by time received).</summary>
    public MinuteRing Late { get; } = new();
}
