using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Factory.Core.Data;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Factory.Core.Limits;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Factory.Web.Endpoints;

/// <summary>Ingestion (camera role) and the event log (viewer role).</summary>
public static class EventEndpoints
{
    public static void MapEventIngestion(this RouteGroupBuilder camera)
    {
        camera.MapPost("/events", PostEvent)
            .WithName("PostEvent")
            .WithSummary("Store one camera event")
            .WithDescription("201 when stored, 200 when the dedup key (timestamp, worker_id, event_type) or event_id is already stored.")
            .Accepts<EventInputDoc>("application/json");

        camera.MapPost("/events/batch", PostBatch)
            .WithName("PostEventBatch")
            .WithSummary("Store up to Ingestion:MaxBatchSize events in one transaction")
            .WithDescription("Valid items are stored even when others are not; the answer lists rejected items by index.")
            .Accepts<EventBatchDoc>("application/json");
    }

    public static void MapEventReads(this RouteGroupBuilder viewer)
    {
        viewer.MapGet("/events", GetEvents)
            .WithName("GetEvents")
            .WithSummary("Stored events, newest first, cursor-paginated")
            .WithDescription("late=true keeps only events whose arrival lag (received_at - timestamp) is above Metrics:LateAfter.");

        viewer.MapGet("/events/{id:long}", GetEvent)
            .WithName("GetEvent")
            .WithSummary("One stored event");
    }

    internal static async Task<Results<Created<EventAccepted>, Ok<EventDuplicate>, ValidationProblem, ProblemHttpResult>> PostEvent(
        HttpRequest request, IngestionService ingestion, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(request, ingestion.Options.MaxBodyBytes, ct);
        if (body.Error is not null)
        {
            return (ProblemHttpResult)body.Error;
        }

        using var document = body.Document!;
        var result = await ingestion.IngestOneAsync(document.RootElement, ct, AllowedCameras(request.HttpContext));
        if (result.Outcome is not { } outcome)
        {
            return Invalid(result.Parse);
        }

        return outcome.Duplicate
            ? TypedResults.Ok(new EventDuplicate("duplicate", outcome.Id))
            : TypedResults.Created($"/api/events/{outcome.Id}", new EventAccepted("accepted", outcome.Id, result.Parse.LowConfidence));
    }

    internal static async Task<Results<Ok<BatchResponse>, ProblemHttpResult>> PostBatch(
        HttpRequest request, IngestionService ingestion, CancellationToken ct)
    {
        var options = ingestion.Options;
        var body = await JsonBody.ReadAsync(request, options.MaxBodyBytes, ct);
        if (body.Error is not null)
        {
            return (ProblemHttpResult)body.Error;
        }

        using var document = body.Document!;
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("events", out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return TypedResults.Problem("The body must be a JSON object with an 'events' array: { \"events\": [ { … }, … ] }.",
                statusCode: StatusCodes.Status400BadRequest, title: "Not a batch");
        }

        var count = items.GetArrayLength();
        if (count == 0)
        {
            return TypedResults.Problem("The 'events' array is empty; send 1 to " + options.MaxBatchSize + " events.",
                statusCode: StatusCodes.Status400BadRequest, title: "Empty batch");
        }

        if (count > options.MaxBatchSize)
        {
            return TypedResults.Problem($"The batch has {count} events; at most {options.MaxBatchSize} (Ingestion:MaxBatchSize) are allowed per request.",
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "Batch too large");
        }

        var result = await ingestion.IngestBatchAsync(items, ct, AllowedCameras(request.HttpContext));
        return TypedResults.Ok(BatchResponse.From(result));
    }

