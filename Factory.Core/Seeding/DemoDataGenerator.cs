using System.Security.Cryptography;
using System.Text;
using Bogus;
using Factory.Core.Events;
using Factory.Core.Time;

namespace Factory.Core.Seeding;

/// <summary>
/// Generates realistic camera events for demo data and simulated cameras.
/// <para>
/// Each worker works their registry shift every day, starting at its local time in
/// <see cref="DemoScenario.Zone"/>: a slower first half hour (more idle, fewer units), stretches of
/// work separated by short idle spells and the odd absence, a break during which they are absent, and an
/// <c>absent</c> event when they leave. States are re-asserted every
/// <see cref="DemoScenario.MinReassert"/>–<see cref="DemoScenario.MaxReassert"/>; units are reported only
/// while the worker is working, at the station where they are working.
/// </para>
/// <para>
/// Deterministic: every shift is generated from its own random stream seeded by (seed, worker, local
/// date), so the same scenario gives the same events for any range that covers them, and
/// <c>event_id</c> is derived from the event itself. The API is lazy and needs no database or ASP.NET:
/// <see cref="Generate"/> for bulk loads, <see cref="GenerateByEmission"/> for a live simulator, which may
/// pass <see cref="DateTime.MaxValue"/> as the end for an endless stream.
/// </para>
/// </summary>
public sealed class DemoDataGenerator
{
    /// <summary>Confidence never goes below this unless the event is meant to be low-confidence.</summary>
    public const double MinValidConfidence = 0.71;

    private static readonly TimeSpan MinLateDelay = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan MaxLateDelay = TimeSpan.FromMinutes(12);

    private readonly DemoScenario _scenario;
    private readonly Dictionary<string, DemoStation> _stations;
    private readonly double[] _skill;

    public DemoDataGenerator(DemoScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (scenario.MinReassert <= TimeSpan.Zero || scenario.MaxReassert < scenario.MinReassert)
        {
            throw new ArgumentException("Re-assert interval must be positive with MinReassert <= MaxReassert.", nameof(scenario));
        }

        _scenario = scenario;
        _stations = scenario.Stations.ToDictionary(s => s.Id, StringComparer.Ordinal);
        foreach (var w in scenario.Workers)
        {
            if (!_stations.ContainsKey(w.HomeStationId))
            {
                throw new ArgumentException($"Worker {w.Id}'s home station {w.HomeStationId} is not among the stations.", nameof(scenario));
            }
        }

        // A worker's pace is part of who they are, not of the day.
        _skill = scenario.Workers.Select(w => new Randomizer(StableSeed(scenario.Seed, w.Id, 0)).Double(0.85, 1.15)).ToArray();
    }

    public DemoScenario Scenario => _scenario;

    /// <summary>
    /// Events with <c>timestamp</c> in [<paramref name="fromUtc"/>, <paramref name="toUtc"/>), in timestamp order
    /// (ties in a fixed order), produced lazily one shift at a time.
    /// </summary>
    public IEnumerable<GeneratedEvent> Generate(DateTime fromUtc, DateTime toUtc)
    {
        fromUtc = AsUtc(fromUtc, nameof(fromUtc));
        toUtc = AsUtc(toUtc, nameof(toUtc));
        return fromUtc >= toUtc || _scenario.Workers.Count == 0 ? [] : Merge(fromUtc, toUtc);
    }

    /// <summary>
    /// The same events as <see cref="Generate"/>, in the order a live camera sends them (by
    /// <see cref="GeneratedEvent.EmitAt"/>): late events come out after events stamped later than they are.
    /// </summary>
    public IEnumerable<GeneratedEvent> GenerateByEmission(DateTime fromUtc, DateTime toUtc)
    {
        var byTimestamp = Generate(fromUtc, toUtc);
        return ReorderByEmission(byTimestamp);
    }

    /// <summary>
    /// The UTC instants of a worker's shift on a local date: start, break start, break end, end. Each is a wall-clock
    /// time, as in the shift calendar, so a night across a daylight-saving change is an hour shorter or longer and a
    /// break at a skipped time does not happen.
    /// </summary>
    public ShiftWindow GetShiftWindow(DemoWorker worker, DateOnly localDate)
    {
        var pattern = worker.Shift;
        var start = localDate.ToDateTime(pattern.Start, DateTimeKind.Unspecified);
        DateTime At(TimeSpan wallClockAfterStart) => WallClock.ToUtc(start + wallClockAfterStart, _scenario.Zone);
        return new ShiftWindow(At(TimeSpan.Zero), At(pattern.BreakAfter), At(pattern.BreakAfter + pattern.BreakLength), At(pattern.Length));
    }

