using Factory.Core.Registry;
using Factory.Core.Shifts;

namespace Factory.Core.Metrics;

/// <summary>
/// Turns a <see cref="MetricsStore"/> into the figures of metrics.md for a resolved window. Durations are
/// summed in ticks and converted to hours only at the end; every ratio is 0 when its denominator is 0.
/// </summary>
public static class MetricsCalculator
{
    public static List<WorkerMetrics> Workers(MetricsStore store, RegistrySnapshot registry, MetricsWindow window, string? workerId,
        ShiftSchedule? shifts = null)
    {
        var schedule = shifts ?? ShiftSchedule.Off;
        var (_, _, now) = Bounds(window);
        var windows = SubWindows(window, schedule);
        var totals = windows.Select(w => store.Durations(w.From, w.To, now)).ToList();
        var result = new List<WorkerMetrics>();
        foreach (var worker in registry.Workers)
        {
            if (workerId is not null && worker.Id != workerId)
            {
                continue;
            }

            long working = 0, idle = 0, absent = 0, units = 0, onBreak = 0;
            var timeline = store.Worker(worker.Id);
            if (store.WorkerIndexOf(worker.Id) is { } k)
            {
                for (var i = 0; i < windows.Count; i++)
                {
                    working += totals[i].WorkerWorking[k];
                    idle += totals[i].WorkerIdle[k];
                    absent += totals[i].WorkerAbsent[k];
                    units += timeline!.UnitsIn(windows[i].From, windows[i].To, station: null);
                }

                onBreak = BreakAbsent(store, worker, windows, now, schedule, station: null);
                absent -= onBreak;
            }

            var tracked = working + idle + absent;
            var end = window.End.Ticks;
            var lastSeen = timeline?.LastSeenBefore(end);
            var status = StatusAt(timeline, worker, end, store.Rules, schedule);
            result.Add(new WorkerMetrics(
                worker.Id,
                worker.Name,
                TimeMath.Hours(working),
                TimeMath.Hours(idle),
                TimeMath.Hours(absent),
                TimeMath.Hours(tracked),
                TimeMath.Percentage(working, tracked),
                units,
                TimeMath.Ratio(units, TimeMath.Hours(working)),
                lastSeen is { } seen ? new DateTime(seen, DateTimeKind.Utc) : null,
                status)
            {
                BreakHours = TimeMath.Hours(onBreak),
            });
        }

        return result;
    }

    public static List<WorkstationMetrics> Workstations(MetricsStore store, RegistrySnapshot registry, MetricsWindow window, string? workstationId,
        ShiftSchedule? shifts = null)
    {
        var schedule = shifts ?? ShiftSchedule.Off;
        var (_, _, now) = Bounds(window);
        var windows = SubWindows(window, schedule);
        var occupancy = new long[store.StationCount];
        var working = new long[store.StationCount];
        long elapsed = 0;
        foreach (var (a, b) in windows)
        {
            var (occ, work) = store.StationUnions(a, b, now);
            for (var s = 0; s < occ.Length; s++)
            {
                occupancy[s] += occ[s];
                working[s] += work[s];
            }

            elapsed += Math.Max(0, b - a);
        }

        var units = new long[store.StationCount];
        var active = new int[store.StationCount];
        foreach (var worker in registry.Workers)
        {
            if (store.Worker(worker.Id) is not { } timeline)
            {
                continue;
            }

            foreach (var (a, b) in windows)
            {
                timeline.UnitsByStation(a, b, units);
            }

            var (status, station) = timeline.StatusAt(window.End.Ticks, store.Rules);
            if (status is WorkerStatus.Working or WorkerStatus.Idle && station is { } s)
            {
                active[s]++;
            }
        }

        var result = new List<WorkstationMetrics>();
        foreach (var station in registry.Workstations)
        {
            if (workstationId is not null && station.Id != workstationId)
            {
                continue;
            }

            long occ = 0, work = 0, made = 0;
            var activeWorkers = 0;
            if (store.StationIndexOf(station.Id) is { } s)
            {
                occ = occupancy[s];
                work = working[s];
                made = units[s];
                activeWorkers = active[s];
            }

            result.Add(new WorkstationMetrics(
                station.Id,
                station.Name,
                TimeMath.Hours(occ),
                TimeMath.Hours(work),
                TimeMath.Percentage(work, occ),
                TimeMath.Percentage(occ, elapsed),
                made,
                TimeMath.Ratio(made, TimeMath.Hours(occ)),
                activeWorkers));
        }

        return result;
    }

