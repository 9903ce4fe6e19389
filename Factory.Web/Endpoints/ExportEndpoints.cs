using System.Globalization;
using CsvHelper;
using Factory.Core.Events;
using Factory.Core.Limits;
using Factory.Core.Metrics;
using Factory.Core.Registry;
using Factory.Web.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Factory.Web.Endpoints;

/// <summary>CSV exports (viewer role), streamed row by row so a large log never sits in memory.</summary>
public static partial class ExportEndpoints
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
        viewer = viewer.MapGroup("").HeavyRead();
        viewer.MapGet("/export/events.csv", ExportEvents)
            .WithName("ExportEventsCsv")
            .WithSummary("The event log as CSV, newest first, with the same filters as GET /api/events")
            .WithDescription("The window is at most Limits:MaxWindow; without start_time it reaches back that far from end_time (or now).")
            .Produces(StatusCodes.Status200OK, typeof(string), "text/csv");

        viewer.MapMetricsExports();
    }

    internal static Results<PushStreamHttpResult, ValidationProblem> ExportEvents(
        [AsParameters] EventLogQuery filters, [FromServices] IEventLog log, [FromServices] TimeProvider time)
    {
        var query = new QueryParameters();
        if (filters.Bind(query, reachBack: true) is not { } filter)
        {
            return (ValidationProblem)query.Problem();
        }

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

    private static async Task SendChunkAsync(CsvWriter csv, MemoryStream chunk, Stream body)
    {
        csv.Flush();
        chunk.Position = 0;
        await chunk.CopyToAsync(body);
        chunk.SetLength(0);
        await body.FlushAsync();
    }
}
