using Factory.Core.Events;

namespace Factory.Core.DataQuality;

/// <summary>
/// Arrival lag (<c>received_at - timestamp</c>) of the events with <c>timestamp</c> in <c>[StartTime, EndTime)</c>,
/// the late ones (lag above <c>Metrics:LateAfter</c>), and per camera the duplicates and rejects received in the
/// hours the window touches.
/// </summary>
public sealed record DataQualityReport(
    DateTime StartTime,
    DateTime EndTime,
    double LateAfterSeconds,
    long Events,
    long LateEvents,
    double LatePercentage,
    LagDistribution Lag,
    IReadOnlyList<CameraQuality> Cameras);

/// <summary>Percentiles (continuous, as PostgreSQL's <c>percentile_cont</c>) and a readable histogram; null figures when there are no events.</summary>
public sealed record LagDistribution(
    double? P50Seconds,
    double? P90Seconds,
    double? P95Seconds,
    double? P99Seconds,
    double? MaxSeconds,
    IReadOnlyList<LagBucket> Histogram);

/// <summary>Events with a lag in <c>[LowerSeconds, UpperSeconds)</c>; a null bound is open (the first bucket also holds negative lags from camera clock skew).</summary>
public sealed record LagBucket(double? LowerSeconds, double? UpperSeconds, long Count);

/// <summary>One camera's figures. Cameras with duplicates or rejects but no stored event in the window are listed too.</summary>
public sealed record CameraQuality(
    string CameraId,
    long Events,
    long LateEvents,
    double? LagP50Seconds,
    double? LagP95Seconds,
    double? MaxLagSeconds,
    long Duplicates,
    long Rejected,
    IReadOnlyDictionary<string, long> RejectedByReason,
    DateTime? LastReceivedAt);

/// <summary>Reads the data-quality figures (the API and the dashboard share it; tests substitute it).</summary>
public interface IDataQualityService
{
    /// <summary>The report over events with <c>timestamp</c> in <c>[start, end)</c>.</summary>
    Task<DataQualityReport> GetReportAsync(DateTime start, DateTime end, CancellationToken ct = default);

    /// <summary>The late events of the window, most recently received first.</summary>
    Task<IReadOnlyList<FactoryEvent>> LatestLateAsync(DateTime start, DateTime end, int limit, CancellationToken ct = default);
}

/// <summary>The fixed histogram buckets of the report, in seconds.</summary>
public static class LagBuckets
{
    /// <summary>Upper bounds of every bucket but the last: &lt;1 s, 1–5 s, 5–30 s, 30 s–2 min, 2–10 min, 10 min–1 h, &gt;1 h.</summary>
    public static IReadOnlyList<double> Bounds { get; } = [1, 5, 30, 120, 600, 3600];

    public static int IndexOf(double seconds)
    {
        for (var i = 0; i < Bounds.Count; i++)
        {
            if (seconds < Bounds[i])
            {
                return i;
            }
        }

        return Bounds.Count;
    }

    public static IReadOnlyList<LagBucket> From(IReadOnlyList<long> counts) =>
        counts.Select((count, i) => new LagBucket(i == 0 ? null : Bounds[i - 1], i < Bounds.Count ? Bounds[i] : null, count)).ToList();

    /// <summary>"&lt; 1 s", "1–5 s", …, "&gt; 1 h": labels for charts.</summary>
    public static string Label(LagBucket bucket) => (bucket.LowerSeconds, bucket.UpperSeconds) switch
    {
        (null, { } upper) => $"< {Span(upper)}",
        ({ } lower, null) => $"> {Span(lower)}",
        ({ } lower, { } upper) => $"{Span(lower)}–{Span(upper)}",
        _ => "all",
    };

    private static string Span(double seconds) =>
        seconds >= 3600 ? $"{seconds / 3600:0.#} h" : seconds >= 60 ? $"{seconds / 60:0.#} min" : $"{seconds:0.#} s";
}
