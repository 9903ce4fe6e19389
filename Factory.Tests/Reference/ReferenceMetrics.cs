namespace Factory.Tests.Reference;

/// <summary>A query as the API receives it: optional bounds, <c>as_of</c> and <c>shift</c>, answered at <see cref="Clock"/>.</summary>
internal sealed record RefQuery(long? Start, long? End, long? AsOf, string? Shift, long Clock);

/// <summary>The resolved window <c>[Start, End)</c> and the instant <see cref="Now"/> the query is evaluated at.</summary>
internal sealed record RefWindow(long Start, long End, long Now);

internal sealed record ExpectedWorker(string Id, string Name, long Working, long Idle, long Absent, long Break, long Units, long? LastSeen, string Status)
{
    public long Tracked => Working + Idle + Absent;
}

internal sealed record ExpectedStation(string Id, string Name, long Occupancy, long Working, long Elapsed, long Units, int Active);

internal sealed record ExpectedFactory(
    long Start, long End, long AsOf, long Working, long Idle, long Absent, long Break, long Units,
    int Active, int TotalWorkers, int TotalStations, long Events, long LowConfidence)
{
    public long Tracked => Working + Idle + Absent;
}

internal sealed record ExpectedBucket(long Start, long End, DateTimeOffset LocalStart, long Working, long Idle, long Absent, long Break, long Units)
{
    public long Tracked => Working + Idle + Absent;
}

/// <summary>
/// A deliberately plain implementation of <c>spec/metrics.md</c> and of the README's "Metric rules where the
/// specification leaves room" and "Shifts and breaks", written from their text and sharing no code with the
/// product: each worker's timeline is rebuilt from the events for every query as a list of classified parts,
/// and every figure is a sum of interval overlaps in ticks.
/// </summary>
internal sealed class ReferenceMetrics(RefSettings settings, IReadOnlyList<RefEvent> stored)
{
    /// <summary>A classified piece of a worker's timeline: its own state, or absent (off-shift is never a part).</summary>
    private sealed record Part(long From, long To, RefKind State, string Station);

    /// <summary>Defaults and clipping of metrics.md "window" and the README's rules for <c>as_of</c>.</summary>
    public static RefWindow Resolve(RefQuery q)
    {
        var now = q.AsOf is { } asOf && asOf < q.Clock ? asOf : q.Clock;
        var end = q.End is { } e && e < now ? e : now;
        var start = q.Start ?? end - TimeSpan.TicksPerHour * 24;
        return new RefWindow(start, end, now);
    }

    // Settings and events do not change during the life of an instance: lists derived for one "now" are kept.
    private readonly Dictionary<long, List<RefEvent>> _visible = [];
    private readonly Dictionary<(long, string), List<RefEvent>> _states = [];
    private readonly Dictionary<(long, string), List<Part>> _parts = [];

    private bool IsValid(RefEvent e) =>
        e.Confidence >= settings.MinConfidence && (e.Model is null || !settings.Excluded.Contains(e.Model));

    /// <summary>The events received at or before the query's "now" (<c>as_of</c>).</summary>
    private List<RefEvent> Visible(RefWindow w)
    {
        if (!_visible.TryGetValue(w.Now, out var list))
        {
            _visible[w.Now] = list = stored.Where(e => e.ReceivedAt <= w.Now).ToList();
        }

        return list;
    }

    /// <summary>The parts of the window that count: the window, or its intersection with the named shift's occurrences.</summary>
    public List<(long From, long To)> SubWindows(RefWindow w, string? shiftName)
    {
        if (w.Start >= w.End)
        {
            return [];
        }

        if (shiftName is null)
        {
            return [(w.Start, w.End)];
        }

        var shift = settings.FindShift(shiftName) ?? throw new InvalidOperationException($"no shift {shiftName}");
        var occurrences = ReferenceTime.Occurrences(shift, w.Start, w.End, settings.Zone).Select(o => (o.Start, o.End));
        return Intervals.Intersect([(w.Start, w.End)], occurrences);
    }

    /// <summary>
    /// The worker's valid state events in timeline order; of several at one timestamp only the last received
    /// stays (the earlier ones have zero duration and end nothing).
    /// </summary>
    private List<RefEvent> StateEvents(RefWindow w, string worker)
    {
        if (!_states.TryGetValue((w.Now, worker), out var list))
        {
            _states[(w.Now, worker)] = list = Visible(w)
                .Where(e => e.Worker == worker && e.IsState && IsValid(e))
                .GroupBy(e => e.Timestamp)
                .Select(g => g.OrderBy(e => e.Seq).Last())
                .OrderBy(e => e.Timestamp)
                .ToList();
        }

        return list;
    }