    private static IEnumerable<GeneratedEvent> ReorderByEmission(IEnumerable<GeneratedEvent> byTimestamp)
    {
        // Every event is emitted at or after its timestamp, so once the input has reached time t,
        // anything due at or before t can no longer be overtaken.
        var held = new PriorityQueue<GeneratedEvent, (long EmitAt, long Order)>();
        long order = 0;
        foreach (var e in byTimestamp)
        {
            while (held.TryPeek(out var first, out var due) && due.EmitAt <= e.Timestamp.Ticks)
            {
                held.Dequeue();
                yield return first;
            }

            held.Enqueue(e, (e.EmitAt.Ticks, order++));
        }

        while (held.TryDequeue(out var rest, out _))
        {
            yield return rest;
        }
    }

    private IEnumerable<GeneratedEvent> Merge(DateTime fromUtc, DateTime toUtc)
    {
        // Shifts are admitted in start order; all events of a shift lie at or after its start, so the
        // smallest pending event can be released once no unadmitted shift starts before it.
        using var shifts = ShiftsFrom(WallClock.LocalDate(fromUtc, _scenario.Zone).AddDays(-1)).GetEnumerator();
        var hasShift = shifts.MoveNext();
        var heap = new PriorityQueue<ShiftCursor, (long Ticks, long ShiftStart, int Worker)>();

        while (true)
        {
            while (hasShift && (heap.Count == 0 || shifts.Current.Window.Start.Ticks <= heap.Peek().Current.Timestamp.Ticks))
            {
                var (workerIndex, date, window) = shifts.Current;
                if (window.Start >= toUtc)
                {
                    hasShift = false;
                    break;
                }

                hasShift = shifts.MoveNext();
                if (window.End < fromUtc)
                {
                    continue;
                }

                var cursor = new ShiftCursor(GenerateShift(workerIndex, date, window), window.Start.Ticks, workerIndex);
                if (cursor.Events.Count > 0)
                {
                    heap.Enqueue(cursor, cursor.Key);
                }
            }

            if (!heap.TryDequeue(out var next, out _))
            {
                yield break;
            }

            var e = next.Current;
            if (e.Timestamp >= toUtc)
            {
                yield break;
            }

            if (e.Timestamp >= fromUtc)
            {
                yield return e;
            }

            if (++next.Index < next.Events.Count)
            {
                heap.Enqueue(next, next.Key);
            }
        }
    }

    /// <summary>Every worker's shift, local day by local day, in order of start.</summary>
    private IEnumerable<(int Worker, DateOnly Date, ShiftWindow Window)> ShiftsFrom(DateOnly firstDate)
    {
        var day = new List<(int, DateOnly, ShiftWindow)>(_scenario.Workers.Count);
        for (var date = firstDate; date < DateOnly.MaxValue; date = date.AddDays(1))
        {
            day.Clear();
            for (var i = 0; i < _scenario.Workers.Count; i++)
            {
                day.Add((i, date, GetShiftWindow(_scenario.Workers[i], date)));
            }

            day.Sort(static (a, b) => a.Item3.Start != b.Item3.Start ? a.Item3.Start.CompareTo(b.Item3.Start) : a.Item1.CompareTo(b.Item1));
            foreach (var shift in day)
            {
                yield return shift;
            }
        }
    }

    /// <summary>One worker's events for one shift, in timestamp order.</summary>
    internal List<GeneratedEvent> GenerateShift(int workerIndex, DateOnly date, ShiftWindow window)
    {
        var worker = _scenario.Workers[workerIndex];
        var shift = new ShiftBuilder(this, worker, _skill[workerIndex], new Randomizer(StableSeed(_scenario.Seed, worker.Id, date.DayNumber + 1)));
        var slowUntil = window.Start + _scenario.SlowStart;

        var firstSighting = window.Start + TimeSpan.FromMilliseconds(shift.Random.Int(5_000, 90_000));
        if (window.BreakStart > window.Start && window.BreakEnd > window.BreakStart && window.BreakEnd < window.End)
        {
            shift.Work(firstSighting, window.BreakStart, slowUntil, startWorking: shift.Random.Bool(0.4f));
            shift.State(EventType.Absent, worker.HomeStationId, window.BreakStart, window.BreakEnd);
            shift.Work(window.BreakEnd, window.End, slowUntil, startWorking: true);
        }
        else
        {
            shift.Work(firstSighting, window.End, slowUntil, startWorking: shift.Random.Bool(0.4f));
        }

        shift.Emit(EventType.Absent, shift.LastStation, window.End, opening: true);
        shift.Events.Sort(static (a, b) => a.Timestamp.CompareTo(b.Timestamp));
        return shift.Events;
    }

