using Factory.Core.Data;
using Factory.Core.Registry;
using Factory.Core.Shifts;
using Factory.Core.Time;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Factory.Core.Metrics;

/// <summary>
/// Answers metric queries from the <see cref="MetricsIndex"/> when it holds exactly the events the query
/// may see, and otherwise (an <c>as_of</c> before the latest received event) computes from scratch with
/// the events read from the database. Both paths use the same rules and give the same numbers. A window
/// of the present (<see cref="MetricsWindow.Live"/>) follows the present to the moment the query runs.
/// </summary>
public sealed class MetricsService(
    MetricsIndex index,
    RegistryCache registry,
    IServiceScopeFactory scopes,
    TimeProvider time,
    IOptions<MetricsOptions> options,
    IOptions<FactoryOptions> factory,
    IShiftCalendarProvider calendars) : IMetricsService
{
    /// <summary>How far back a default window reaches.</summary>
    public static readonly TimeSpan DefaultSpan = TimeSpan.FromHours(24);

    public MetricsWindow ResolveWindow(DateTime? start, DateTime? end, DateTime? asOf)
    {
        var clock = time.GetUtcNow().UtcDateTime;
        var now = asOf is { } a && a < clock ? a : clock;
        var resolvedEnd = end is { } e && e < now ? e : now;
        var resolvedStart = start ?? resolvedEnd - DefaultSpan;
        return new MetricsWindow(resolvedStart, resolvedEnd, now) { Live = asOf is null || asOf >= clock };
    }

    public async Task<IReadOnlyList<WorkerMetrics>> GetWorkersAsync(MetricsWindow window, string? workerId, CancellationToken ct = default)
    {
        var snapshot = await registry.GetAsync(ct);
        var shifts = await ScheduleAsync(window, ct);
        return await QueryAsync(window, (store, w) => MetricsCalculator.Workers(store, snapshot, w, workerId, shifts), ct);
    }

    public async Task<IReadOnlyList<WorkstationMetrics>> GetWorkstationsAsync(MetricsWindow window, string? workstationId, CancellationToken ct = default)
    {
        var snapshot = await registry.GetAsync(ct);
        var shifts = await ScheduleAsync(window, ct);
        return await QueryAsync(window, (store, w) => MetricsCalculator.Workstations(store, snapshot, w, workstationId, shifts), ct);
    }

    public async Task<FactoryMetrics> GetFactoryAsync(MetricsWindow window, CancellationToken ct = default)
    {
        var snapshot = await registry.GetAsync(ct);
        var shifts = await ScheduleAsync(window, ct);
        return await QueryAsync(window, (store, w) => MetricsCalculator.Factory(store, snapshot, w, shifts), ct);
    }

    public async Task<IReadOnlyList<TimeseriesBucket>> GetTimeseriesAsync(MetricsWindow window, BucketSize bucket, string? workerId, string? workstationId, CancellationToken ct = default)
    {
        var snapshot = await registry.GetAsync(ct);
        var zone = factory.Value.Zone;
        var shifts = await ScheduleAsync(window, ct);
        return await QueryAsync(window, (store, w) => MetricsCalculator.Timeseries(store, snapshot, w, bucket, zone, workerId, workstationId, shifts), ct);
    }

    public async Task<IReadOnlyList<TimelineSegment>> GetWorkerTimelineAsync(MetricsWindow window, string workerId, CancellationToken ct = default)
    {
        var snapshot = await registry.GetAsync(ct);
        var shifts = await ScheduleAsync(window, ct);
        var workerShift = snapshot.WorkersById.TryGetValue(workerId, out var worker) ? worker.Shift : null;
        return await QueryAsync(window, (store, w) => MetricsCalculator.Timeline(store, w, workerId, shifts, workerShift), ct);
    }

    /// <summary>The current calendar in the factory's zone; a shift the query names must exist (<see cref="UnknownShiftException"/>).</summary>
    private async Task<ShiftSchedule> ScheduleAsync(MetricsWindow window, CancellationToken ct)
    {
        var calendar = await calendars.GetAsync(ct);
        var schedule = calendar.Enabled ? new ShiftSchedule(calendar, factory.Value.Zone) : ShiftSchedule.Off;
        MetricsCalculator.SelectedShift(window, schedule);
        return schedule;
    }

    private static readonly Func<FactoryDbContext, IAsyncEnumerable<string>> ExcludedModels =
        EF.CompileAsyncQuery((FactoryDbContext db) => db.ModelExclusions.AsNoTracking().Select(m => m.ModelVersion));

    private async Task<T> QueryAsync<T>(MetricsWindow window, Func<MetricsStore, MetricsWindow, T> query, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var exclusions = new List<string>();
        await foreach (var model in ExcludedModels(db).WithCancellation(ct))
        {
            exclusions.Add(model);
        }

        for (var attempt = 0; ; attempt++)
        {
            var current = window;
            var (used, result) = await index.TryQueryAsync(exclusions, current.AsOf.Ticks, store => query(store, current), ct);
            if (used)
            {
                return result;
            }

            // While ingestion runs, events are received between resolving "now" and running the query; the index
            // then holds more than the window may see. For the present, ask again as of the moment the query runs
            // rather than reading the window's events from the database.
            if (!window.Live || attempt == 2)
            {
                break;
            }

            var now = time.GetUtcNow().UtcDateTime;
            window = window with { AsOf = now, End = window.End == window.AsOf ? now : window.End };
        }

        var naive = await NaiveStore.LoadAsync(db, new MetricRules(options.Value, exclusions), window, ct);
        return query(naive, window);
    }
}

/// <summary>
/// The from-scratch path: a store without rollups holding the events received at or before <c>as_of</c>
/// that can affect the window (segments reach at most <see cref="MetricRules.Reach"/> past their start).
/// </summary>
public static class NaiveStore
{
    public static async Task<MetricsStore> LoadAsync(FactoryDbContext db, MetricRules rules, MetricsWindow window, CancellationToken ct)
    {
        var store = new MetricsStore(rules, useRollups: false);
        var asOf = window.AsOf;
        // A window wholly in the future (start after the clipped end) still reports status at its end: load from the earlier bound.
        var from = window.Start < window.End ? window.Start : window.End;
        var lower = from.AddTicks(-Math.Min(rules.Reach, from.Ticks));
        var rows = db.Events.AsNoTracking()
            .Where(e => e.ReceivedAt <= asOf && e.Timestamp >= lower)
            .OrderBy(e => e.Id)
            .AsAsyncEnumerable();
        await foreach (var e in rows.WithCancellation(ct))
        {
            store.Add(e);
        }

        // last_seen is not limited to the window: the latest valid sighting before the loaded slice.
        var min = rules.MinConfidence;
        var excluded = rules.ExcludedModels.ToList();
        var earlier = await db.Events.AsNoTracking()
            .Where(e => e.ReceivedAt <= asOf && e.Timestamp < lower && e.Confidence >= min
                && (e.ModelVersion == null || !excluded.Contains(e.ModelVersion)))
            .GroupBy(e => e.WorkerId)
            .Select(g => new { WorkerId = g.Key, Last = g.Max(e => e.Timestamp) })
            .ToListAsync(ct);
        foreach (var row in earlier)
        {
            store.Worker(row.WorkerId, create: true)!.EarlierSighting = row.Last.Ticks;
        }

        return store;
    }
}