    /// <summary>
    /// Segments from each state event to the next (or to now), classified on their whole length: the first
    /// StateTimeout is the event's own state; the rest is absent when the segment is at most OffShiftGap long,
    /// and off-shift (no part) when it is longer.
    /// </summary>
    private List<Part> Parts(RefWindow w, string worker)
    {
        if (_parts.TryGetValue((w.Now, worker), out var known))
        {
            return known;
        }

        var events = StateEvents(w, worker);
        var parts = new List<Part>();
        for (var i = 0; i < events.Count; i++)
        {
            var t = events[i].Timestamp;
            var end = i + 1 < events.Count ? events[i + 1].Timestamp : w.Now;
            var d = end - t;
            if (d <= 0)
            {
                continue;
            }

            var own = Math.Min(d, settings.StateTimeout);
            parts.Add(new Part(t, t + own, events[i].Kind, events[i].Station));
            if (d > settings.StateTimeout && d <= settings.OffShiftGap)
            {
                parts.Add(new Part(t + settings.StateTimeout, end, RefKind.Absent, events[i].Station));
            }
        }

        _parts[(w.Now, worker)] = parts;
        return parts;
    }

    /// <summary>Planned breaks of a worker (those of the calendar shift named by their registry shift) around the window.</summary>
    private List<(long From, long To)> BreaksOf(RefWorker worker, RefWindow w)
    {
        if (settings.FindShift(worker.Shift) is not { } shift)
        {
            return [];
        }

        var from = Math.Min(w.Start, w.End);
        var to = Math.Max(w.Start, w.End);
        return Intervals.Union(ReferenceTime.Breaks(shift, from - TimeSpan.TicksPerDay, to + TimeSpan.TicksPerDay, settings.Zone));
    }

    /// <summary>
    /// Status at <paramref name="at"/> from the last valid state event strictly before it: its state while at most
    /// StateTimeout old, absent while at most OffShiftGap old (on break inside a planned break), else off-shift.
    /// Also the station of that event.
    /// </summary>
    private (string Status, string? Station) StatusAt(RefWindow w, RefWorker worker, long at)
    {
        var last = StateEvents(w, worker.Id).LastOrDefault(e => e.Timestamp < at);
        if (last is null)
        {
            return ("off_shift", null);
        }

        var age = at - last.Timestamp;
        if (age <= settings.StateTimeout)
        {
            var state = last.Kind switch
            {
                RefKind.Working => "working",
                RefKind.Idle => "idle",
                _ => "absent",
            };
            if (state != "absent")
            {
                return (state, last.Station);
            }
        }
        else if (age > settings.OffShiftGap)
        {
            return ("off_shift", last.Station);
        }

        var onBreak = BreaksOf(worker, w).Any(b => b.From <= at && at < b.To);
        return (onBreak ? "on_break" : "absent", last.Station);
    }

    private long? LastSeen(RefWindow w, string worker)
    {
        var seen = Visible(w).Where(e => e.Worker == worker && IsValid(e) && e.Timestamp < w.End).Select(e => (long?)e.Timestamp).Max();
        return seen;
    }

    private long Units(RefWindow w, List<(long From, long To)> windows, string? worker, string? station) =>
        Visible(w)
            .Where(e => e.Kind == RefKind.Product && IsValid(e) && (worker is null || e.Worker == worker) && (station is null || e.Station == station))
            .Where(e => windows.Any(x => x.From <= e.Timestamp && e.Timestamp < x.To))
            .Sum(e => (long)e.Count);

    /// <summary>Working, idle, absent (outside breaks) and break ticks of one worker's parts inside <paramref name="windows"/>.</summary>
    private (long Working, long Idle, long Absent, long Break) Durations(List<Part> parts, List<(long From, long To)> windows,
        List<(long From, long To)> breaks, string? station)
    {
        var breaksInside = Intervals.Intersect(windows, breaks);
        long working = 0, idle = 0, absent = 0, onBreak = 0;
        foreach (var p in parts)
        {
            if (station is not null && p.Station != station)
            {
                continue;
            }

            var inside = Intervals.OverlapWith((p.From, p.To), windows);
            switch (p.State)
            {
                case RefKind.Working: working += inside; break;
                case RefKind.Idle: idle += inside; break;
                default:
                    var inBreak = Intervals.OverlapWith((p.From, p.To), breaksInside);
                    onBreak += inBreak;
                    absent += inside - inBreak;
                    break;
            }
        }

        return (working, idle, absent, onBreak);
    }

