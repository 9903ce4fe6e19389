using Factory.Core.Registry;

namespace Factory.Core.Metrics;

/// <summary>
/// Turns a <see cref="MetricsStore"/> into the figures of metrics.md for a resolved window. Durations are
/// summed in ticks and converted to hours only at the end; every ratio is 0 when its denominator is 0.
/// </summary>
public static class MetricsCalculator
{
    public static List<WorkerMetrics> Workers(MetricsStore store, RegistrySnapshot registry, MetricsWindow window, string? workerId)
    {
        var (from, to, now) = Bounds(window);
        var durations = store.Durations(from, to, now);
        var result = new List<WorkerMetrics>();
        foreach (var worker in registry.Workers)
        {
            if (workerId is not null && worker.Id != workerId)
            {
                continue;
            }

            long working = 0, idle = 0, absent = 0, units = 0;
            var timeline = store.Worker(worker.Id);
            if (store.WorkerIndexOf(worker.Id) is { } k)
            {
                working = durations.WorkerWorking[k];
                idle = durations.WorkerIdle[k];
                absent = durations.WorkerAbsent[k];
                units = timeline!.UnitsIn(from, to, station: null);
            }

            var tracked = working + idle + absent;
            var end = window.End.Ticks;
            var lastSeen = timeline?.LastSeenBefore(end);
            var status = timeline?.StatusAt(end, store.Rules).Status ?? WorkerStatus.OffShift;
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
                status));
        }

        return result;
    }

    public static List<WorkstationMetrics> Workstations(MetricsStore store, RegistrySnapshot registry, MetricsWindow window, string? workstationId)
    {
        var (from, to, now) = Bounds(window);
        var (occupancy, working) = store.StationUnions(from, to, now);
        var units = new long[store.StationCount];
        var active = new int[store.StationCount];
        foreach (var worker in registry.Workers)
        {
            if (store.Worker(worker.Id) is not { } timeline)
            {
                continue;
            }

            timeline.UnitsByStation(from, to, units);
            var (status, station) = timeline.StatusAt(window.End.Ticks, store.Rules);
            if (status is WorkerStatus.Working or WorkerStatus.Idle && station is { } s)
            {
                active[s]++;
            }
        }

        var elapsed = Math.Max(0, to - from);
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

    public static FactoryMetrics Factory(MetricsStore store, RegistrySnapshot registry, MetricsWindow window)
    {
        var (from, to, now) = Bounds(window);
        var durations = store.Durations(from, to, now);
        long working = 0, idle = 0, absent = 0, units = 0;
        var active = 0;
        foreach (var worker in registry.Workers)
        {
            if (store.WorkerIndexOf(worker.Id) is not { } k)
            {
                continue;
            }

            var timeline = store.Worker(worker.Id)!;
            working += durations.WorkerWorking[k];
            idle += durations.WorkerIdle[k];
            absent += durations.WorkerAbsent[k];
            units += timeline.UnitsIn(from, to, station: null);
            if (timeline.StatusAt(window.End.Ticks, store.Rules).Status is WorkerStatus.Working or WorkerStatus.Idle)
            {
                active++;
            }
        }

        var tracked = working + idle + absent;
        var (events, low) = store.Counts.Count(from, to);
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
            low);
    }

    public static List<TimeseriesBucket> Timeseries(MetricsStore store, RegistrySnapshot registry, MetricsWindow window, BucketSize size,
        TimeZoneInfo zone, string? workerId, string? workstationId)
    {
        var (from, to, now) = Bounds(window);
        var result = new List<TimeseriesBucket>();
        if (from >= to)
        {
            return result;
        }

        var workerIndex = workerId is null ? null : store.WorkerIndexOf(workerId);
        var stationIndex = workstationId is null ? null : store.StationIndexOf(workstationId);
        var buckets = TimeBuckets.Cover(window.Start, window.End, size, zone);
        var ranges = buckets.Select(b => (From: Math.Max(from, b.Start.Ticks), To: Math.Min(to, b.End.Ticks))).ToArray();
        var durations = new (long Working, long Idle, long Absent)[ranges.Length];
        var units = new long[ranges.Length];
        if ((workerId is not null && workerIndex is null) || (workstationId is not null && stationIndex is null))
        {
            // A filter on an id without data: the buckets exist, with zeros.
        }
        else if (workerId is not null && workstationId is not null)
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

        for (var r = 0; r < ranges.Length; r++)
        {
            var bucketStart = buckets[r].Start;
            var (working, idle, absent) = durations[r];
            var tracked = working + idle + absent;
            result.Add(new TimeseriesBucket(
                bucketStart,
                buckets[r].End,
                new DateTimeOffset(bucketStart).ToOffset(zone.GetUtcOffset(bucketStart)),
                TimeMath.Hours(working),
                TimeMath.Hours(idle),
                TimeMath.Hours(absent),
                units[r],
                TimeMath.Percentage(working, tracked)));
        }

        return result;
    }

    public static List<TimelineSegment> Timeline(MetricsStore store, MetricsWindow window, string workerId)
    {
        var (from, to, now) = Bounds(window);
        var result = new List<TimelineSegment>();
        if (from >= to)
        {
            return result;
        }

        TimelinePart? pending = null;
        foreach (var part in store.Parts(workerId, from, to, now, includeOffShift: true))
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

        if (pending is { } last)
        {
            result.Add(ToSegment(last, store));
        }

        return result;
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
