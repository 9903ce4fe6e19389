using Factory.Core.Events;

namespace Factory.Core.Metrics;

/// <summary>
/// Every worker's timeline and the event counts, in memory, with optional per-UTC-hour rollups of the
/// classified durations of closed segments (a segment is closed once the worker's next state event is
/// known, so its classification no longer depends on "now"). A query sums whole rollup hours and
/// computes only the partial hours at the window's edges, the open segments and the hours they touch
/// exactly. Without rollups the same store computes everything exactly: that is the naive path.
/// Not thread-safe: <see cref="MetricsIndex"/> serialises access.
/// </summary>
public sealed class MetricsStore
{
    private readonly Dictionary<string, int> _workerIndex = new(StringComparer.Ordinal);
    private readonly List<WorkerTimeline> _workers = [];
    private readonly Dictionary<string, int> _stationIndex = new(StringComparer.Ordinal);
    private readonly List<string> _stations = [];
    private readonly Dictionary<long, HourRollup> _rollups = [];
    private readonly HashSet<long> _dirtyHours = [];
    private readonly List<TimelinePart> _scratch = [];

    // The last run of hours marked dirty (empty when first > last): a state event whose hours it covers marks nothing new.
    private long _markedFirst = 1, _markedLast;

    public MetricsStore(MetricRules rules, bool useRollups)
    {
        Rules = rules;
        UseRollups = useRollups;
    }

    public MetricRules Rules { get; }

    public bool UseRollups { get; }

    public EventCounts Counts { get; } = new();

    /// <summary>Latest <c>received_at</c> of any event added (ticks), 0 when empty.</summary>
    public long MaxReceivedTicks { get; private set; }

    /// <summary>Highest event id added.</summary>
    public long MaxId { get; private set; }

    public int RollupHourCount => _rollups.Count;

    public IReadOnlyList<string> StationIds => _stations;

    /// <summary>Adds one stored event; events must arrive in increasing id (receive) order.</summary>
    public void Add(FactoryEvent e) =>
        Add(e.Id, e.Timestamp.Ticks, e.ReceivedAt.Ticks, e.WorkerId, e.WorkstationId, e.EventType, e.Confidence, e.Count, e.ModelVersion);

    public void Add(long id, long ticks, long receivedTicks, string workerId, string stationId, EventType type, double confidence, int count, string? modelVersion)
    {
        MaxId = Math.Max(MaxId, id);
        MaxReceivedTicks = Math.Max(MaxReceivedTicks, receivedTicks);
        Counts.Add(ticks, Rules.IsLowConfidence(confidence));
        if (!Rules.IsValid(confidence, modelVersion))
        {
            return;
        }

        var worker = Worker(workerId, create: true)!;
        var station = Station(stationId);
        if (type == EventType.ProductCount)
        {
            worker.AddProduct(ticks, station, count);
            return;
        }

        var changedFrom = worker.AddState(ticks, station, WorkerTimeline.StateOf(type));
        if (UseRollups)
        {
            var firstHour = TimeMath.HourOf(changedFrom);
            var lastHour = TimeMath.HourOf(ticks + Rules.Reach);
            if (firstHour < _markedFirst || lastHour > _markedLast)
            {
                for (var hour = firstHour; hour <= lastHour; hour++)
                {
                    _dirtyHours.Add(hour);
                }

                (_markedFirst, _markedLast) = (firstHour, lastHour);
            }
        }
    }

    /// <summary>Recomputes the rollup hours touched by events added since the last call.</summary>
    public void FlushRollups()
    {
        if (_dirtyHours.Count == 0)
        {
            return;
        }

        foreach (var hour in _dirtyHours)
        {
            var rollup = ComputeHour(hour);
            if (rollup is null)
            {
                _rollups.Remove(hour);
            }
            else
            {
                _rollups[hour] = rollup;
            }
        }

        _dirtyHours.Clear();
        (_markedFirst, _markedLast) = (1, 0);
    }