    public List<ExpectedWorker> Workers(RefQuery q, string? workerId)
    {
        var w = Resolve(q);
        var windows = SubWindows(w, q.Shift);
        var result = new List<ExpectedWorker>();
        foreach (var worker in settings.Workers.Where(x => workerId is null || x.Id == workerId))
        {
            var (working, idle, absent, onBreak) = Durations(Parts(w, worker.Id), windows, BreaksOf(worker, w), station: null);
            result.Add(new ExpectedWorker(worker.Id, worker.Name, working, idle, absent, onBreak,
                Units(w, windows, worker.Id, station: null), LastSeen(w, worker.Id), StatusAt(w, worker, w.End).Status));
        }

        return result;
    }

    public List<ExpectedStation> Workstations(RefQuery q, string? stationId)
    {
        var w = Resolve(q);
        var windows = SubWindows(w, q.Shift);
        var allParts = Visible(w).Select(e => e.Worker).Distinct().SelectMany(worker => Parts(w, worker)).ToList();
        var statuses = settings.Workers.Select(worker => StatusAt(w, worker, w.End)).ToList();
        var result = new List<ExpectedStation>();
        foreach (var station in settings.Stations.Where(s => stationId is null || s.Id == stationId))
        {
            var occupied = Intervals.Union(allParts.Where(p => p.Station == station.Id && p.State is RefKind.Working or RefKind.Idle).Select(p => (p.From, p.To)));
            var working = Intervals.Union(allParts.Where(p => p.Station == station.Id && p.State == RefKind.Working).Select(p => (p.From, p.To)));
            result.Add(new ExpectedStation(
                station.Id,
                station.Name,
                Intervals.Length(Intervals.Intersect(occupied, windows)),
                Intervals.Length(Intervals.Intersect(working, windows)),
                Intervals.Length(windows),
                Units(w, windows, worker: null, station.Id),
                statuses.Count(s => s.Status is "working" or "idle" && s.Station == station.Id)));
        }

        return result;
    }

    public ExpectedFactory Factory(RefQuery q)
    {
        var w = Resolve(q);
        var windows = SubWindows(w, q.Shift);
        long working = 0, idle = 0, absent = 0, onBreak = 0, units = 0;
        var active = 0;
        foreach (var worker in settings.Workers)
        {
            var d = Durations(Parts(w, worker.Id), windows, BreaksOf(worker, w), station: null);
            working += d.Working;
            idle += d.Idle;
            absent += d.Absent;
            onBreak += d.Break;
            units += Units(w, windows, worker.Id, station: null);
            if (StatusAt(w, worker, w.End).Status is "working" or "idle")
            {
                active++;
            }
        }

        var counted = Visible(w).Where(e => windows.Any(x => x.From <= e.Timestamp && e.Timestamp < x.To)).ToList();
        return new ExpectedFactory(w.Start, w.End, w.Now, working, idle, absent, onBreak, units, active,
            settings.Workers.Count, settings.Stations.Count, counted.Count, counted.Count(e => e.Confidence < settings.MinConfidence));
    }

    /// <summary>
    /// Buckets of local hours or days covering the window; each counts only its part inside the window (and
    /// inside the shift). Worker filter: that worker; station filter: worker-hours of everyone at the station;
    /// both: that worker at that station.
    /// </summary>
    public List<ExpectedBucket> Timeseries(RefQuery q, bool daily, string? workerId, string? stationId)
    {
        var w = Resolve(q);
        var result = new List<ExpectedBucket>();
        if (w.Start >= w.End)
        {
            return result;
        }

        var windows = SubWindows(w, q.Shift);
        var bounds = daily ? ReferenceTime.DayBounds(w.Start, w.End, settings.Zone) : ReferenceTime.HourBounds(w.Start, w.End, settings.Zone);
        var selected = settings.Workers.Where(x => workerId is null || x.Id == workerId).ToList();
        var parts = selected.Select(worker => (Worker: worker, Parts: Parts(w, worker.Id), Breaks: BreaksOf(worker, w))).ToList();
        foreach (var (start, end) in ReferenceTime.Buckets(bounds, w.Start, w.End))
        {
            var pieces = Intervals.Intersect([(start, end)], windows);
            long working = 0, idle = 0, absent = 0, onBreak = 0, units = 0;
            foreach (var (worker, workerParts, breaks) in parts)
            {
                var d = Durations(workerParts, pieces, breaks, stationId);
                working += d.Working;
                idle += d.Idle;
                absent += d.Absent;
                onBreak += d.Break;
                units += Units(w, pieces, worker.Id, stationId);
            }

            var offset = settings.Zone.GetUtcOffset(new DateTime(start, DateTimeKind.Utc));
            var localStart = new DateTimeOffset(new DateTime(start, DateTimeKind.Utc)).ToOffset(offset);
            result.Add(new ExpectedBucket(start, end, localStart, working, idle, absent, onBreak, units));
        }

        return result;
    }
}
