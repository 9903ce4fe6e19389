using Factory.Core.Metrics;
using Factory.Core.Registry;
using Factory.Core.Shifts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Factory.Web.Endpoints;

/// <summary>Productivity metrics (viewer role); the semantics of every figure are those of metrics.md.</summary>
public static class MetricsEndpoints
{
    public static void MapMetricsReads(this RouteGroupBuilder viewer)
    {
        var metrics = viewer.MapGroup("/metrics");
        metrics.MapGet("/workers", GetWorkers)
            .WithName("GetWorkerMetrics")
            .WithSummary("Per-worker figures over [start_time, end_time) as of as_of; every registered worker, or the one filtered");
        metrics.MapGet("/workstations", GetWorkstations)
            .WithName("GetWorkstationMetrics")
            .WithSummary("Per-workstation figures (occupancy and working are unions over workers)");
        metrics.MapGet("/factory", GetFactory)
            .WithName("GetFactoryMetrics")
            .WithSummary("Time-weighted plant-wide figures");
        metrics.MapGet("/timeseries", GetTimeseries)
            .WithName("GetMetricsTimeseries")
            .WithSummary("Working/idle/absent/break hours, units and utilization per hour or day of the factory's time zone");
    }

    internal static async Task<Results<Ok<IReadOnlyList<WorkerMetrics>>, ValidationProblem, NotFound<ProblemDetails>>> GetWorkers(
        IMetricsService service, RegistryCache registry, IShiftCalendarProvider calendars,
        string? worker_id, string? start_time, string? end_time, string? as_of, string? shift, CancellationToken ct)
    {
        var query = new QueryParameters();
        var id = query.Text(nameof(worker_id), worker_id);
        var window = await WindowAsync(service, calendars, query, start_time, end_time, as_of, shift, ct);
        if (!query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        if (id is not null && !(await registry.GetAsync(ct)).WorkersById.ContainsKey(id))
        {
            return UnknownId("worker", id, "/api/workers");
        }

        return TypedResults.Ok(await service.GetWorkersAsync(window!, id, ct));
    }

    internal static async Task<Results<Ok<IReadOnlyList<WorkstationMetrics>>, ValidationProblem, NotFound<ProblemDetails>>> GetWorkstations(
        IMetricsService service, RegistryCache registry, IShiftCalendarProvider calendars,
        string? workstation_id, string? start_time, string? end_time, string? as_of, string? shift, CancellationToken ct)
    {
        var query = new QueryParameters();
        var id = query.Text(nameof(workstation_id), workstation_id);
        var window = await WindowAsync(service, calendars, query, start_time, end_time, as_of, shift, ct);
        if (!query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        if (id is not null && !(await registry.GetAsync(ct)).WorkstationsById.ContainsKey(id))
        {
            return UnknownId("workstation", id, "/api/workstations");
        }

        return TypedResults.Ok(await service.GetWorkstationsAsync(window!, id, ct));
    }

    internal static async Task<Results<Ok<FactoryMetrics>, ValidationProblem>> GetFactory(
        IMetricsService service, IShiftCalendarProvider calendars, string? start_time, string? end_time, string? as_of, string? shift, CancellationToken ct)
    {
        var query = new QueryParameters();
        var window = await WindowAsync(service, calendars, query, start_time, end_time, as_of, shift, ct);
        if (!query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        return TypedResults.Ok(await service.GetFactoryAsync(window!, ct));
    }

    internal static async Task<Results<Ok<IReadOnlyList<TimeseriesBucket>>, ValidationProblem, NotFound<ProblemDetails>>> GetTimeseries(
        IMetricsService service, RegistryCache registry, IShiftCalendarProvider calendars,
        string? bucket, string? start_time, string? end_time, string? worker_id, string? workstation_id, string? as_of, string? shift, CancellationToken ct)
    {
        var query = new QueryParameters();
        var size = BucketSize.Hour;
        switch (bucket)
        {
            case null or "hour": break;
            case "day": size = BucketSize.Day; break;
            default: query.Add(nameof(bucket), "Must be 'hour' or 'day'."); break;
        }

        var worker = query.Text(nameof(worker_id), worker_id);
        var station = query.Text(nameof(workstation_id), workstation_id);
        var window = await WindowAsync(service, calendars, query, start_time, end_time, as_of, shift, ct);
        if (!query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        var snapshot = await registry.GetAsync(ct);
        if (worker is not null && !snapshot.WorkersById.ContainsKey(worker))
        {
            return UnknownId("worker", worker, "/api/workers");
        }

        if (station is not null && !snapshot.WorkstationsById.ContainsKey(station))
        {
            return UnknownId("workstation", station, "/api/workstations");
        }

        return TypedResults.Ok(await service.GetTimeseriesAsync(window!, size, worker, station, ct));
    }

    /// <summary>The window with the <c>shift</c> parameter applied: a shift of the calendar (any case), or an error listing the known ones.</summary>
    private static async Task<MetricsWindow?> WindowAsync(IMetricsService service, IShiftCalendarProvider calendars, QueryParameters query,
        string? start_time, string? end_time, string? as_of, string? shift, CancellationToken ct)
    {
        var window = Window(service, query, start_time, end_time, as_of);
        var name = query.Text(nameof(shift), shift);
        if (name is null)
        {
            return window;
        }

        var calendar = await calendars.GetAsync(ct);
        if (!calendar.Enabled || calendar.Find(name) is null)
        {
            query.Add(nameof(shift), UnknownShiftException.Describe(name, calendar));
            return null;
        }

        return window is null ? null : window with { Shift = calendar.Find(name)!.Name };
    }

    /// <summary>Parses the window parameters; <c>start_time &gt;= end_time</c> as given is an error, clipping comes after.</summary>
    private static MetricsWindow? Window(IMetricsService service, QueryParameters query, string? start_time, string? end_time, string? as_of)
    {
        var start = query.Instant(nameof(start_time), start_time);
        var end = query.Instant(nameof(end_time), end_time);
        var asOf = query.Instant(nameof(as_of), as_of);
        if (start is not null && end is not null && start >= end)
        {
            query.Add(nameof(start_time), "Must be before end_time.");
        }

        return query.IsValid ? service.ResolveWindow(start, end, asOf) : null;
    }

    private static NotFound<ProblemDetails> UnknownId(string kind, string id, string list) =>
        TypedResults.NotFound(new ProblemDetails
        {
            Status = StatusCodes.Status404NotFound,
            Title = $"Unknown {kind}",
            Detail = $"No {kind} has id '{id}'; GET {list} lists the registered ones.",
        });
}