    public WorkerTimeline? Worker(string workerId, bool create = false)
    {
        if (_workerIndex.TryGetValue(workerId, out var index))
        {
            return _workers[index];
        }

        if (!create)
        {
            return null;
        }

        var timeline = new WorkerTimeline(workerId);
        _workerIndex[workerId] = _workers.Count;
        _workers.Add(timeline);
        return timeline;
    }

    public int? WorkerIndexOf(string workerId) => _workerIndex.TryGetValue(workerId, out var i) ? i : null;

    public int? StationIndexOf(string stationId) => _stationIndex.TryGetValue(stationId, out var i) ? i : null;

    public int WorkerCount => _workers.Count;

    public int StationCount => _stations.Count;

    private int Station(string stationId)
    {
        if (!_stationIndex.TryGetValue(stationId, out var index))
        {
            index = _stations.Count;
            _stationIndex[stationId] = index;
            _stations.Add(stationId);
        }

        return index;
    }

    /// <summary>Classified working/idle/absent ticks in <c>[from, to)</c> per worker and per station (sums over workers).</summary>
    public DurationTotals Durations(long from, long to, long now)
    {
        FlushRollups();
        var totals = new DurationTotals(_workers.Count, _stations.Count);
        if (from >= to)
        {
            return totals;
        }

        var (firstFull, endFull) = FullHours(from, to);
        if (firstFull < endFull)
        {
            AddExact(totals, from, firstFull * TimeSpan.TicksPerHour, now, closed: true, open: false);
            AddExact(totals, endFull * TimeSpan.TicksPerHour, to, now, closed: true, open: false);
            ForEachRollup(firstFull, endFull, r => r.AddTo(totals));
            AddExact(totals, from, to, now, closed: false, open: true);
        }
        else
        {
            AddExact(totals, from, to, now, closed: true, open: true);
        }

        return totals;
    }

    /// <summary>
    /// Working, idle and absent ticks of one selection in each of the contiguous <paramref name="ranges"/> (ascending,
    /// each <c>[From, To)</c>): the sum over the worker indices in <paramref name="workers"/>, or, when it is null, the
    /// totals of station <paramref name="station"/>. Equal to <see cref="Durations"/> per range; whole rollup hours
    /// come from running sums over the hours, so the cost grows with the hours and edges, not with the ranges times the workers.
    /// </summary>
    public (long Working, long Idle, long Absent)[] DurationSeries(IReadOnlyList<(long From, long To)> ranges, long now, int[]? workers, int station)
    {
        FlushRollups();
        var result = new (long Working, long Idle, long Absent)[ranges.Count];
        if (ranges.Count == 0)
        {
            return result;
        }

        var from = ranges[0].From;
        var to = ranges[^1].To;
        var selected = workers ?? Enumerable.Range(0, _workers.Count).ToArray();
        var allWorkers = workers is not null && workers.Length == _workers.Count;

        // Running sums of the selection over the whole rollup hours of the window: index i covers hours [first, first + i).
        var (first, end) = FullHours(from, to);
        var hours = Math.Max(0, end - first);
        var running = new (long Working, long Idle, long Absent)[hours + 1];
        for (var i = 0; i < hours; i++)
        {
            var sum = running[i];
            if (_rollups.TryGetValue(first + i, out var rollup))
            {
                var d = rollup.Durations;
                if (workers is null)
                {
                    if (station < d.StationWorking.Length)
                    {
                        sum = (sum.Working + d.StationWorking[station], sum.Idle + d.StationIdle[station], sum.Absent + d.StationAbsent[station]);
                    }
                }
                else if (allWorkers)
                {
                    sum = (sum.Working + rollup.TotalWorking, sum.Idle + rollup.TotalIdle, sum.Absent + rollup.TotalAbsent);
                }
                else
                {
                    foreach (var k in workers)
                    {
                        if (k < d.WorkerWorking.Length)
                        {
                            sum = (sum.Working + d.WorkerWorking[k], sum.Idle + d.WorkerIdle[k], sum.Absent + d.WorkerAbsent[k]);
                        }
                    }
                }
            }

            running[i + 1] = sum;
        }

        // Open segments depend on "now": their parts over the whole window, split among the ranges below.
        var open = new List<TimelinePart>();
        foreach (var k in selected)
        {
            _workers[k].CollectParts(from, to, now, includeClosed: false, includeOpen: true, includeOffShift: false, Rules, open);
        }

        for (var r = 0; r < ranges.Count; r++)
        {
            var (a, b) = ranges[r];
            if (a >= b)
            {
                continue;
            }

            long working = 0, idle = 0, absent = 0;
            var (ha, hb) = FullHours(a, b);
            if (ha < hb)
            {
                var whole = running[hb - first];
                var before = running[ha - first];
                (working, idle, absent) = (whole.Working - before.Working, whole.Idle - before.Idle, whole.Absent - before.Absent);
                AddClosed(selected, workers is null ? station : null, a, ha * TimeSpan.TicksPerHour, now, ref working, ref idle, ref absent);
                AddClosed(selected, workers is null ? station : null, hb * TimeSpan.TicksPerHour, b, now, ref working, ref idle, ref absent);
            }
            else
            {
                AddClosed(selected, workers is null ? station : null, a, b, now, ref working, ref idle, ref absent);
            }

            foreach (var part in open)
            {
                if (workers is null && part.Station != station)
                {
                    continue;
                }

                var s = Math.Max(part.Start, a);
                var e = Math.Min(part.End, b);
                if (s < e)
                {
                    Accumulate(part.State, e - s, ref working, ref idle, ref absent);
                }
            }

            result[r] = (working, idle, absent);
        }

        return result;
    }

