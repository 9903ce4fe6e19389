using System.Text.Json.Serialization;

namespace Factory.Core.Metrics;

/// <summary>
/// A resolved query window: half-open <c>[Start, End)</c>, evaluated as of <c>AsOf</c>
/// (only events received at or before it count, and "now" is <c>AsOf</c>).
/// </summary>
public sealed record MetricsWindow(DateTime Start, DateTime End, DateTime AsOf)
{
    /// <summary>
    /// A shift of the calendar (<see cref="Shifts.ShiftCalendar"/>) or null: when set, only the parts of
    /// the window inside that shift's occurrences count.
    /// </summary>
    public string? Shift { get; init; }

    /// <summary>
    /// True when the caller asked for the present (no <c>as_of</c>): <c>AsOf</c> is the moment the window was
    /// resolved, and a query may move it (and <c>End</c>, when it was that moment) to the moment it runs, so
    /// that events received in between count instead of forcing a computation from the database.
    /// </summary>
    public bool Live { get; init; }
}

/// <summary>Status of a worker at an instant (metrics.md, "Current status").</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WorkerStatus>))]
public enum WorkerStatus
{
    [JsonStringEnumMemberName("working")]
    Working,

    [JsonStringEnumMemberName("idle")]
    Idle,

    [JsonStringEnumMemberName("absent")]
    Absent,

    [JsonStringEnumMemberName("off_shift")]
    OffShift,

    /// <summary>Would be absent, but inside a planned break of the worker's shift (README, "Shifts and breaks").</summary>
    [JsonStringEnumMemberName("on_break")]
    OnBreak,
}

/// <summary>Figures of one worker over a window (metrics.md, "Worker metrics").</summary>
public sealed record WorkerMetrics(
    string WorkerId,
    string WorkerName,
    double WorkingHours,
    double IdleHours,
    double AbsentHours,
    double TrackedHours,
    double UtilizationPercentage,
    long TotalUnitsProduced,
    double UnitsPerHour,
    DateTime? LastSeen,
    WorkerStatus Status)
{
    /// <summary>The reference system's name for <see cref="WorkingHours"/>, kept for its clients.</summary>
    public double TotalActiveTimeHours => WorkingHours;

    /// <summary>The reference system's name for <see cref="IdleHours"/>, kept for its clients.</summary>
    public double TotalIdleTimeHours => IdleHours;

    /// <summary>Time that would be absent but lies inside the worker's planned breaks (neither absent nor tracked).</summary>
    public double BreakHours { get; init; }
}

/// <summary>Figures of one workstation over a window (metrics.md, "Workstation metrics").</summary>
public sealed record WorkstationMetrics(
    string WorkstationId,
    string WorkstationName,
    double OccupancyHours,
    double WorkingHours,
    double UtilizationPercentage,
    double OccupancyPercentage,
    long TotalUnitsProduced,
    double ThroughputPerHour,
    int ActiveWorkers);

/// <summary>Time-weighted figures of the whole plant (metrics.md, "Factory metrics").</summary>
public sealed record FactoryMetrics(
    DateTime StartTime,
    DateTime EndTime,
    DateTime AsOf,
    double WorkingHours,
    double IdleHours,
    double AbsentHours,
    double TrackedHours,
    double UtilizationPercentage,
    long TotalUnitsProduced,
    double UnitsPerHour,
    int ActiveWorkers,
    int TotalWorkers,
    int TotalWorkstations,
    long EventsInWindow,
    long LowConfidenceEvents)
{
    /// <summary>Sum over workers of time inside their planned breaks that would otherwise be absent.</summary>
    public double BreakHours { get; init; }
}

/// <summary>Chart bucket sizes, aligned to the factory's time zone.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BucketSize>))]
public enum BucketSize
{
    [JsonStringEnumMemberName("hour")]
    Hour,

    [JsonStringEnumMemberName("day")]
    Day,
}

/// <summary>One chart bucket: <c>[Start, End)</c> in UTC, with the local start for labels.</summary>
public sealed record TimeseriesBucket(
    DateTime Start,
    DateTime End,
    DateTimeOffset LocalStart,
    double WorkingHours,
    double IdleHours,
    double AbsentHours,
    long Units,
    double UtilizationPercentage)
{
    /// <summary>Break time of the selection in this bucket (would be absent, inside planned breaks).</summary>
    public double BreakHours { get; init; }
}

/// <summary>A piece of a worker's timeline (for the Gantt-like bar): a state over <c>[Start, End)</c> at a station.</summary>
public sealed record TimelineSegment(DateTime Start, DateTime End, WorkerStatus State, string WorkstationId);

/// <summary>The read side of the metrics engine used by the API and the dashboard.</summary>
public interface IMetricsService
{
    /// <summary>Applies the spec's defaults and clipping to the query's optional bounds.</summary>
    MetricsWindow ResolveWindow(DateTime? start, DateTime? end, DateTime? asOf);

    Task<IReadOnlyList<WorkerMetrics>> GetWorkersAsync(MetricsWindow window, string? workerId, CancellationToken ct = default);

    Task<IReadOnlyList<WorkstationMetrics>> GetWorkstationsAsync(MetricsWindow window, string? workstationId, CancellationToken ct = default);

    Task<FactoryMetrics> GetFactoryAsync(MetricsWindow window, CancellationToken ct = default);

    Task<IReadOnlyList<TimeseriesBucket>> GetTimeseriesAsync(MetricsWindow window, BucketSize bucket, string? workerId, string? workstationId, CancellationToken ct = default);

    Task<IReadOnlyList<TimelineSegment>> GetWorkerTimelineAsync(MetricsWindow window, string workerId, CancellationToken ct = default);
}
