namespace Factory.Tests.Reference;

/// <summary>The shape of one random case: zone, period, rules and whether shift calendars are on.</summary>
internal sealed record Scenario(
    int Seed,
    string Zone,
    DateTime From,
    TimeSpan Span,
    bool Calendars,
    double MinConfidence,
    TimeSpan StateTimeout,
    TimeSpan OffShiftGap)
{
    public override string ToString() =>
        $"seed {Seed} ({Zone}, {From:yyyy-MM-dd HH:mm}Z + {Span.TotalHours} h, calendars {(Calendars ? "on" : "off")}, " +
        $"MinConfidence {MinConfidence}, StateTimeout {StateTimeout}, OffShiftGap {OffShiftGap})";
}

/// <summary>An event to post and the instant the camera's upload reaches the server (at or after which it is posted).</summary>
internal sealed record Planned(RefEvent Event, string? Camera, long ArrivesAt);

/// <summary>
/// Random camera histories for the six registry workers: re-asserted states with gaps of every class (including
/// exactly StateTimeout, exactly OffShiftGap and one tick more), same-timestamp ties, products at the worker's and
/// at other stations, low-confidence events (and some exactly at the threshold), several model versions, retried
/// duplicates and reused event ids, and arrival lags from none to a day late or a few minutes early.
/// </summary>
internal static class RandomHistory
{
    public static readonly string[] Models = ["m-a", "m-b", "m-c"];

    public static List<Planned> Generate(Random rng, Scenario scenario, IReadOnlyList<RefWorker> workers, IReadOnlyList<RefStation> stations)
    {
        var from = scenario.From.Ticks;
        var to = from + scenario.Span.Ticks;
        var timeout = scenario.StateTimeout.Ticks;
        var gap = scenario.OffShiftGap.Ticks;
        var planned = new List<Planned>();
        var eventIds = 0;

        string Station() => stations[rng.Next(stations.Count)].Id;

        RefEvent Make(long t, string worker, string station, RefKind kind)
        {
            var c = rng.NextDouble();
            var confidence = c < 0.1 ? scenario.MinConfidence * rng.NextDouble()
                : c < 0.13 ? scenario.MinConfidence
                : scenario.MinConfidence + (1 - scenario.MinConfidence) * rng.NextDouble();
            var m = rng.NextDouble();
            var model = m < 0.05 ? null : m < 0.12 ? Models[2] : Models[rng.Next(2)];
            var id = rng.NextDouble() < 0.3 ? $"evt-{scenario.Seed}-{++eventIds}" : null;
            var count = kind == RefKind.Product ? rng.Next(1, 6) : 1;
            // Instants are kept to the microsecond (README, "Instants as UTC ticks"): send only what is kept.
            return new RefEvent(0, t - (t % 10), 0, worker, station, kind, Math.Round(confidence, 4), count, model, id);
        }

        long Lag()
        {
            var r = rng.NextDouble();
            return r < 0.72 ? rng.NextInt64(0, TimeSpan.TicksPerSecond * 3)
                : r < 0.87 ? rng.NextInt64(TimeSpan.TicksPerMinute * 2, TimeSpan.TicksPerHour * 6)
                : r < 0.92 ? rng.NextInt64(TimeSpan.TicksPerHour * 6, TimeSpan.TicksPerHour * 30)
                : r < 0.97 ? -rng.NextInt64(0, TimeSpan.TicksPerMinute * 4)
                : rng.NextInt64(TimeSpan.TicksPerSecond * 3, TimeSpan.TicksPerMinute * 2);
        }

        void Plan(RefEvent e) => planned.Add(new Planned(e, $"CAM-0{rng.Next(1, 7)}", e.Timestamp + Lag()));

        foreach (var worker in workers)
        {
            var t = from + rng.NextInt64(0, TimeSpan.TicksPerMinute * 40);
            var station = Station();
            while (t < to)
            {
                if (rng.NextDouble() < 0.1)
                {
                    station = Station();
                }

                var r = rng.NextDouble();
                var kind = r < 0.5 ? RefKind.Working : r < 0.8 ? RefKind.Idle : RefKind.Absent;
                Plan(Make(t, worker.Id, station, kind));
                if (rng.NextDouble() < 0.06)
                {
                    // Same timestamp, another state (maybe another station): the later received one wins.
                    var other = (RefKind)((((int)kind) + rng.Next(1, 3)) % 3);
                    Plan(Make(t, worker.Id, rng.NextDouble() < 0.5 ? station : Station(), other));
                }

                if (rng.NextDouble() < 0.3)
                {
                    var at = t + rng.NextInt64(TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute * 2);
                    Plan(Make(at, worker.Id, rng.NextDouble() < 0.2 ? Station() : station, RefKind.Product));
                }

                if (rng.NextDouble() < 0.03 && planned.Count > 0)
                {
                    // A retry of an earlier upload (same key, maybe other details: the first write wins), or a
                    // reused edge id on another event.
                    var earlier = planned[rng.Next(planned.Count)];
                    var copy = rng.NextDouble() < 0.5
                        ? earlier.Event with { Confidence = Math.Round(rng.NextDouble(), 4), Station = Station(), EventId = null }
                        : earlier.Event.EventId is { } reused ? Make(t + 1, worker.Id, station, RefKind.Product) with { EventId = reused } : earlier.Event;
                    planned.Add(new Planned(copy, earlier.Camera, Math.Max(earlier.ArrivesAt, copy.Timestamp) + rng.NextInt64(0, TimeSpan.TicksPerHour)));
                }

                var g = rng.NextDouble();
                var step = g < 0.8 ? rng.NextInt64(TimeSpan.TicksPerSecond * 5, timeout)
                    : g < 0.84 ? timeout
                    : g < 0.86 ? gap
                    : g < 0.88 ? gap + 1
                    : g < 0.9 ? timeout + 1
                    : g < 0.97 ? rng.NextInt64(timeout, gap)
                    : rng.NextInt64(gap, gap * 3);
                t += step;
            }
        }

        return planned;
    }

    /// <summary>A random shift calendar that the product accepts: distinct names, breaks inside their shift and not overlapping.</summary>
    public static List<RefShift> Calendar(Random rng)
    {
        if (rng.NextDouble() < 0.4)
        {
            return
            [
                new("morning", new(6, 0), new(14, 0), [new(new(13, 0), new(13, 45))]),
                new("evening", new(14, 0), new(22, 0), [new(new(18, 0), new(18, 30))]),
                new("night", new(22, 0), new(6, 0), [new(new(2, 0), new(2, 30))]),
            ];
        }

        string[] names = ["Morning", "evening", "night", "extra"];
        var shifts = new List<RefShift>();
        foreach (var name in names.Where(_ => rng.NextDouble() < 0.8))
        {
            var start = rng.Next(0, 96) * 15;
            var length = rng.Next(4, 97) * 15; // 1 to 24 hours
            var breaks = new List<RefBreak>();
            var offset = 15;
            for (var b = 0; b < rng.Next(0, 3); b++)
            {
                offset += rng.Next(0, 16) * 15;
                var duration = rng.Next(1, 4) * 15;
                if (offset + duration > length)
                {
                    break;
                }

                breaks.Add(new(Clock(start + offset), Clock(start + offset + duration)));
                offset += duration;
            }

            shifts.Add(new RefShift(name, Clock(start), Clock(start + length), breaks));
        }

        return shifts;
    }

    private static TimeOnly Clock(int minutes) => TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(minutes % 1440));
}