    private void AddClosed(int[] workers, int? station, long from, long to, long now, ref long working, ref long idle, ref long absent)
    {
        if (from >= to)
        {
            return;
        }

        foreach (var k in workers)
        {
            _scratch.Clear();
            _workers[k].CollectParts(from, to, now, includeClosed: true, includeOpen: false, includeOffShift: false, Rules, _scratch);
            foreach (var part in _scratch)
            {
                if (station is null || part.Station == station)
                {
                    Accumulate(part.State, part.Length, ref working, ref idle, ref absent);
                }
            }
        }
    }

    private static void Accumulate(WorkerStatus state, long length, ref long working, ref long idle, ref long absent)
    {
        switch (state)
        {
            case WorkerStatus.Working: working += length; break;
            case WorkerStatus.Idle: idle += length; break;
            case WorkerStatus.Absent: absent += length; break;
        }
    }

    /// <summary>Per station, the length of the union of working-or-idle parts (occupancy) and of working parts, in <c>[from, to)</c>.</summary>
    public (long[] Occupancy, long[] Working) StationUnions(long from, long to, long now)
    {
        FlushRollups();
        var occupancy = new long[_stations.Count];
        var working = new long[_stations.Count];
        if (from >= to)
        {
            return (occupancy, working);
        }

        var (firstFull, endFull) = FullHours(from, to);
        if (firstFull >= endFull)
        {
            AddExactUnions(from, to, now, occupancy, working);
            return (occupancy, working);
        }

        AddExactUnions(from, firstFull * TimeSpan.TicksPerHour, now, occupancy, working);
        AddExactUnions(endFull * TimeSpan.TicksPerHour, to, now, occupancy, working);

        // Hours reached by an open segment depend on "now" and on other workers' parts: exact.
        var exactHours = new HashSet<long>();
        foreach (var worker in _workers)
        {
            if (worker.OpenSegmentReach(now, Rules) is { } reach)
            {
                for (var h = Math.Max(firstFull, TimeMath.HourOf(reach.Start)); h < endFull && h <= TimeMath.HourOf(reach.End - 1); h++)
                {
                    exactHours.Add(h);
                }
            }
        }

        foreach (var h in exactHours)
        {
            AddExactUnions(h * TimeSpan.TicksPerHour, (h + 1) * TimeSpan.TicksPerHour, now, occupancy, working);
        }

        ForEachRollup(firstFull, endFull, r =>
        {
            if (!exactHours.Contains(r.Hour))
            {
                r.AddUnionsTo(occupancy, working);
            }
        });
        return (occupancy, working);
    }