    public static FactoryMetrics Factory(MetricsStore store, RegistrySnapshot registry, MetricsWindow window, ShiftSchedule? shifts = null)
    {
        var schedule = shifts ?? ShiftSchedule.Off;
        var (_, _, now) = Bounds(window);
        var windows = SubWindows(window, schedule);
        var totals = windows.Select(w => store.Durations(w.From, w.To, now)).ToList();
        long working = 0, idle = 0, absent = 0, units = 0, onBreak = 0;
        var active = 0;
        foreach (var worker in registry.Workers)
        {
            if (store.WorkerIndexOf(worker.Id) is not { } k)
            {
                continue;
            }

            var timeline = store.Worker(worker.Id)!;
            for (var i = 0; i < windows.Count; i++)
            {
                working += totals[i].WorkerWorking[k];
                idle += totals[i].WorkerIdle[k];
                absent += totals[i].WorkerAbsent[k];
                units += timeline.UnitsIn(windows[i].From, windows[i].To, station: null);
            }

            onBreak += BreakAbsent(store, worker, windows, now, schedule, station: null);
            if (timeline.StatusAt(window.End.Ticks, store.Rules).Status is WorkerStatus.Working or WorkerStatus.Idle)
            {
                active++;
            }
        }

        absent -= onBreak;
        var tracked = working + idle + absent;
        long events = 0, low = 0;
        foreach (var (a, b) in windows)
        {
            var counts = store.Counts.Count(a, b);
            events += counts.All;
            low += counts.Low;
        }

        return new FactoryMetrics(
            window.Start,
            window.End,
            window.AsOf,
            TimeMath.Hours(working),
            TimeMath.Hours(idle),
            TimeMath.Hours(absent),
            TimeMath.Hours(tracked),
            TimeMath.Percentage(working, tracked),
            units,
            TimeMath.Ratio(units, TimeMath.Hours(working)),
            active,
            registry.Workers.Count,
            registry.Workstations.Count,
            events,
            low)
        {
            BreakHours = TimeMath.Hours(onBreak),
        };
    }

    public static List<TimeseriesBucket> Timeseries(MetricsStore store, RegistrySnapshot registry, MetricsWindow window, BucketSize size,
        TimeZoneInfo zone, string? workerId, string? workstationId, ShiftSchedule? shifts = null)
    {
        var schedule = shifts ?? ShiftSchedule.Off;
        var (from, to, now) = Bounds(window);
        var result = new List<TimeseriesBucket>();
        if (from >= to)
        {
            return result;
        }

        var shift = SelectedShift(window, schedule);
        var workerIndex = workerId is null ? null : store.WorkerIndexOf(workerId);
        var stationIndex = workstationId is null ? null : store.StationIndexOf(workstationId);
        var buckets = TimeBuckets.Cover(window.Start, window.End, size, zone);

        // Each bucket's part of the window, or with a shift selected, its parts inside the shift's occurrences.
        var pieces = new List<(long From, long To)>();
        var owners = new List<int>();
        for (var r = 0; r < buckets.Count; r++)
        {
            var (a, b) = (Math.Max(from, buckets[r].Start.Ticks), Math.Min(to, buckets[r].End.Ticks));
            foreach (var piece in shift is null ? [(a, b)] : schedule.OccurrenceRanges(shift, a, b))
            {
                pieces.Add(piece);
                owners.Add(r);
            }
        }

        var ranges = pieces.ToArray();
        var durations = new (long Working, long Idle, long Absent)[ranges.Length];
        var units = new long[ranges.Length];
        var breaks = new long[ranges.Length];
        if ((workerId is not null && workerIndex is null) || (workstationId is not null && stationIndex is null))
        {
            // A filter on an id without data: the buckets exist, with zeros.
        }
        else
        {
            if (workerId is not null && workstationId is not null)
            {
                for (var r = 0; r < ranges.Length; r++)
                {
                    long working = 0, idle = 0, absent = 0;
                    foreach (var part in store.Parts(workerId, ranges[r].From, ranges[r].To, now, includeOffShift: false))
                    {
                        if (part.Station == stationIndex)
                        {
                            Add(part, ref working, ref idle, ref absent);
                        }
                    }

                    durations[r] = (working, idle, absent);
                }

                store.Worker(workerId)!.UnitsInRanges(ranges, stationIndex, units);
            }
            else if (workerIndex is { } k)
            {
                durations = store.DurationSeries(ranges, now, [k], station: 0);
                store.Worker(workerId!)!.UnitsInRanges(ranges, station: null, units);
            }
            else
            {
                var timelines = registry.Workers.Select(w => store.Worker(w.Id)).OfType<WorkerTimeline>().ToArray();
                if (stationIndex is { } s)
                {
                    durations = store.DurationSeries(ranges, now, workers: null, s);
                }
                else
                {
                    var registered = registry.Workers.Select(w => store.WorkerIndexOf(w.Id)).OfType<int>().Distinct().ToArray();
                    durations = store.DurationSeries(ranges, now, registered, station: 0);
                }

                foreach (var timeline in timelines)
                {
                    timeline.UnitsInRanges(ranges, stationIndex, units);
                }
            }

            if (schedule.Enabled && ranges.Length > 0)
            {
                var selected = workerId is null
                    ? registry.Workers
                    : registry.WorkersById.TryGetValue(workerId, out var one) ? [one] : [];
                foreach (var worker in selected)
                {
                    BreakAbsentSeries(store, worker, ranges, now, schedule, stationIndex, breaks);
                }
            }
        }

        var sums = new (long Working, long Idle, long Absent, long Units, long Break)[buckets.Count];
        for (var p = 0; p < ranges.Length; p++)
        {
            var r = owners[p];
            var (working, idle, absent) = durations[p];
            sums[r] = (sums[r].Working + working, sums[r].Idle + idle, sums[r].Absent + absent - breaks[p], sums[r].Units + units[p], sums[r].Break + breaks[p]);
        }

        for (var r = 0; r < buckets.Count; r++)
        {
            var bucketStart = buckets[r].Start;
            var (working, idle, absent, made, onBreak) = sums[r];
            var tracked = working + idle + absent;
            result.Add(new TimeseriesBucket(
                bucketStart,
                buckets[r].End,
                new DateTimeOffset(bucketStart).ToOffset(zone.GetUtcOffset(bucketStart)),
                TimeMath.Hours(working),
                TimeMath.Hours(idle),
                TimeMath.Hours(absent),
                made,
                TimeMath.Percentage(working, tracked))
            {
                BreakHours = TimeMath.Hours(onBreak),
            });
        }

        return result;
    }