    internal static async Task<Results<Ok<EventPage>, ValidationProblem>> GetEvents(
        FactoryDbContext db, Microsoft.Extensions.Options.IOptions<Core.Metrics.MetricsOptions> metrics, QueryLimits limits, TimeProvider time,
        string? worker_id, string? workstation_id, string? camera_id, string? event_type,
        string? start_time, string? end_time, string? limit, string? cursor, string? late,
        CancellationToken ct)
    {
        var query = new QueryParameters();
        var onlyLate = query.Bool(nameof(late), late, false);
        var start = query.Instant(nameof(start_time), start_time);
        var end = query.Instant(nameof(end_time), end_time);
        worker_id = query.Filter(nameof(worker_id), worker_id);
        workstation_id = query.Filter(nameof(workstation_id), workstation_id);
        camera_id = query.Filter(nameof(camera_id), camera_id);
        var take = query.Int(nameof(limit), limit, Math.Min(100, limits.MaxPageSize), 1, limits.MaxPageSize, "Limits:MaxPageSize");
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

        (DateTime Timestamp, long Id)? after = null;
        if (cursor is not null)
        {
            after = DecodeCursor(cursor);
            if (after is null)
            {
                query.Add(nameof(cursor), "Is not a cursor returned by this endpoint (next_cursor).");
            }
        }

        if (start is not null && end is not null && start >= end)
        {
            query.Add(nameof(start_time), "Must be before end_time.");
        }
        else if (start is { } from && limits.CheckWindow(from, end ?? time.GetUtcNow().UtcDateTime) is { } tooLong)
        {
            // Paging bounds the rows, not the rows scanned to find them: a filter that matches little scans the whole window.
            query.Add(nameof(start_time), tooLong);
        }

        if (!query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        var events = (onlyLate ? Core.DataQuality.LateEvents.Query(db, metrics.Value.LateAfter) : db.Events).AsNoTracking();
        if (worker_id is not null) events = events.Where(e => e.WorkerId == worker_id);
        if (workstation_id is not null) events = events.Where(e => e.WorkstationId == workstation_id);
        if (camera_id is not null) events = events.Where(e => e.CameraId == camera_id);
        if (type is { } t) events = events.Where(e => e.EventType == t);
        if (start is { } s) events = events.Where(e => e.Timestamp >= s);
        if (end is { } en) events = events.Where(e => e.Timestamp < en);
        if (after is { } a) events = events.Where(e => e.Timestamp < a.Timestamp || (e.Timestamp == a.Timestamp && e.Id < a.Id));

        var rows = await events.OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id).Take(take + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > take)
        {
            rows.RemoveAt(rows.Count - 1);
            next = EncodeCursor(rows[^1]);
        }

        return TypedResults.Ok(new EventPage(rows.Select(EventDto.From).ToList(), next));
    }

    internal static async Task<Results<Ok<EventDto>, ProblemHttpResult>> GetEvent(long id, FactoryDbContext db, CancellationToken ct)
    {
        var e = await db.Events.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        return e is null
            ? TypedResults.Problem($"No event has id {id}.", statusCode: StatusCodes.Status404NotFound, title: "Not found")
            : TypedResults.Ok(EventDto.From(e));
    }

    private static Results<Created<EventAccepted>, Ok<EventDuplicate>, ValidationProblem, ProblemHttpResult> Invalid(EventParseResult parse)
    {
        var errors = parse.Errors!.ToDictionary(e => e.Key, e => e.Value);
        var detail = "The event was rejected: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
        if (parse.UnknownIdsOnly)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(errors)
            {
                Status = StatusCodes.Status422UnprocessableEntity,
                Title = "Unknown worker or workstation",
                Detail = detail,
            });
        }

        return TypedResults.ValidationProblem(errors, detail: detail);
    }

    /// <summary>Cameras the caller's key is bound to, or null when it may speak for any camera.</summary>
    private static HashSet<string>? AllowedCameras(HttpContext context)
    {
        var cameras = context.User.FindAll(Security.ApiKeyAuthenticationHandler.CameraClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return cameras.Count == 0 ? null : cameras;
    }

    private static string EncodeCursor(FactoryEvent e) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{e.Timestamp.Ticks.ToString(CultureInfo.InvariantCulture)}.{e.Id.ToString(CultureInfo.InvariantCulture)}"));

    private static (DateTime, long)? DecodeCursor(string cursor)
    {
        try
        {
            var text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(cursor));
            var parts = text.Split('.');
            if (parts.Length == 2
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTime.MaxValue.Ticks
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return (new DateTime(ticks, DateTimeKind.Utc), id);
            }
        }
        catch (FormatException)
        {
        }

        return null;
    }
}

/// <summary>The event body as documented in OpenAPI (parsing is done by hand to report every field).</summary>
public sealed record EventInputDoc(
    DateTimeOffset Timestamp, string WorkerId, string WorkstationId, string EventType, double Confidence,
    int? Count, string? CameraId, string? ModelVersion, string? EventId);

/// <summary>The batch body as documented in OpenAPI.</summary>
public sealed record EventBatchDoc(IReadOnlyList<EventInputDoc> Events);
