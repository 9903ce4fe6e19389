namespace Factory.Core.Metrics;

/// <summary>A classified piece of a worker's timeline in UTC ticks, <c>[Start, End)</c>.</summary>
public readonly record struct TimelinePart(long Start, long End, WorkerStatus State, int Station)
{
    public long Length => End - Start;
}

/// <summary>
/// Classifies one segment by the rules of metrics.md: a segment opened by a state event at <c>t</c> and of
/// length <c>d</c> is its own state for <c>min(d, StateTimeout)</c>; the rest is absent while
/// <c>d &lt;= OffShiftGap</c> and off-shift (counted nowhere) otherwise. The whole segment is classified
/// before any clipping to a window, which is what makes every duration window-additive.
/// </summary>
public static class SegmentClassifier
{
    /// <summary>
    /// Writes the parts of the segment <c>[start, end)</c> that intersect <c>[from, to)</c> to <paramref name="output"/>.
    /// Off-shift parts are written only when <paramref name="includeOffShift"/>.
    /// </summary>
    public static void Classify(long start, long end, WorkerStatus state, int station, MetricRules rules,
        long from, long to, bool includeOffShift, List<TimelinePart> output)
    {
        var length = end - start;
        if (length <= 0)
        {
            return;
        }

        var own = Math.Min(length, rules.StateTimeout);
        Emit(start, start + own, state, station, from, to, output);
        if (own < length)
        {
            if (length <= rules.OffShiftGap)
            {
                Emit(start + own, end, WorkerStatus.Absent, station, from, to, output);
            }
            else if (includeOffShift)
            {
                Emit(start + own, end, WorkerStatus.OffShift, station, from, to, output);
            }
        }
    }

    /// <summary>Status at an instant from the age of the last state event before it (metrics.md, "Current status").</summary>
    public static WorkerStatus StatusFromAge(WorkerStatus state, long age, MetricRules rules) =>
        age <= rules.StateTimeout ? state : age <= rules.OffShiftGap ? WorkerStatus.Absent : WorkerStatus.OffShift;

    private static void Emit(long start, long end, WorkerStatus state, int station, long from, long to, List<TimelinePart> output)
    {
        var s = Math.Max(start, from);
        var e = Math.Min(end, to);
        if (s < e)
        {
            output.Add(new TimelinePart(s, e, state, station));
        }
    }
}