    /// <summary>Exact classified parts of one worker in <c>[from, to)</c>, optionally with off-shift parts.</summary>
    public List<TimelinePart> Parts(string workerId, long from, long to, long now, bool includeOffShift)
    {
        var parts = new List<TimelinePart>();
        Worker(workerId)?.CollectParts(from, to, now, includeClosed: true, includeOpen: true, includeOffShift, Rules, parts);
        return parts;
    }

    private (long FirstFull, long EndFull) FullHours(long from, long to)
    {
        if (!UseRollups)
        {
            return (0, 0);
        }

        var firstFull = TimeMath.HourOf(from + TimeSpan.TicksPerHour - 1);
        var endFull = TimeMath.HourOf(to);
        return (firstFull, endFull);
    }

    private void ForEachRollup(long firstHour, long endHour, Action<HourRollup> action)
    {
        if (endHour - firstHour > _rollups.Count)
        {
            foreach (var (hour, rollup) in _rollups)
            {
                if (hour >= firstHour && hour < endHour)
                {
                    action(rollup);
                }
            }

            return;
        }

        for (var h = firstHour; h < endHour; h++)
        {
            if (_rollups.TryGetValue(h, out var rollup))
            {
                action(rollup);
            }
        }
    }

    private void AddExact(DurationTotals totals, long from, long to, long now, bool closed, bool open)
    {
        if (from >= to)
        {
            return;
        }

        for (var k = 0; k < _workers.Count; k++)
        {
            _scratch.Clear();
            _workers[k].CollectParts(from, to, now, closed, open, includeOffShift: false, Rules, _scratch);
            foreach (var part in _scratch)
            {
                totals.Add(k, part);
            }
        }
    }

    private void AddExactUnions(long from, long to, long now, long[] occupancy, long[] working)
    {
        if (from >= to)
        {
            return;
        }

        var byStation = CollectStationIntervals(from, to, now, closed: true, open: true);
        for (var s = 0; s < byStation.Length; s++)
        {
            if (byStation[s] is { } intervals)
            {
                occupancy[s] += UnionLength(intervals, workingOnly: false);
                working[s] += UnionLength(intervals, workingOnly: true);
            }
        }
    }

    private List<TimelinePart>?[] CollectStationIntervals(long from, long to, long now, bool closed, bool open)
    {
        var byStation = new List<TimelinePart>?[_stations.Count];
        foreach (var worker in _workers)
        {
            _scratch.Clear();
            worker.CollectParts(from, to, now, closed, open, includeOffShift: false, Rules, _scratch);
            foreach (var part in _scratch)
            {
                if (part.State is WorkerStatus.Working or WorkerStatus.Idle)
                {
                    (byStation[part.Station] ??= []).Add(part);
                }
            }
        }

        return byStation;
    }

    private static long UnionLength(List<TimelinePart> intervals, bool workingOnly)
    {
        intervals.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        long total = 0, start = 0, end = long.MinValue;
        foreach (var part in intervals)
        {
            if (workingOnly && part.State != WorkerStatus.Working)
            {
                continue;
            }

            if (part.Start > end)
            {
                if (end > start)
                {
                    total += end - start;
                }

                start = part.Start;
                end = part.End;
            }
            else if (part.End > end)
            {
                end = part.End;
            }
        }

        if (end > start)
        {
            total += end - start;
        }

        return total;
    }

