using System.Globalization;
using CsvHelper;
using Factory.Core.Events;
using Factory.Core.Metrics;
using Factory.Core.Registry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Factory.Web.Endpoints;

/// <summary>CSV exports (viewer role), streamed row by row so a large log never sits in memory.</summary>
public static class ExportEndpoints
{
    private const int FlushEvery = 1000;

    private static readonly CsvWriterOptions Csv = new()
    {
        FormatProvider = CultureInfo.InvariantCulture,
        // Strings from cameras could start with '=', '+', '-' or '@': keep spreadsheets from running them.
        Injection = CsvInjection.Escape,
    };

    public static void MapExports(this RouteGroupBuilder viewer)
    {
        viewer.MapGet("/export/events.csv", ExportEvents)
            .WithName("ExportEventsCsv")
            .WithSummary("The event log as CSV, newest first, with the same filters as GET /api/events")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");

        viewer.MapGet("/export/workers.csv", ExportWorkers)
            .WithName("ExportWorkersCsv")
            .WithSummary("Worker metrics over a window as CSV (the fields of GET /api/metrics/workers)")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");
    }

    internal static Results<PushStreamHttpResult, ValidationProblem> ExportEvents(
        [FromServices] IEventLog log, [FromServices] TimeProvider time,
        string? worker_id, string? workstation_id, string? camera_id, string? event_type,
        string? start_time, string? end_time)
    {
        var query = new QueryParameters();
        var start = query.Instant(nameof(start_time), start_time);
        var end = query.Instant(nameof(end_time), end_time);
        EventType? type = null;
        if (event_type is not null)
        {
            if (EventTypes.TryParse(event_type, out var parsed))
            {
                type = parsed;
            }
            else
            {
                query.Add(nameof(event_type), $"Must be one of: {string.Join(", ", EventTypes.All)}.");
            }
        }

        if (start is not null && end is not null && start >= end)
        {
            query.Add(nameof(start_time), "Must be before end_time.");
        }

        if (!query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        var filter = new EventFilter(worker_id, workstation_id, camera_id, type, start, end);
        var name = $"events-{time.GetUtcNow():yyyyMMdd-HHmmss}.csv";
        return TypedResults.Stream(async body =>
        {
            // The writer fills a memory chunk synchronously; chunks go to the response asynchronously
            // (Kestrel forbids synchronous writes), so memory stays bounded whatever the log's size.
            using var chunk = new MemoryStream();
            await using var csv = CsvWriter.Create(chunk, Csv, leaveOpen: true);
            csv.WriteRecord(["id", "timestamp", "received_at", "worker_id", "workstation_id", "event_type", "confidence", "count", "camera_id", "model_version", "event_id", "low_confidence", "lag_seconds"]);
            var rows = 0;
            await foreach (var e in log.StreamAsync(filter))
            {
                csv.WriteField(e.Id, "");
                csv.WriteField(WireTime.Format(e.Timestamp));
                csv.WriteField(WireTime.Format(e.ReceivedAt));
                csv.WriteField(e.WorkerId);
                csv.WriteField(e.WorkstationId);
                csv.WriteField(e.EventType.ToWire());
                csv.WriteField(e.Confidence, "");
                csv.WriteField(e.Count, "");
                csv.WriteField(e.CameraId ?? "");
                csv.WriteField(e.ModelVersion ?? "");
                csv.WriteField(e.EventId ?? "");
                csv.WriteField(e.LowConfidence ? "true" : "false");
                csv.WriteField(Math.Round((e.ReceivedAt - e.Timestamp).TotalSeconds, 3), "");
                csv.EndRecord();
                if (++rows % FlushEvery == 0)
                {
                    await SendChunkAsync(csv, chunk, body);
                }
            }

            await SendChunkAsync(csv, chunk, body);
        }, "text/csv; charset=utf-8", name);
    }

    internal static async Task<Results<PushStreamHttpResult, ValidationProblem, ProblemHttpResult>> ExportWorkers(
        [FromServices] IMetricsService metrics, [FromServices] RegistryCache registry, [FromServices] TimeProvider time,
        string? worker_id, string? start_time, string? end_time, string? as_of, CancellationToken ct)
    {
        var query = new QueryParameters();
        var start = query.Instant(nameof(start_time), start_time);
        var end = query.Instant(nameof(end_time), end_time);
        var asOf = query.Instant(nameof(as_of), as_of);
        if (start is not null && end is not null && start >= end)
        {
            query.Add(nameof(start_time), "Must be before end_time.");
        }

        if (!query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        if (worker_id is not null && !(await registry.GetAsync(ct)).WorkersById.ContainsKey(worker_id))
        {
            return TypedResults.Problem($"No worker has id '{worker_id}'; see GET /api/workers.", statusCode: StatusCodes.Status404NotFound, title: "Unknown worker");
        }

        var window = metrics.ResolveWindow(start, end, asOf);
        var workers = await metrics.GetWorkersAsync(window, worker_id, ct);
        var name = $"workers-{time.GetUtcNow():yyyyMMdd-HHmmss}.csv";
        return TypedResults.Stream(async body =>
        {
            using var chunk = new MemoryStream();
            await using var csv = CsvWriter.Create(chunk, Csv, leaveOpen: true);
            csv.WriteRecord(["worker_id", "worker_name", "start_time", "end_time", "working_hours", "idle_hours", "absent_hours", "tracked_hours", "utilization_percentage", "total_units_produced", "units_per_hour", "last_seen", "status"]);
            foreach (var w in workers)
            {
                csv.WriteField(w.WorkerId);
                csv.WriteField(w.WorkerName);
                csv.WriteField(WireTime.Format(window.Start));
                csv.WriteField(WireTime.Format(window.End));
                csv.WriteField(w.WorkingHours, "");
                csv.WriteField(w.IdleHours, "");
                csv.WriteField(w.AbsentHours, "");
                csv.WriteField(w.TrackedHours, "");
                csv.WriteField(w.UtilizationPercentage, "");
                csv.WriteField(w.TotalUnitsProduced, "");
                csv.WriteField(w.UnitsPerHour, "");
                csv.WriteField(w.LastSeen is { } seen ? WireTime.Format(seen) : "");
                csv.WriteField(StatusWire(w.Status));
                csv.EndRecord();
            }

            await SendChunkAsync(csv, chunk, body);
        }, "text/csv; charset=utf-8", name);
    }

    private static async Task SendChunkAsync(CsvWriter csv, MemoryStream chunk, Stream body)
    {
        csv.Flush();
        chunk.Position = 0;
        await chunk.CopyToAsync(body);
        chunk.SetLength(0);
        await body.FlushAsync();
    }

    private static string StatusWire(WorkerStatus status) => status switch
    {
        WorkerStatus.Working => "working",
        WorkerStatus.Idle => "idle",
        WorkerStatus.Absent => "absent",
        WorkerStatus.OnBreak => "on_break",
        _ => "off_shift",
    };
}
