using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Factory.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Core.Events;

/// <summary>
/// Filters of the event log: the one definition of which stored events a filter selects, used by the API's paging,
/// the CSV export, the Events page and its live updates. Every bound is optional; <see cref="LateAfter"/> keeps only
/// events received more than that after their timestamp.
/// </summary>
public sealed record EventFilter(
    string? WorkerId = null,
    string? WorkstationId = null,
    string? CameraId = null,
    EventType? EventType = null,
    DateTime? Start = null,
    DateTime? End = null,
    TimeSpan? LateAfter = null)
{
    /// <summary>True when a filter other than the time bounds is set.</summary>
    public bool NarrowsEntities => WorkerId is not null || WorkstationId is not null || CameraId is not null || EventType is not null || LateAfter is not null;

    /// <summary>Whether <paramref name="e"/> is one of the events this filter selects (the same rule as the query).</summary>
    public bool Matches(FactoryEvent e) =>
        (WorkerId is null || e.WorkerId == WorkerId)
        && (WorkstationId is null || e.WorkstationId == WorkstationId)
        && (CameraId is null || e.CameraId == CameraId)
        && (EventType is null || e.EventType == EventType)
        && (Start is null || e.Timestamp >= Start)
        && (End is null || e.Timestamp < End)
        && (LateAfter is null || e.ReceivedAt - e.Timestamp > LateAfter);

    /// <summary>The events of <paramref name="db"/> this filter selects, as a composable query.</summary>
    public IQueryable<FactoryEvent> Apply(FactoryDbContext db)
    {
        var events = (LateAfter is { } late ? LateEvents.Query(db, late) : db.Events).AsNoTracking();
        if (WorkerId is not null) events = events.Where(e => e.WorkerId == WorkerId);
        if (WorkstationId is not null) events = events.Where(e => e.WorkstationId == WorkstationId);
        if (CameraId is not null) events = events.Where(e => e.CameraId == CameraId);
        if (EventType is { } t) events = events.Where(e => e.EventType == t);
        if (Start is { } s) events = events.Where(e => e.Timestamp >= s);
        if (End is { } en) events = events.Where(e => e.Timestamp < en);
        return events;
    }
}

/// <summary>A page of the event log, newest first, and the position after its last row.</summary>
public sealed record EventLogPage(IReadOnlyList<FactoryEvent> Items, EventLogPosition? Next);

/// <summary>Keyset position in the log: rows strictly older than (timestamp, id).</summary>
public sealed record EventLogPosition(DateTime Timestamp, long Id)
{
    /// <summary>The position as an opaque cursor (base64url of "ticks.id") that <see cref="TryParse"/> reads back.</summary>
    public string ToCursor() =>
        System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.ASCII.GetBytes(
            $"{Timestamp.Ticks.ToString(CultureInfo.InvariantCulture)}.{Id.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>Reads a cursor made by <see cref="ToCursor"/>; false for anything else.</summary>
    public static bool TryParse(string cursor, [NotNullWhen(true)] out EventLogPosition? position)
    {
        position = null;
        try
        {
            var parts = System.Text.Encoding.ASCII.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(cursor)).Split('.');
            if (parts.Length == 2
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTime.MaxValue.Ticks
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                position = new EventLogPosition(new DateTime(ticks, DateTimeKind.Utc), id);
            }
        }
        catch (FormatException)
        {
        }

        return position is not null;
    }
}

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

    /// <summary>The stored event with this id, or null.</summary>
    Task<FactoryEvent?> FindAsync(long id, CancellationToken ct = default);
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
        var query = filter.Apply(db);
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
        return await filter.Apply(db).OrderByDescending(e => e.Id).Take(limit).ToListAsync(ct);
    }

    /// <summary>Every matching event, newest first, streamed from the database without buffering the result.</summary>
    public async IAsyncEnumerable<FactoryEvent> StreamAsync(EventFilter filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        var query = filter.Apply(db).OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id);
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

    public async Task<FactoryEvent?> FindAsync(long id, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
        return await db.Events.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
    }
}