    /// <summary>
    /// The worker's classified timeline in the window (only the parts inside the selected shift, if any);
    /// absent parts inside the planned breaks of <paramref name="workerShift"/> are <see cref="WorkerStatus.OnBreak"/>.
    /// </summary>
    public static List<TimelineSegment> Timeline(MetricsStore store, MetricsWindow window, string workerId,
        ShiftSchedule? shifts = null, string? workerShift = null)
    {
        var schedule = shifts ?? ShiftSchedule.Off;
        var (from, to, now) = Bounds(window);
        var result = new List<TimelineSegment>();
        if (from >= to)
        {
            return result;
        }

        var breaks = schedule.BreakRanges(workerShift, from, to);
        TimelinePart? pending = null;
        foreach (var (a, b) in SubWindows(window, schedule))
        {
            foreach (var whole in store.Parts(workerId, a, b, now, includeOffShift: true))
            {
                foreach (var part in SplitBreaks(whole, breaks))
                {
                    if (pending is { } p && p.End == part.Start && p.State == part.State && p.Station == part.Station)
                    {
                        pending = p with { End = part.End };
                        continue;
                    }

                    if (pending is { } done)
                    {
                        result.Add(ToSegment(done, store));
                    }

                    pending = part;
                }
            }
        }

        if (pending is { } last)
        {
            result.Add(ToSegment(last, store));
        }

        return result;
    }

    /// <summary>
    /// The parts of the window that count: the whole window, or with <see cref="MetricsWindow.Shift"/> set, its
    /// intersections with that shift's occurrences (ascending, disjoint; durations are window-additive, so sums over them are exact).
    /// </summary>
    public static List<(long From, long To)> SubWindows(MetricsWindow window, ShiftSchedule schedule)
    {
        var (from, to, _) = Bounds(window);
        return SelectedShift(window, schedule) is { } shift ? schedule.OccurrenceRanges(shift, from, to) : [(from, to)];
    }

    /// <summary>The calendar shift <see cref="MetricsWindow.Shift"/> names, or null; an unknown name is an <see cref="UnknownShiftException"/>.</summary>
    public static ShiftDefinition? SelectedShift(MetricsWindow window, ShiftSchedule schedule)
    {
        if (window.Shift is null)
        {
            return null;
        }

        return schedule.Enabled ? schedule.Find(window.Shift) ?? throw new UnknownShiftException(window.Shift, schedule.Calendar)
            : throw new UnknownShiftException(window.Shift, ShiftCalendar.Off);
    }

