using Factory.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Core.Events;

/// <summary>Filters of the event log (the same as <c>GET /api/events</c>); every bound is optional.</summary>
public sealed record EventFilter(
    string? WorkerId = null,
    string? WorkstationId = null,
    string? CameraId = null,
    EventType? EventType = null,
    DateTime? Start = null,
    DateTime? End = null);

/// <summary>A page of the event log, newest first, and the position after its last row.</summary>
public sealed record EventLogPage(IReadOnlyList<FactoryEvent> Items, EventLogPosition? Next);

/// <summary>Keyset position in the log: rows strictly older than (timestamp, id).</summary>
public sealed record EventLogPosition(DateTime Timestamp, long Id);

/// <summary>Read access to the stored event log (the dashboard's tests substitute it).</summary>
public interface IEventLog
{
    /// <summary>One page, newest first (timestamp, then id), starting after <paramref name="after"/>.</summary>
    Task<EventLogPage> PageAsync(EventFilter filter, int limit, EventLogPosition? after = null, CancellationToken ct = default);

    /// <summary>The most recently received events (by id), newest first: what a live stream shows on load.</summary>
    Task<IReadOnlyList<FactoryEvent>> LatestReceivedAsync(EventFilter filter, int limit, CancellationToken ct = default);

    /// <summary>Every matching event, newest first, streamed from the database without buffering the result.</summary>
    IAsyncEnumerable<FactoryEvent> StreamAsync(EventFilter filter, CancellationToken ct = default);

    /// <summary>Workers with events at a workstation in <c>[start, end)</c>, with how many events each.</summary>
    Task<IReadOnlyList<WorkerPresence>> WorkersAtStationAsync(string workstationId, DateTime start, DateTime end, CancellationToken ct = default);
}

/// <summary>A worker seen at a workstation: number of events and the latest one's timestamp.</summary>
public sealed record WorkerPresence(string WorkerId, int Events, DateTime LastSeen);

/// <summary>
/// Reads the stored event log for the dashboard and exports. Each call uses its own short-lived
/// context, so that a long-lived dashboard circuit never shares one between concurrent renders.
/// </summary>
public sealed class EventLog(IServiceScopeFactory scopes) : IEventLog
{
    /// <summary>One page, newest first (timestamp, then id), starting after <paramref name="after"/>.</summary>
    public async Task<EventLogPage> PageAsync(EventFilter filter, int limit, EventLogPosition? after = null, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var query = Apply(db.Events.AsNoTracking(), filter);
        if (after is { } a)
        {
            query = query.Where(e => e.Timestamp < a.Timestamp || (e.Timestamp == a.Timestamp && e.Id < a.Id));
        }

        var rows = await query.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id).Take(limit + 1).ToListAsync(ct);
        EventLogPosition? next = null;
        if (rows.Count > limit)
        {
            rows.RemoveAt(rows.Count - 1);
            next = new EventLogPosition(rows[^1].Timestamp, rows[^1].Id);
        }

        return new EventLogPage(rows, next);
    }

    /// <summary>The most recently received events (by id), newest first: what a live stream shows on load.</summary>
    public async Task<IReadOnlyList<FactoryEvent>> LatestReceivedAsync(EventFilter filter, int limit, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        return await Apply(db.Events.AsNoTracking(), filter).OrderByDescending(e => e.Id).Take(limit).ToListAsync(ct);
    }

    /// <summary>Every matching event, newest first, streamed from the database without buffering the result.</summary>
    public async IAsyncEnumerable<FactoryEvent> StreamAsync(EventFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var query = Apply(db.Events.AsNoTracking(), filter).OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id);
        await foreach (var e in query.AsAsyncEnumerable().WithCancellation(ct))
        {
            yield return e;
        }
    }

    public async Task<IReadOnlyList<WorkerPresence>> WorkersAtStationAsync(string workstationId, DateTime start, DateTime end, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var rows = await db.Events.AsNoTracking()
            .Where(e => e.WorkstationId == workstationId && e.Timestamp >= start && e.Timestamp < end)
            .GroupBy(e => e.WorkerId)
            .Select(g => new { WorkerId = g.Key, Events = g.Count(), LastSeen = g.Max(e => e.Timestamp) })
            .ToListAsync(ct);
        return rows.Select(r => new WorkerPresence(r.WorkerId, r.Events, r.LastSeen)).OrderByDescending(r => r.Events).ToList();
    }

    private static IQueryable<FactoryEvent> Apply(IQueryable<FactoryEvent> events, EventFilter f)
    {
        if (f.WorkerId is not null) events = events.Where(e => e.WorkerId == f.WorkerId);
        if (f.WorkstationId is not null) events = events.Where(e => e.WorkstationId == f.WorkstationId);
        if (f.CameraId is not null) events = events.Where(e => e.CameraId == f.CameraId);
        if (f.EventType is { } t) events = events.Where(e => e.EventType == t);
        if (f.Start is { } s) events = events.Where(e => e.Timestamp >= s);
        if (f.End is { } en) events = events.Where(e => e.Timestamp < en);
        return events;
    }
}
