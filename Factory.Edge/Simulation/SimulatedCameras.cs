using Factory.Core.Events;
using Factory.Edge.Events;

namespace Factory.Edge.Simulation;

/// <summary>
/// Cameras CAM-01…CAM-nn, each watching worker Wn at station Sn, emitting at a steady rate.
/// Each worker moves between working, idle and absent spells of a few minutes; the current state is
/// re-asserted at least every <see cref="ReassertEvery"/> (well under the server's 5-minute state timeout),
/// product counts happen only while working, and confidence lies between 0.80 and 0.98.
/// Timestamps are strictly increasing per camera, so no two events share the server's dedup key.
/// </summary>
public sealed class SimulatedCameras : IEventSource
{
    public const int MaxCameras = 6;
    public const string ModelVersion = "yolov8-v2.1";

    /// <summary>Longest gap between two state events of one camera.</summary>
    public static readonly TimeSpan ReassertEvery = TimeSpan.FromMinutes(1);

    /// <summary>A process that was paused for longer than this does not invent the missed events.</summary>
    private static readonly TimeSpan MaxCatchUp = TimeSpan.FromSeconds(5);

    private readonly Camera[] _cameras;
    private readonly TimeSpan _interval;
    private readonly Random _random;

    public SimulatedCameras(int cameras, double eventsPerSecondPerCamera, DateTimeOffset start, int? seed = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cameras, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cameras, MaxCameras);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(eventsPerSecondPerCamera, 0);
        _random = seed is { } s ? new Random(s) : new Random();
        _interval = TimeSpan.FromTicks(Math.Max(1, (long)(TimeSpan.TicksPerSecond / eventsPerSecondPerCamera)));
        start = start.ToUniversalTime();
        _cameras = new Camera[cameras];
        for (var i = 0; i < cameras; i++)
        {
            var n = i + 1;
            // Cameras start out of phase, as real ones would.
            var first = start + TimeSpan.FromTicks((long)(_interval.Ticks * _random.NextDouble()));
            _cameras[i] = new Camera($"CAM-{n:00}", $"W{n}", $"S{n}") { Next = first, StateUntil = first };
        }
    }

    public IReadOnlyList<EdgeEvent> Poll(DateTimeOffset now)
    {
        var events = new List<EdgeEvent>();
        foreach (var camera in _cameras)
        {
            if (now - camera.Next > MaxCatchUp)
            {
                camera.Next = now - MaxCatchUp;
            }

            while (camera.Next <= now)
            {
                events.Add(Observe(camera, camera.Next));
                camera.Next += _interval;
            }
        }

        events.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        return events;
    }

    private EdgeEvent Observe(Camera camera, DateTimeOffset at)
    {
        string type;
        var count = 1;
        if (at >= camera.StateUntil)
        {
            (camera.State, var spell) = NextSpell(camera.State);
            camera.StateUntil = at + spell;
            type = camera.State!;
        }
        else if (camera.State == EventTypes.Working && at - camera.LastStateAt < ReassertEvery && _random.NextDouble() < 0.4)
        {
            type = EventTypes.ProductCount;
            count = _random.NextDouble() < 0.9 ? 1 : 2;
        }
        else
        {
            type = camera.State!;
        }

        if (type != EventTypes.ProductCount)
        {
            camera.LastStateAt = at;
        }

        var confidence = Math.Round(0.80 + 0.18 * _random.NextDouble(), 3);
        return new EdgeEvent(at, camera.WorkerId, camera.StationId, type, confidence, count, camera.Id, ModelVersion);
    }

    private (string State, TimeSpan Spell) NextSpell(string? current)
    {
        var roll = _random.NextDouble();
        var state = current switch
        {
            // From a break or an absence people mostly go back to work.
            EventTypes.Idle or EventTypes.Absent => roll < 0.85 ? EventTypes.Working : EventTypes.Idle,
            _ => roll < 0.65 ? EventTypes.Working : roll < 0.9 ? EventTypes.Idle : EventTypes.Absent,
        };
        var (min, max) = state switch
        {
            EventTypes.Working => (3.0, 25.0),
            EventTypes.Idle => (1.0, 8.0),
            _ => (2.0, 15.0),
        };
        return (state, TimeSpan.FromMinutes(min + (max - min) * _random.NextDouble()));
    }

    private sealed class Camera(string id, string workerId, string stationId)
    {
        public string Id { get; } = id;

        public string WorkerId { get; } = workerId;

        public string StationId { get; } = stationId;

        public string? State { get; set; }

        public DateTimeOffset StateUntil { get; set; }

        public DateTimeOffset LastStateAt { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset Next { get; set; }
    }
}
