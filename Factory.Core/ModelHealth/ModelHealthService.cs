using Factory.Core.Data;
using Factory.Core.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Factory.Core.ModelHealth;

/// <summary>
/// Model health figures (model-health.md). Every stored event counts here, low-confidence ones included:
/// a drift average that ignored them could never fall below the threshold.
/// </summary>
public sealed class ModelHealthService(
    IServiceScopeFactory scopes,
    ConfidenceAggregates aggregates,
    ModelAlertMonitor alerts,
    TimeProvider time,
    IOptions<ModelHealthOptions> options)
{
    public const string NoModelLabel = "unknown";

    public ModelHealthOptions Options => options.Value;

    /// <summary>Status of a mean; the mean is rounded to 6 places first so that 100 × 0.85 is exactly 0.85.</summary>
    public HealthStatus Classify(double average, long samples) => ClassifyRounded(Math.Round(average, 6), samples);

    private HealthStatus ClassifyRounded(double average, long samples) =>
        samples == 0 ? HealthStatus.Healthy
        : average < options.Value.CriticalBelow ? HealthStatus.Critical
        : average < options.Value.WarningBelow ? HealthStatus.Warning
        : HealthStatus.Healthy;

    public async Task<ModelHealthReport> GetReportAsync(CancellationToken ct = default)
    {
        await aggregates.EnsureLoadedAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var (average, samples) = await LatestAverageAsync(ct);
        var status = Classify(average, samples);
        var message = samples == 0
            ? "No events yet: model health appears once cameras report."
            : status switch
            {
                HealthStatus.Critical => "Low confidence detected: potential model drift. Check cameras and consider retraining or rolling back.",
                HealthStatus.Warning => "Confidence is below the healthy range: monitor the cameras listed below.",
                _ => "Model confidence is within the acceptable range.",
            };

        return new ModelHealthReport(status, Math.Round(average, 4), samples, message, now,
            Cameras(now), Models(now), alerts.Evaluate(now, average, samples));
    }

    /// <summary>Mean confidence of the latest <see cref="ModelHealthOptions.Samples"/> events by timestamp.</summary>
    public async Task<(double Average, int Samples)> LatestAverageAsync(CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var latest = await db.Events.AsNoTracking()
            .OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id)
            .Take(options.Value.Samples).Select(e => e.Confidence).ToListAsync(ct);
        return latest.Count == 0 ? (0, 0) : (latest.Average(), latest.Count);
    }

    public IReadOnlyList<CameraHealth> Cameras(DateTime now)
    {
        var from = now - options.Value.CameraWindow;
        var silentBefore = now - options.Value.CameraSilentAfter;
        var cameras = aggregates.Cells
            .Where(c => c.Key.Camera.Length > 0 && c.Key.HourTicks + TimeSpan.TicksPerHour > from.Ticks)
            .GroupBy(c => c.Key.Camera)
            .Select(g => new
            {
                Camera = g.Key,
                Count = g.Sum(c => c.Value.Count),
                Sum = g.Sum(c => c.Value.Sum),
                Low = g.Sum(c => c.Value.Low),
                Last = g.Max(c => c.Value.LastTimestamp),
            })
            .ToList();
        var anyRecent = cameras.Any(c => c.Last >= silentBefore);
        return cameras
            .OrderBy(c => c.Camera, StringComparer.Ordinal)
            .Select(c =>
            {
                var avg = c.Count == 0 ? 0 : c.Sum / c.Count;
                return new CameraHealth(c.Camera, Math.Round(avg, 4), c.Count, c.Count == 0 ? 0 : Math.Round((double)c.Low / c.Count, 4),
                    c.Last, anyRecent && c.Last < silentBefore, Classify(avg, c.Count));
            })
            .ToList();
    }

    public IReadOnlyList<ModelVersionHealth> Models(DateTime now)
    {
        var from = now - options.Value.CameraWindow;
        return aggregates.Cells
            .Where(c => c.Key.HourTicks + TimeSpan.TicksPerHour > from.Ticks)
            .GroupBy(c => Label(c.Key.Model))
            .Select(g =>
            {
                var count = g.Sum(c => c.Value.Count);
                var sum = g.Sum(c => c.Value.Sum);
                var low = g.Sum(c => c.Value.Low);
                return new ModelVersionHealth(g.Key, count == 0 ? 0 : Math.Round(sum / count, 4), count, count == 0 ? 0 : Math.Round((double)low / count, 4));
            })
            .OrderBy(m => m.ModelVersion, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Mean confidence per model version per hour or day (UTC buckets, or local days of <paramref name="zone"/>).</summary>
    public async Task<IReadOnlyList<ConfidenceTrendPoint>> TrendAsync(int days, bool hourly, TimeZoneInfo zone, CancellationToken ct = default)
    {
        await aggregates.EnsureLoadedAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var from = now.AddDays(-days);
        return aggregates.Cells
            .Where(c => c.Key.HourTicks + TimeSpan.TicksPerHour > from.Ticks && c.Key.HourTicks <= now.Ticks)
            .GroupBy(c => (Start: hourly ? new DateTime(c.Key.HourTicks, DateTimeKind.Utc) : LocalDayStart(new DateTime(c.Key.HourTicks, DateTimeKind.Utc), zone), Model: Label(c.Key.Model)))
            .Select(g =>
            {
                var count = g.Sum(c => c.Value.Count);
                return new ConfidenceTrendPoint(g.Key.Start, g.Key.Model, count == 0 ? 0 : Math.Round(g.Sum(c => c.Value.Sum) / count, 4), count);
            })
            .OrderBy(p => p.Start).ThenBy(p => p.ModelVersion, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Mean confidence per camera per hour over the last <paramref name="hours"/> hours.</summary>
    public async Task<IReadOnlyList<HeatmapCell>> HeatmapAsync(int hours, CancellationToken ct = default)
    {
        await aggregates.EnsureLoadedAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var fromHour = now.Ticks - (now.Ticks % TimeSpan.TicksPerHour) - ((hours - 1) * TimeSpan.TicksPerHour);
        return aggregates.Cells
            .Where(c => c.Key.Camera.Length > 0 && c.Key.HourTicks >= fromHour && c.Key.HourTicks <= now.Ticks)
            .GroupBy(c => (c.Key.Camera, c.Key.HourTicks))
            .Select(g =>
            {
                var count = g.Sum(c => c.Value.Count);
                return new HeatmapCell(g.Key.Camera, new DateTime(g.Key.HourTicks, DateTimeKind.Utc), count == 0 ? 0 : Math.Round(g.Sum(c => c.Value.Sum) / count, 4), count);
            })
            .OrderBy(c => c.CameraId, StringComparer.Ordinal).ThenBy(c => c.Hour)
            .ToList();
    }

    /// <summary>Events per model version over the last <paramref name="days"/> days, with percentages summing to 100.</summary>
    public async Task<IReadOnlyDictionary<string, ModelShare>> DistributionAsync(int days, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var now = time.GetUtcNow().UtcDateTime;
        var from = now.AddDays(-days);
        var counts = await db.Events.AsNoTracking()
            .Where(e => e.Timestamp >= from && e.Timestamp <= now)
            .GroupBy(e => e.ModelVersion)
            .Select(g => new { Model = g.Key, Count = g.LongCount() })
            .ToListAsync(ct);
        var total = counts.Sum(c => c.Count);
        return counts
            .OrderByDescending(c => c.Count).ThenBy(c => c.Model, StringComparer.Ordinal)
            .ToDictionary(c => Label(c.Model), c => new ModelShare(c.Count, total == 0 ? 0 : Math.Round(c.Count * 100.0 / total, 2)), StringComparer.Ordinal);
    }

    public static string Label(string? model) => string.IsNullOrEmpty(model) ? NoModelLabel : model;

    private static DateTime LocalDayStart(DateTime utc, TimeZoneInfo zone) => WallClock.StartOfLocalDay(utc, zone);
}
