using Factory.Core.DataQuality;
using Factory.Core.Limits;
using Factory.Core.Metrics;
using Factory.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Factory.Web.Endpoints;

/// <summary>Data quality (viewer role): arrival lag, late events, duplicates and rejects per camera.</summary>
public static class DataQualityEndpoints
{
    public static void MapDataQualityReads(this RouteGroupBuilder viewer)
    {
        viewer.MapGet("/data-quality", GetReport)
            .HeavyRead()
            .WithName("GetDataQuality")
            .WithSummary("Arrival lag distribution and late events over [start_time, end_time), with duplicates and rejects per camera")
            .WithDescription("Events are selected by timestamp; duplicates and rejects are counted by the hour they were received, for the hours the window touches. GET /api/events?late=true lists the late events.");
    }

    internal static async Task<Results<Ok<DataQualityReport>, ValidationProblem>> GetReport(
        IDataQualityService quality, IMetricsService metrics, QueryLimits limits, string? start_time, string? end_time, CancellationToken ct)
    {
        var query = new QueryParameters();
        var start = query.Instant(nameof(start_time), start_time);
        var end = query.Instant(nameof(end_time), end_time);
        if (start is not null && end is not null && start >= end)
        {
            query.Add(nameof(start_time), "Must be before end_time.");
        }

        if (!query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        var window = metrics.ResolveWindow(start, end, null);
        if (limits.CheckWindow(window.Start, window.End) is { } tooLong)
        {
            query.Add(nameof(start_time), tooLong);
            return (ValidationProblem)query.Problem();
        }

        return TypedResults.Ok(await quality.GetReportAsync(window.Start, window.End, ct));
    }
}
