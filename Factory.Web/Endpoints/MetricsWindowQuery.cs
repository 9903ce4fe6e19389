using Factory.Core.Limits;
using Factory.Core.Metrics;
using Factory.Core.Shifts;
using Microsoft.AspNetCore.Mvc;

namespace Factory.Web.Endpoints;

/// <summary>
/// The window parameters of every metrics read and metrics export (<c>start_time</c>, <c>end_time</c>, <c>as_of</c>,
/// <c>shift</c>), bound once with <c>[AsParameters]</c>. <see cref="BindAsync"/> parses them, resolves the window as
/// the engine does, applies the shift calendar and checks <see cref="QueryLimits"/> before any work is done.
/// </summary>
internal sealed record MetricsWindowQuery(
    [FromQuery(Name = "start_time")] string? StartTime,
    [FromQuery(Name = "end_time")] string? EndTime,
    [FromQuery(Name = "as_of")] string? AsOf,
    [FromQuery(Name = "shift")] string? Shift,
    [FromServices] IMetricsService Metrics,
    [FromServices] IShiftCalendarProvider Calendars,
    [FromServices] QueryLimits Limits)
{
    /// <summary>
    /// The resolved window (with the shift's name), or null with the errors added to <paramref name="query"/>.
    /// <c>start_time &gt;= end_time</c> is checked on the values as given; the window limit on the resolved window.
    /// </summary>
    public async Task<BoundWindow?> BindAsync(QueryParameters query, CancellationToken ct)
    {
        var start = query.Instant("start_time", StartTime);
        var end = query.Instant("end_time", EndTime);
        var asOf = query.Instant("as_of", AsOf);
        if (start is not null && end is not null && start >= end)
        {
            query.Add("start_time", "Must be before end_time.");
        }

        var calendar = await Calendars.GetAsync(ct);
        var shift = ShiftParameter.Parse(query, "shift", Shift, calendar);
        if (!query.IsValid)
        {
            return null;
        }

        var window = Metrics.ResolveWindow(start, end, asOf);
        if (Limits.CheckWindow(window.Start, window.End) is { } tooLong)
        {
            query.Add("start_time", tooLong);
            return null;
        }

        return new BoundWindow(window with { Shift = shift?.Name }, shift, calendar);
    }

    /// <summary>Adds an error on <c>bucket</c> when a timeseries of <paramref name="size"/> over the window has too many buckets.</summary>
    public bool BucketsWithinLimit(QueryParameters query, MetricsWindow window, BucketSize size)
    {
        if (Limits.CheckBuckets(window.Start, window.End, size) is { } tooMany)
        {
            query.Add("bucket", tooMany);
            return false;
        }

        return true;
    }
}

/// <summary>A bound metrics window: resolved, with the chosen shift of the calendar it was checked against.</summary>
internal sealed record BoundWindow(MetricsWindow Window, ShiftDefinition? Shift, ShiftCalendar Calendar);
