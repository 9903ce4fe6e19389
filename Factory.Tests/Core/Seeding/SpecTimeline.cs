using Factory.Core.Events;

namespace Factory.Tests.Core.Seeding;

/// <summary>
/// A deliberately naive reading of metrics.md's worker timeline, to judge generated data by the same rules
/// the dashboard uses: valid state events open segments; a segment counts as its state for at most
/// StateTimeout, then as absent while it is at most OffShiftGap long, else as off-shift.
/// </summary>
internal static class SpecTimeline
{
    public static readonly TimeSpan StateTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan OffShiftGap = TimeSpan.FromMinutes(60);
    public const double MinConfidence = 0.7;

    public static TimelineTotals ForWorker(IEnumerable<NewEvent> events, string workerId, DateTime start, DateTime end)
    {
        var states = events
            .Where(e => e.WorkerId == workerId && e.EventType.IsState() && e.Confidence >= MinConfidence)
            .OrderBy(e => e.Timestamp)
            .ToList();

        var totals = new Dictionary<EventType, TimeSpan> { [EventType.Working] = TimeSpan.Zero, [EventType.Idle] = TimeSpan.Zero, [EventType.Absent] = TimeSpan.Zero };
        for (var i = 0; i < states.Count; i++)
        {
            var t = states[i].Timestamp;
            var next = i + 1 < states.Count ? states[i + 1].Timestamp : end;
            var d = next - t;
            var own = d < StateTimeout ? d : StateTimeout;
            totals[states[i].EventType] += Overlap(t, t + own, start, end);
            if (d <= OffShiftGap)
            {
                totals[EventType.Absent] += Overlap(t + own, next, start, end);
            }
        }

        return new TimelineTotals(totals[EventType.Working], totals[EventType.Idle], totals[EventType.Absent]);
    }

    private static TimeSpan Overlap(DateTime a, DateTime b, DateTime start, DateTime end)
    {
        var from = a > start ? a : start;
        var to = b < end ? b : end;
        return to > from ? to - from : TimeSpan.Zero;
    }
}

internal sealed record TimelineTotals(TimeSpan Working, TimeSpan Idle, TimeSpan Absent)
{
    public TimeSpan Tracked => Working + Idle + Absent;

    public double Utilization => Tracked > TimeSpan.Zero ? Working / Tracked : 0;
}
