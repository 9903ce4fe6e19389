using System.Text.Json;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Factory.Core.Limits;
using Microsoft.AspNetCore.Http.HttpResults;

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
        [AsParameters] EventLogQuery filters, IEventLog log, QueryLimits limits, string? limit, string? cursor, CancellationToken ct)
    {
        var query = new QueryParameters();
        var filter = filters.Bind(query, reachBack: false);
        var take = query.Int(nameof(limit), limit, Math.Min(100, limits.MaxPageSize), 1, limits.MaxPageSize, "Limits:MaxPageSize");
        EventLogPosition? after = null;
        if (cursor is not null && !EventLogPosition.TryParse(cursor, out after))
        {
            query.Add(nameof(cursor), "Is not a cursor returned by this endpoint (next_cursor).");
        }

        if (filter is null || !query.IsValid)
        {
            return (ValidationProblem)query.Problem();
        }

        var page = await log.PageAsync(filter, take, after, ct);
        return TypedResults.Ok(new EventPage(page.Items.Select(EventDto.From).ToList(), page.Next?.ToCursor()));
    }

    internal static async Task<Results<Ok<EventDto>, ProblemHttpResult>> GetEvent(long id, IEventLog log, CancellationToken ct)
    {
        var e = await log.FindAsync(id, ct);
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

}

/// <summary>The event body as documented in OpenAPI (parsing is done by hand to report every field).</summary>
public sealed record EventInputDoc(
    DateTimeOffset Timestamp, string WorkerId, string WorkstationId, string EventType, double Confidence,
    int? Count, string? CameraId, string? ModelVersion, string? EventId);

/// <summary>The batch body as documented in OpenAPI.</summary>
public sealed record EventBatchDoc(IReadOnlyList<EventInputDoc> Events);