    private HourRollup? ComputeHour(long hour)
    {
        var from = hour * TimeSpan.TicksPerHour;
        var to = from + TimeSpan.TicksPerHour;
        var rollup = new HourRollup(hour, _workers.Count, _stations.Count);
        var any = false;
        for (var k = 0; k < _workers.Count; k++)
        {
            _scratch.Clear();
            _workers[k].CollectParts(from, to, now: 0, includeClosed: true, includeOpen: false, includeOffShift: false, Rules, _scratch);
            foreach (var part in _scratch)
            {
                rollup.Durations.Add(k, part);
                any = true;
            }
        }

        for (var k = 0; k < _workers.Count; k++)
        {
            rollup.TotalWorking += rollup.Durations.WorkerWorking[k];
            rollup.TotalIdle += rollup.Durations.WorkerIdle[k];
            rollup.TotalAbsent += rollup.Durations.WorkerAbsent[k];
        }

        if (!any)
        {
            return null;
        }

        var byStation = CollectStationIntervals(from, to, now: 0, closed: true, open: false);
        for (var s = 0; s < byStation.Length; s++)
        {
            if (byStation[s] is { } intervals)
            {
                rollup.Occupancy[s] = UnionLength(intervals, workingOnly: false);
                rollup.Working[s] = UnionLength(intervals, workingOnly: true);
            }
        }

        return rollup;
    }

    /// <summary>Figures of one UTC hour from closed segments only.</summary>
    private sealed class HourRollup(long hour, int workers, int stations)
    {
        public long Hour { get; } = hour;
        public DurationTotals Durations { get; } = new(workers, stations);
        public long[] Occupancy { get; } = new long[stations];
        public long[] Working { get; } = new long[stations];

        /// <summary>Working, idle and absent ticks summed over every worker.</summary>
        public long TotalWorking { get; set; }
        public long TotalIdle { get; set; }
        public long TotalAbsent { get; set; }

        public void AddTo(DurationTotals totals) => totals.AddAll(Durations);

        public void AddUnionsTo(long[] occupancy, long[] working)
        {
            for (var s = 0; s < Occupancy.Length; s++)
            {
                occupancy[s] += Occupancy[s];
                working[s] += Working[s];
            }
        }
    }
}

/// <summary>Working, idle and absent ticks per worker index and per station index (sums over workers).</summary>
public sealed class DurationTotals(int workers, int stations)
{
    public long[] WorkerWorking { get; } = new long[workers];
    public long[] WorkerIdle { get; } = new long[workers];
    public long[] WorkerAbsent { get; } = new long[workers];
    public long[] StationWorking { get; } = new long[stations];
    public long[] StationIdle { get; } = new long[stations];
    public long[] StationAbsent { get; } = new long[stations];

    public void Add(int worker, TimelinePart part)
    {
        switch (part.State)
        {
            case WorkerStatus.Working:
                WorkerWorking[worker] += part.Length;
                StationWorking[part.Station] += part.Length;
                break;
            case WorkerStatus.Idle:
                WorkerIdle[worker] += part.Length;
                StationIdle[part.Station] += part.Length;
                break;
            case WorkerStatus.Absent:
                WorkerAbsent[worker] += part.Length;
                StationAbsent[part.Station] += part.Length;
                break;
        }
    }

    /// <summary>Adds another total computed when fewer workers or stations were known (missing entries are zero).</summary>
    public void AddAll(DurationTotals other)
    {
        for (var k = 0; k < other.WorkerWorking.Length; k++)
        {
            WorkerWorking[k] += other.WorkerWorking[k];
            WorkerIdle[k] += other.WorkerIdle[k];
            WorkerAbsent[k] += other.WorkerAbsent[k];
        }

        for (var s = 0; s < other.StationWorking.Length; s++)
        {
            StationWorking[s] += other.StationWorking[s];
            StationIdle[s] += other.StationIdle[s];
            StationAbsent[s] += other.StationAbsent[s];
        }
    }
}
