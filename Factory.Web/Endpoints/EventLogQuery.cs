using Factory.Core.Events;
using Factory.Core.Limits;
using Factory.Core.Metrics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Factory.Web.Endpoints;

/// <summary>
/// The filters of the event log (<c>worker_id</c>, <c>workstation_id</c>, <c>camera_id</c>, <c>event_type</c>,
/// <c>start_time</c>, <c>end_time</c>, <c>late</c>), bound once with <c>[AsParameters]</c> for <c>GET /api/events</c>
/// and the events CSV export. <see cref="Bind"/> parses them into the Core <see cref="EventFilter"/> and checks the
/// window limit before any work is done.
/// </summary>
internal sealed record EventLogQuery(
    [FromQuery(Name = "worker_id")] string? WorkerId,
    [FromQuery(Name = "workstation_id")] string? WorkstationId,
    [FromQuery(Name = "camera_id")] string? CameraId,
    [FromQuery(Name = "event_type")] string? EventType,
    [FromQuery(Name = "start_time")] string? StartTime,
    [FromQuery(Name = "end_time")] string? EndTime,
    [FromQuery(Name = "late")] string? Late,
    [FromServices] IOptions<MetricsOptions> Metrics,
    [FromServices] QueryLimits Limits,
    [FromServices] TimeProvider Time)
{
    /// <summary>The filter, or null with the errors added to <paramref name="query"/>.</summary>
    /// <param name="reachBack">
    /// True (exports): without <c>start_time</c> the filter reaches back <c>Limits:MaxWindow</c> from its end, never
    /// further. False (paging): rows are bounded by the page size, so an open start is allowed.
    /// </param>
    public EventFilter? Bind(QueryParameters query, bool reachBack)
    {
        var onlyLate = query.Bool("late", Late, false);
        var start = query.Instant("start_time", StartTime);
        var end = query.Instant("end_time", EndTime);
        var worker = query.Filter("worker_id", WorkerId);
        var station = query.Filter("workstation_id", WorkstationId);
        var camera = query.Filter("camera_id", CameraId);
        EventType? type = null;
        if (EventType is not null)
        {
            if (EventTypes.TryParse(EventType, out var parsed))
            {
                type = parsed;
            }
            else
            {
                query.Add("event_type", $"Must be one of: {string.Join(", ", EventTypes.All)}.");
            }
        }

        if (start is not null && end is not null && start >= end)
        {
            query.Add("start_time", "Must be before end_time.");
        }
        else if (start is { } from && Limits.CheckWindow(from, end ?? Time.GetUtcNow().UtcDateTime) is { } tooLong)
        {
            // Paging bounds the rows, not the rows scanned to find them: a filter that matches little scans the whole window.
            query.Add("start_time", tooLong);
        }

        if (!query.IsValid)
        {
            return null;
        }

        if (reachBack)
        {
            start ??= (end ?? Time.GetUtcNow().UtcDateTime) - Limits.MaxWindow;
        }

        return new EventFilter(worker, station, camera, type, start, end, onlyLate ? Metrics.Value.LateAfter : null);
    }
}