    /// <summary>Status at <paramref name="at"/>; absent inside one of the worker's planned breaks is on break.</summary>
    private static WorkerStatus StatusAt(WorkerTimeline? timeline, Worker worker, long at, MetricRules rules, ShiftSchedule schedule)
    {
        var status = timeline?.StatusAt(at, rules).Status ?? WorkerStatus.OffShift;
        return status == WorkerStatus.Absent && schedule.IsOnBreak(worker.Shift, at) ? WorkerStatus.OnBreak : status;
    }

    /// <summary>Absent ticks of one worker inside their planned breaks within <paramref name="windows"/>, optionally at one station.</summary>
    private static long BreakAbsent(MetricsStore store, Worker worker, List<(long From, long To)> windows, long now, ShiftSchedule schedule, int? station)
    {
        long total = 0;
        if (!schedule.Enabled || store.Worker(worker.Id) is null)
        {
            return total;
        }

        foreach (var (a, b) in windows)
        {
            foreach (var (c, d) in schedule.BreakRanges(worker.Shift, a, b))
            {
                foreach (var part in store.Parts(worker.Id, c, d, now, includeOffShift: false))
                {
                    if (part.State == WorkerStatus.Absent && (station is null || part.Station == station))
                    {
                        total += part.Length;
                    }
                }
            }
        }

        return total;
    }

    /// <summary>Adds the worker's absent ticks inside planned breaks to each of the ascending disjoint <paramref name="ranges"/>.</summary>
    private static void BreakAbsentSeries(MetricsStore store, Worker worker, (long From, long To)[] ranges, long now, ShiftSchedule schedule,
        int? station, long[] breaks)
    {
        if (store.Worker(worker.Id) is null)
        {
            return;
        }

        foreach (var (c, d) in schedule.BreakRanges(worker.Shift, ranges[0].From, ranges[^1].To))
        {
            foreach (var part in store.Parts(worker.Id, c, d, now, includeOffShift: false))
            {
                if (part.State != WorkerStatus.Absent || (station is not null && part.Station != station))
                {
                    continue;
                }

                int lo = 0, hi = ranges.Length;
                while (lo < hi)
                {
                    var mid = (lo + hi) >>> 1;
                    if (ranges[mid].To <= part.Start) lo = mid + 1; else hi = mid;
                }

                for (var p = lo; p < ranges.Length && ranges[p].From < part.End; p++)
                {
                    var overlap = Math.Min(part.End, ranges[p].To) - Math.Max(part.Start, ranges[p].From);
                    if (overlap > 0)
                    {
                        breaks[p] += overlap;
                    }
                }
            }
        }
    }

    /// <summary>Splits an absent part at the break bounds; the pieces inside a break are on break.</summary>
    private static IEnumerable<TimelinePart> SplitBreaks(TimelinePart part, List<(long From, long To)> breaks)
    {
        if (part.State != WorkerStatus.Absent || breaks.Count == 0)
        {
            yield return part;
            yield break;
        }

        var cursor = part.Start;
        foreach (var (a, b) in breaks)
        {
            var s = Math.Max(a, part.Start);
            var e = Math.Min(b, part.End);
            if (s >= e)
            {
                continue;
            }

            if (cursor < s)
            {
                yield return part with { Start = cursor, End = s };
            }

            yield return part with { Start = s, End = e, State = WorkerStatus.OnBreak };
            cursor = e;
        }

        if (cursor < part.End)
        {
            yield return part with { Start = cursor, End = part.End };
        }
    }

    private static TimelineSegment ToSegment(TimelinePart part, MetricsStore store) =>
        new(new DateTime(part.Start, DateTimeKind.Utc), new DateTime(part.End, DateTimeKind.Utc), part.State, store.StationIds[part.Station]);

    private static void Add(TimelinePart part, ref long working, ref long idle, ref long absent)
    {
        switch (part.State)
        {
            case WorkerStatus.Working: working += part.Length; break;
            case WorkerStatus.Idle: idle += part.Length; break;
            case WorkerStatus.Absent: absent += part.Length; break;
        }
    }

    /// <summary>The window in ticks; a window wholly in the future (start at or after the clipped end) is empty.</summary>
    private static (long From, long To, long Now) Bounds(MetricsWindow window) =>
        (window.Start.Ticks, Math.Max(window.Start.Ticks, window.End.Ticks), window.AsOf.Ticks);
}
