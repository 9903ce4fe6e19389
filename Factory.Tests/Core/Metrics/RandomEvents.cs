using Factory.Core.Events;

namespace Factory.Tests.Core.Metrics;

/// <summary>Deterministic random event sets: re-asserts, gaps of every class, ties, invalid events, products.</summary>
internal static class RandomEvents
{
    public static readonly DateTime Base = MetricsScenario.T0.AddHours(-12);
    public static readonly DateTime End = MetricsScenario.T0;

    private static readonly string[] States = ["working", "working", "working", "idle", "idle", "absent"];

    /// <summary>Events in timestamp order, not yet received (ids unassigned).</summary>
    public static List<FactoryEvent> Generate(Random rng, bool ties = true, int workers = 4, int stations = 4)
    {
        var events = new List<FactoryEvent>();
        for (var w = 1; w <= workers; w++)
        {
            var worker = $"W{w}";
            var station = $"S{rng.Next(1, stations + 1)}";
            var t = Base.AddSeconds(rng.Next(0, 1800));
            while (t < End)
            {
                if (rng.NextDouble() < 0.1)
                {
                    station = $"S{rng.Next(1, stations + 1)}";
                }

                var type = States[rng.Next(States.Length)];
                events.Add(Make(rng, t, worker, station, type));
                if (ties && rng.NextDouble() < 0.08)
                {
                    var other = States.Where(s => s != type).ElementAt(rng.Next(2));
                    events.Add(Make(rng, t, worker, $"S{rng.Next(1, stations + 1)}", other));
                }

                if (rng.NextDouble() < 0.3)
                {
                    var p = Make(rng, t.AddSeconds(rng.Next(1, 30)), worker, rng.NextDouble() < 0.2 ? $"S{rng.Next(1, stations + 1)}" : station, "product_count");
                    p.Count = rng.Next(1, 5);
                    events.Add(p);
                }

                var r = rng.NextDouble();
                var gapSeconds = r < 0.7 ? rng.Next(5, 240) : r < 0.85 ? rng.Next(240, 600) : r < 0.95 ? rng.Next(600, 4200) : rng.Next(3500, 11000);
                t = t.AddSeconds(gapSeconds).AddTicks(rng.Next(0, 10_000_000));
            }
        }

        return events.OrderBy(e => e.Timestamp).ToList();
    }

    private static FactoryEvent Make(Random rng, DateTime t, string worker, string station, string type)
    {
        EventTypes.TryParse(type, out var eventType);
        var c = rng.NextDouble();
        return new FactoryEvent
        {
            Timestamp = t,
            WorkerId = worker,
            WorkstationId = station,
            EventType = eventType,
            Confidence = c < 0.1 ? 0.3 + rng.NextDouble() * 0.39 : 0.7 + rng.NextDouble() * 0.3,
            ModelVersion = rng.NextDouble() < 0.05 ? "bad" : rng.NextDouble() < 0.05 ? null : "good",
        };
    }

    /// <summary>
    /// Assigns receive order: mostly in timestamp order, with a share of late, out-of-order arrivals.
    /// Ids and received_at follow the receive order, as the single writer assigns them.
    /// </summary>
    public static List<FactoryEvent> Receive(Random rng, List<FactoryEvent> events, double lateShare = 0.15)
    {
        var keyed = events.Select(e => (Key: e.Timestamp.Ticks + (rng.NextDouble() < lateShare ? rng.NextInt64(0, TimeSpan.TicksPerHour * 3) : 0), Event: e))
            .OrderBy(x => x.Key).Select(x => x.Event).ToList();
        var received = new List<FactoryEvent>(keyed.Count);
        long id = 1;
        var clock = Base;
        foreach (var e in keyed)
        {
            clock = e.Timestamp > clock ? e.Timestamp : clock.AddTicks(1);
            received.Add(Copy(e, id++, clock));
        }

        return received;
    }

    /// <summary>A uniformly random receive order (no same-timestamp state events may exist for the result to be order-free).</summary>
    public static List<FactoryEvent> Shuffle(Random rng, List<FactoryEvent> events)
    {
        var order = events.OrderBy(_ => rng.Next()).ToList();
        return order.Select((e, i) => Copy(e, i + 1, e.Timestamp)).ToList();
    }

    public static FactoryEvent Copy(FactoryEvent e, long id, DateTime receivedAt) => new()
    {
        Id = id,
        Timestamp = e.Timestamp,
        ReceivedAt = receivedAt,
        WorkerId = e.WorkerId,
        WorkstationId = e.WorkstationId,
        EventType = e.EventType,
        Confidence = e.Confidence,
        Count = e.Count,
        ModelVersion = e.ModelVersion,
    };

    public static DateTime Between(Random rng, DateTime from, DateTime to) => from.AddTicks(rng.NextInt64(0, Math.Max(1, (to - from).Ticks)));
}
