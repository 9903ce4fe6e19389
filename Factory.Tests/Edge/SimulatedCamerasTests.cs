using Factory.Core.Events;
using Factory.Edge.Simulation;

namespace Factory.Tests.Edge;

public sealed class SimulatedCamerasTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 21, 6, 0, 0, TimeSpan.Zero);

    /// <summary>Two simulated hours, polled every 100 ms of simulated time like the console does.</summary>
    private static List<Factory.Edge.Events.EdgeEvent> TwoHours(double rate)
    {
        var cameras = new SimulatedCameras(6, rate, Start, seed: 5);
        var events = new List<Factory.Edge.Events.EdgeEvent>();
        for (var t = Start; t <= Start.AddHours(2); t = t.AddMilliseconds(100))
        {
            events.AddRange(cameras.Poll(t));
        }

        return events;
    }

    [Fact]
    public void Each_camera_emits_at_the_requested_rate_for_its_own_worker_and_station()
    {
        var events = TwoHours(rate: 0.5);

        foreach (var n in Enumerable.Range(1, 6))
        {
            var mine = events.Where(e => e.CameraId == $"CAM-{n:00}").ToList();
            Assert.InRange(mine.Count, 3599, 3601);
            Assert.All(mine, e => Assert.Equal(($"W{n}", $"S{n}"), (e.WorkerId, e.WorkstationId)));
        }
    }

    [Fact]
    public void States_are_reasserted_within_five_minutes_and_products_only_while_working()
    {
        var events = TwoHours(rate: 0.2);

        foreach (var camera in events.GroupBy(e => e.CameraId))
        {
            var states = camera.Where(e => e.EventType != EventTypes.ProductCount).ToList();
            var gaps = states.Zip(states.Skip(1), (a, b) => b.Timestamp - a.Timestamp);
            Assert.All(gaps, g => Assert.True(g < TimeSpan.FromMinutes(5), $"{camera.Key}: a state gap of {g}"));

            string? current = null;
            foreach (var e in camera)
            {
                if (e.EventType == EventTypes.ProductCount)
                {
                    Assert.Equal(EventTypes.Working, current);
                }
                else
                {
                    current = e.EventType;
                }
            }

            Assert.True(states.Select(s => s.EventType).Distinct().Count() >= 2, $"{camera.Key} changes state");
            Assert.Contains(camera, e => e.EventType == EventTypes.ProductCount);
        }

        Assert.Equal([EventTypes.Absent, EventTypes.Idle, EventTypes.ProductCount, EventTypes.Working], events.Select(e => e.EventType).Distinct().Order());
    }

    [Fact]
    public void Confidence_is_realistic_events_are_in_time_order_and_none_share_the_servers_dedup_key()
    {
        var events = TwoHours(rate: 2);

        Assert.All(events, e => Assert.InRange(e.Confidence, 0.80, 0.98));
        Assert.Equal(events.Count, events.Select(e => (e.Timestamp.UtcTicks, e.WorkerId, e.EventType)).Distinct().Count());
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Timestamp <= p.Second.Timestamp), "events come out oldest first");
    }
}

public sealed class DemoDataEventSourceTests
{
    [Fact]
    public void The_shared_generator_releases_registry_events_only_once_a_camera_would_have_sent_them()
    {
        var start = new DateTimeOffset(2026, 1, 21, 9, 0, 0, TimeSpan.Zero);
        using var source = new DemoDataEventSource(start, seed: 3);
        var events = new List<Factory.Edge.Events.EdgeEvent>();

        for (var now = start; now <= start.AddHours(1); now = now.AddSeconds(1))
        {
            var due = source.Poll(now);
            Assert.All(due, e => Assert.True(e.Timestamp <= now, $"{e.Timestamp:O} released at {now:O}"));
            events.AddRange(due);
        }

        Assert.True(events.Count > 100, $"an hour of a weekday morning has events ({events.Count})");
        Assert.All(events, e => Assert.Matches("^W[1-6]$", e.WorkerId));
        Assert.All(events, e => Assert.InRange(e.Confidence, 0, 1));
        Assert.Equal(events.Count, events.Select(e => (e.Timestamp.UtcTicks, e.WorkerId, e.EventType)).Distinct().Count());
    }
}