    private double Confidence(string cameraId, string modelVersion, DateTime timestamp, double noise)
    {
        var mean = modelVersion == _scenario.ModelBefore ? 0.9 : 0.925;
        if (cameraId == _scenario.DriftingCameraId && _scenario.DriftEnd > _scenario.DriftStart)
        {
            var progress = Math.Clamp((timestamp - _scenario.DriftStart) / (_scenario.DriftEnd - _scenario.DriftStart), 0, 1);
            mean -= _scenario.DriftDrop * progress;
        }

        return Math.Round(Math.Clamp(mean + noise, MinValidConfidence, 0.99), 3);
    }

    private string ModelVersionAt(DateTime timestamp) =>
        _scenario.ModelUpgradeAt is { } upgrade && timestamp < upgrade ? _scenario.ModelBefore : _scenario.ModelAfter;

    private static double UnitsPerHour(string stationType) => stationType.ToLowerInvariant() switch
    {
        "assembly" => 22,
        "inspection" => 34,
        "packaging" => 28,
        _ => 25,
    };

    internal static string EventIdFor(int seed, string workerId, EventType type, DateTime timestamp)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}|{workerId}|{(int)type}|{timestamp.Ticks}"), hash);
        return "demo-" + Convert.ToHexStringLower(hash[..12]);
    }

    /// <summary>
    /// How long an event that is not late takes from the camera to the server: log-normal with a median of 0.35 s
    /// (p95 about 1.5 s, p99 about 3 s, at most 20 s), as on a plant network with a camera-side buffer. It is drawn
    /// from the event's id, not from the shift's random sequence, so the generated events themselves do not change.
    /// </summary>
    internal static TimeSpan NetworkLag(string eventId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(eventId), hash);
        var u1 = (BitConverter.ToUInt32(hash[..4]) + 1.0) / (uint.MaxValue + 2.0);
        var u2 = (BitConverter.ToUInt32(hash[4..8]) + 1.0) / (uint.MaxValue + 2.0);
        var normal = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        var seconds = Math.Min(20, 0.35 * Math.Exp(0.9 * normal));
        return TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));
    }

    /// <summary>FNV-1a over the parts: stable across processes, unlike <see cref="string.GetHashCode()"/>.</summary>
    internal static int StableSeed(int seed, string workerId, int day)
    {
        var h = 14695981039346656037UL;
        void Mix(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes)
            {
                h = (h ^ b) * 1099511628211UL;
            }
        }

        Mix(BitConverter.GetBytes(seed));
        Mix(Encoding.UTF8.GetBytes(workerId));
        Mix(BitConverter.GetBytes(day));
        return (int)(h ^ (h >> 32)) & int.MaxValue;
    }

    private static DateTime AsUtc(DateTime value, string name) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
        _ => throw new ArgumentException("Pass UTC instants (DateTimeKind.Utc).", name),
    };

    private sealed class ShiftCursor(List<GeneratedEvent> events, long shiftStart, int worker)
    {
        public List<GeneratedEvent> Events { get; } = events;
        public int Index { get; set; }
        public GeneratedEvent Current => Events[Index];
        public (long, long, int) Key => (Current.Timestamp.Ticks, shiftStart, worker);
    }

    /// <summary>Builds one shift. Every random draw happens whatever the scenario's period, so timing never depends on it.</summary>
    private sealed class ShiftBuilder(DemoDataGenerator owner, DemoWorker worker, double skill, Randomizer random)
    {
        private bool _lastWasLowConfidence;

        public Randomizer Random { get; } = random;
        public List<GeneratedEvent> Events { get; } = new(800);
        public string LastStation { get; private set; } = worker.HomeStationId;

        private DemoScenario Scenario => owner._scenario;

        /// <summary>Alternates working with idle spells (and now and then a short absence) from <paramref name="t"/> to <paramref name="end"/>.</summary>
        public void Work(DateTime t, DateTime end, DateTime slowUntil, bool startWorking)
        {
            var working = startWorking;
            var station = worker.HomeStationId;
            while (t < end)
            {
                var slow = t < slowUntil;
                EventType state;
                TimeSpan length;
                if (working)
                {
                    state = EventType.Working;
                    length = Minutes(slow ? Random.Double(2, 6) : Random.Double(12, 45));
                    var move = Random.Bool((float)Scenario.MoveChance);
                    station = move && !slow ? OtherStation() : worker.HomeStationId;
                }
                else if (!slow && Random.Bool(0.15f))
                {
                    state = EventType.Absent;
                    length = Minutes(Random.Double(3, 10));
                }
                else
                {
                    state = EventType.Idle;
                    length = Minutes(slow ? Random.Double(3, 7) : Random.Double(1, 5));
                }

                var segmentEnd = t + length < end ? t + length : end;
                State(state, station, t, segmentEnd);
                if (state == EventType.Working)
                {
                    Products(station, t, segmentEnd, slowUntil);
                }

                t = segmentEnd;
                working = !working;
            }
        }

        /// <summary>Opens a state at <paramref name="start"/> and re-asserts it until <paramref name="end"/> (exclusive).</summary>
        public void State(EventType state, string station, DateTime start, DateTime end)
        {
            Emit(state, station, start, opening: true);
            for (var t = start + Reassert(); t < end; t += Reassert())
            {
                Emit(state, station, t, opening: false);
            }
        }

        /// <summary>Units strictly inside a working stretch, slower during the shift's slow start.</summary>
        private void Products(string station, DateTime start, DateTime end, DateTime slowUntil)
        {
            var rate = UnitsPerHour(owner._stations[station].Type) * skill;
            var t = start;
            while (true)
            {
                var pace = t < slowUntil ? rate * 0.45 : rate;
                t += TimeSpan.FromMilliseconds(Math.Round(3_600_000 / pace * Random.Double(0.5, 1.5)));
                var count = Random.Bool(0.05f) ? 2 : 1;
                if (t >= end)
                {
                    return;
                }

                Emit(EventType.ProductCount, station, t, opening: false, count);
            }
        }

        public void Emit(EventType type, string station, DateTime timestamp, bool opening, int count = 1)
        {
            // Draw everything first, so the sequence of draws is the same whatever is decided below.
            var noise = Random.Double(-0.05, 0.05);
            var lowRoll = Random.Double();
            var lowValue = Random.Double(0.35, 0.69);
            var lateRoll = Random.Double();
            var lateDelay = Random.Double(MinLateDelay.TotalSeconds, MaxLateDelay.TotalSeconds);

            var camera = owner._stations[station].CameraId;
            var model = owner.ModelVersionAt(timestamp);
            // A state change or a re-assert right after a dropped one is never low-confidence, so the
            // valid events alone still open every segment and re-assert it within StateTimeout.
            var isState = type.IsState();
            var low = !opening && lowRoll < Scenario.LowConfidenceShare && !(isState && _lastWasLowConfidence);
            var confidence = low ? Math.Round(lowValue, 3) : owner.Confidence(camera, model, timestamp, noise);
            if (isState)
            {
                _lastWasLowConfidence = low;
            }

            var id = EventIdFor(Scenario.Seed, worker.Id, type, timestamp);
            var delay = lateRoll < Scenario.LateShare ? TimeSpan.FromSeconds(Math.Round(lateDelay)) : NetworkLag(id);
            Events.Add(new GeneratedEvent(new NewEvent(timestamp, worker.Id, station, type, confidence, count, camera, model, id), delay));
            LastStation = station;
        }

        private string OtherStation()
        {
            var home = owner._stations[worker.HomeStationId];
            var sameType = Scenario.Stations.Where(s => s.Id != home.Id && string.Equals(s.Type, home.Type, StringComparison.OrdinalIgnoreCase)).ToList();
            var choices = sameType.Count > 0 ? sameType : Scenario.Stations.Where(s => s.Id != home.Id).ToList();
            return choices.Count == 0 ? home.Id : Random.ListItem(choices).Id;
        }

        private TimeSpan Reassert() =>
            TimeSpan.FromMilliseconds(Random.Int((int)Scenario.MinReassert.TotalMilliseconds, (int)Scenario.MaxReassert.TotalMilliseconds));

        private static TimeSpan Minutes(double minutes) => TimeSpan.FromMilliseconds(Math.Round(minutes * 60_000));
    }
}

/// <summary>A shift's instants in UTC: it runs [Start, End) with the break [BreakStart, BreakEnd).</summary>
public readonly record struct ShiftWindow(DateTime Start, DateTime BreakStart, DateTime BreakEnd, DateTime End);
