namespace Factory.Tests.Reference;

/// <summary>What a camera reported, as the reference keeps it.</summary>
internal enum RefKind
{
    Working,
    Idle,
    Absent,
    Product,
}

/// <summary>
/// One stored event of the reference. <see cref="Seq"/> is the order the server received it in (posting order,
/// array order inside a batch); instants are UTC ticks.
/// </summary>
internal sealed record RefEvent(
    long Seq,
    long Timestamp,
    long ReceivedAt,
    string Worker,
    string Station,
    RefKind Kind,
    double Confidence,
    int Count,
    string? Model,
    string? EventId)
{
    public bool IsState => Kind != RefKind.Product;
}

/// <summary>A shift of the calendar in local wall-clock time, with its planned breaks.</summary>
internal sealed record RefShift(string Name, TimeOnly Start, TimeOnly End, IReadOnlyList<RefBreak> Breaks);

internal sealed record RefBreak(TimeOnly Start, TimeOnly End);

internal sealed record RefWorker(string Id, string Name, string Shift);

internal sealed record RefStation(string Id, string Name);

/// <summary>Everything the rules depend on besides the events: configuration, registry, calendar and exclusions.</summary>
internal sealed class RefSettings
{
    public double MinConfidence { get; init; } = 0.7;

    public long StateTimeout { get; init; } = TimeSpan.FromMinutes(5).Ticks;

    public long OffShiftGap { get; init; } = TimeSpan.FromMinutes(60).Ticks;

    public TimeZoneInfo Zone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>Calendars switched on (configuration and the stored flag); off means no breaks and no <c>shift</c>.</summary>
    public bool CalendarOn { get; set; }

    public List<RefShift> Shifts { get; set; } = [];

    public HashSet<string> Excluded { get; } = new(StringComparer.Ordinal);

    public List<RefWorker> Workers { get; init; } = [];

    public List<RefStation> Stations { get; init; } = [];

    /// <summary>The calendar shift with this name, case-insensitive (null when calendars are off).</summary>
    public RefShift? FindShift(string? name) =>
        !CalendarOn || name is null ? null : Shifts.FirstOrDefault(s => string.Equals(s.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The event store of the reference: every posted event in receive order, deduplicated as the spec says
/// (first write wins on <c>(timestamp, worker_id, event_type)</c> and on <c>event_id</c>).
/// </summary>
internal sealed class RefLog
{
    private readonly HashSet<(long, string, RefKind)> _keys = [];
    private readonly HashSet<string> _eventIds = new(StringComparer.Ordinal);
    private long _seq;

    public List<RefEvent> Stored { get; } = [];

    /// <summary>Stores a batch received at <paramref name="receivedAt"/>; returns how many were new and how many duplicates.</summary>
    public (int Accepted, int Duplicates) Receive(IEnumerable<RefEvent> batch, long receivedAt)
    {
        int accepted = 0, duplicates = 0;
        foreach (var e in batch)
        {
            var key = (e.Timestamp, e.Worker, e.Kind);
            if (_keys.Contains(key) || (e.EventId is not null && _eventIds.Contains(e.EventId)))
            {
                duplicates++;
                continue;
            }

            _keys.Add(key);
            if (e.EventId is not null)
            {
                _eventIds.Add(e.EventId);
            }

            Stored.Add(e with { Seq = ++_seq, ReceivedAt = receivedAt });
            accepted++;
        }

        return (accepted, duplicates);
    }
}
