using Factory.Core.Events;

namespace Factory.Core.Metrics;

/// <summary>A valid state event reduced to what the timeline needs.</summary>
public readonly record struct StateMark(long Ticks, int Station, WorkerStatus State);

/// <summary>A valid product event reduced to what the unit counts need.</summary>
public readonly record struct ProductMark(long Ticks, int Station, int Count);

/// <summary>
/// One worker's valid state and product events, sorted by timestamp. Events must be added in receive
/// order (increasing event id): a state event at a timestamp already present replaces it, because the
/// later-received of two same-timestamp events wins and the earlier one has zero duration.
/// </summary>
public sealed class WorkerTimeline(string workerId)
{
    private readonly List<StateMark> _states = [];
    private readonly List<ProductMark> _products = [];

    public string WorkerId { get; } = workerId;

    public int StateCount => _states.Count;

    /// <summary>Latest valid sighting known from outside the loaded events (used when only a slice of history is loaded).</summary>
    public long? EarlierSighting { get; set; }

    /// <summary>Adds a valid state event; returns the start of the earliest segment whose classification may have changed.</summary>
    public long AddState(long ticks, int station, WorkerStatus state)
    {
        var mark = new StateMark(ticks, station, state);
        if (_states.Count == 0 || _states[^1].Ticks < ticks)
        {
            // The usual case: a worker's events arrive in timestamp order.
            var previous = _states.Count == 0 ? ticks : _states[^1].Ticks;
            _states.Add(mark);
            return previous;
        }

        var index = LowerBound(_states, ticks);
        if (index < _states.Count && _states[index].Ticks == ticks)
        {
            _states[index] = mark;
            return ticks;
        }

        _states.Insert(index, mark);
        return index > 0 ? _states[index - 1].Ticks : ticks;
    }

    public void AddProduct(long ticks, int station, int count)
    {
        if (_products.Count == 0 || _products[^1].Ticks <= ticks)
        {
            _products.Add(new ProductMark(ticks, station, count));
            return;
        }

        var index = UpperBound(_products, ticks);
        _products.Insert(index, new ProductMark(ticks, station, count));
    }

    /// <summary>
    /// Writes the classified parts intersecting <c>[from, to)</c>. Segments end at the next state event;
    /// the last one ends at <paramref name="now"/> and is written only when <paramref name="includeOpen"/>.
    /// </summary>
    public void CollectParts(long from, long to, long now, bool includeClosed, bool includeOpen, bool includeOffShift,
        MetricRules rules, List<TimelinePart> output)
    {
        var count = _states.Count;
        if (count == 0 || from >= to)
        {
            return;
        }

        // Parts never outlast their segment, and a segment ends where the next one starts: only the last
        // segment starting before from can reach into the range.
        var first = Math.Max(0, LowerBound(_states, from) - 1);

        if (!includeClosed)
        {
            first = Math.Max(first, count - 1);
        }

        for (var i = first; i < count; i++)
        {
            var mark = _states[i];
            if (mark.Ticks >= to)
            {
                break;
            }

            var isOpen = i + 1 == count;
            if (isOpen ? !includeOpen : !includeClosed)
            {
                continue;
            }

            var end = isOpen ? now : _states[i + 1].Ticks;
            SegmentClassifier.Classify(mark.Ticks, end, mark.State, mark.Station, rules, from, to, includeOffShift, output);
        }
    }

    /// <summary>The counted extent <c>[start, end)</c> of the open (last) segment, or null when there is none.</summary>
    public (long Start, long End, int Station)? OpenSegmentReach(long now, MetricRules rules)
    {
        if (_states.Count == 0)
        {
            return null;
        }

        var last = _states[^1];
        var length = now - last.Ticks;
        if (length <= 0)
        {
            return null;
        }

        var counted = length <= rules.OffShiftGap ? length : Math.Min(length, rules.StateTimeout);
        return (last.Ticks, last.Ticks + counted, last.Station);
    }

    /// <summary>Status at <paramref name="at"/> and the station of the event that gives it (null when off-shift by absence of events).</summary>
    public (WorkerStatus Status, int? Station) StatusAt(long at, MetricRules rules)
    {
        var index = LowerBound(_states, at) - 1;
        if (index < 0)
        {
            return (WorkerStatus.OffShift, null);
        }

        var mark = _states[index];
        return (SegmentClassifier.StatusFromAge(mark.State, at - mark.Ticks, rules), mark.Station);
    }

    /// <summary>Timestamp of the latest valid event (state or product) strictly before <paramref name="at"/>.</summary>
    public long? LastSeenBefore(long at)
    {
        long? best = EarlierSighting is { } earlier && earlier < at ? earlier : null;
        var s = LowerBound(_states, at) - 1;
        if (s >= 0 && (best is null || _states[s].Ticks > best))
        {
            best = _states[s].Ticks;
        }

        var p = LowerBound(_products, at) - 1;
        if (p >= 0 && (best is null || _products[p].Ticks > best))
        {
            best = _products[p].Ticks;
        }

        return best;
    }

    /// <summary>Units in <c>[from, to)</c>, optionally at one station only.</summary>
    public long UnitsIn(long from, long to, int? station)
    {
        long units = 0;
        for (var i = LowerBound(_products, from); i < _products.Count && _products[i].Ticks < to; i++)
        {
            if (station is null || _products[i].Station == station)
            {
                units += _products[i].Count;
            }
        }

        return units;
    }

    /// <summary>
    /// Adds the units of each of the contiguous <paramref name="ranges"/> (ascending, each <c>[From, To)</c>) to
    /// <c>units[r]</c>, optionally at one station only, in one pass over the products.
    /// </summary>
    public void UnitsInRanges(IReadOnlyList<(long From, long To)> ranges, int? station, long[] units)
    {
        if (ranges.Count == 0)
        {
            return;
        }

        var r = 0;
        var to = ranges[^1].To;
        for (var i = LowerBound(_products, ranges[0].From); i < _products.Count && _products[i].Ticks < to; i++)
        {
            var product = _products[i];
            while (ranges[r].To <= product.Ticks)
            {
                r++;
            }

            if (product.Ticks >= ranges[r].From && (station is null || product.Station == station))
            {
                units[r] += product.Count;
            }
        }
    }

    /// <summary>Adds units in <c>[from, to)</c> per station.</summary>
    public void UnitsByStation(long from, long to, long[] perStation)
    {
        for (var i = LowerBound(_products, from); i < _products.Count && _products[i].Ticks < to; i++)
        {
            perStation[_products[i].Station] += _products[i].Count;
        }
    }

    private static int LowerBound(List<StateMark> list, long ticks)
    {
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid].Ticks < ticks) lo = mid + 1; else hi = mid;
        }

        return lo;
    }

    private static int LowerBound(List<ProductMark> list, long ticks)
    {
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid].Ticks < ticks) lo = mid + 1; else hi = mid;
        }

        return lo;
    }

    private static int UpperBound(List<ProductMark> list, long ticks)
    {
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid].Ticks <= ticks) lo = mid + 1; else hi = mid;
        }

        return lo;
    }

    internal static WorkerStatus StateOf(EventType type) => type switch
    {
        EventType.Working => WorkerStatus.Working,
        EventType.Idle => WorkerStatus.Idle,
        _ => WorkerStatus.Absent,
    };
}
