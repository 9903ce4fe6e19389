using Factory.Core.Metrics;
using Factory.Core.Registry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Factory.Web.Security;

namespace Factory.Web.Endpoints;

/// <summary>Productivity metrics (viewer role); the semantics of every figure are those of metrics.md.</summary>
public static class MetricsEndpoints
{
    public static void MapMetricsReads(this RouteGroupBuilder viewer)
    {
        var metrics = viewer.MapGroup("/metrics").HeavyRead();
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
        [AsParameters] MetricsWindowQuery window, RegistryCache registry, string? worker_id, CancellationToken ct)
    {
        var query = new QueryParameters();
        var id = query.Text(nameof(worker_id), worker_id);
        var bound = await window.BindAsync(query, ct);
        if (bound is null || !query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        if (id is not null && !(await registry.GetAsync(ct)).WorkersById.ContainsKey(id))
        {
            return UnknownId("worker", id, "/api/workers");
        }

        return TypedResults.Ok(await window.Metrics.GetWorkersAsync(bound.Window, id, ct));
    }

    internal static async Task<Results<Ok<IReadOnlyList<WorkstationMetrics>>, ValidationProblem, NotFound<ProblemDetails>>> GetWorkstations(
        [AsParameters] MetricsWindowQuery window, RegistryCache registry, string? workstation_id, CancellationToken ct)
    {
        var query = new QueryParameters();
        var id = query.Text(nameof(workstation_id), workstation_id);
        var bound = await window.BindAsync(query, ct);
        if (bound is null || !query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        if (id is not null && !(await registry.GetAsync(ct)).WorkstationsById.ContainsKey(id))
        {
            return UnknownId("workstation", id, "/api/workstations");
        }

        return TypedResults.Ok(await window.Metrics.GetWorkstationsAsync(bound.Window, id, ct));
    }

    internal static async Task<Results<Ok<FactoryMetrics>, ValidationProblem>> GetFactory([AsParameters] MetricsWindowQuery window, CancellationToken ct)
    {
        var query = new QueryParameters();
        var bound = await window.BindAsync(query, ct);
        if (bound is null)
        {
            return (ValidationProblem)query.Problem();
        }

        return TypedResults.Ok(await window.Metrics.GetFactoryAsync(bound.Window, ct));
    }

    internal static async Task<Results<Ok<IReadOnlyList<TimeseriesBucket>>, ValidationProblem, NotFound<ProblemDetails>>> GetTimeseries(
        [AsParameters] MetricsWindowQuery window, RegistryCache registry,
        string? bucket, string? worker_id, string? workstation_id, CancellationToken ct)
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
        var bound = await window.BindAsync(query, ct);
        if (bound is null || !query.IsValid || !window.BucketsWithinLimit(query, bound.Window, size))
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

        return TypedResults.Ok(await window.Metrics.GetTimeseriesAsync(bound.Window, size, worker, station, ct));
    }

    private static NotFound<ProblemDetails> UnknownId(string kind, string id, string list) =>
        TypedResults.NotFound(new ProblemDetails
        {
            Status = StatusCodes.Status404NotFound,
            Title = $"Unknown {kind}",
            Detail = $"No {kind} has id '{id}'; GET {list} lists the registered ones.",
        });
}
