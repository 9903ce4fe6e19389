using System.Text.Json;
using Factory.Core.Ingestion;
using Factory.Core.Metrics;
using Factory.Core.Registry;

namespace Factory.Core.Events;

/// <summary>
/// Turns one JSON event as a camera sent it into a <see cref="NewEvent"/>, or into the full list
/// of what is wrong with it, field by field. Numbers must be JSON numbers; unknown fields are ignored.
/// </summary>
public sealed class EventParser(IngestionOptions ingestion, MetricsOptions metrics, TimeSpan retention)
{
    public const int MaxTextLength = 64;

    /// <param name="allowedCameras">When set (a key bound to cameras), <c>camera_id</c> must be one of these.</param>
    /// <param name="cameraMismatchMessage">The error for a <c>camera_id</c> outside <paramref name="allowedCameras"/>, when the binding is not an API key's.</param>
    public EventParseResult Parse(JsonElement item, RegistrySnapshot registry, DateTime nowUtc, IReadOnlySet<string>? allowedCameras = null, string? cameraMismatchMessage = null)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors["event"] = [$"Must be a JSON object, not {Describe(item.ValueKind)}."];
            return EventParseResult.Invalid(errors, unknownIdsOnly: false) with { RejectReason = RejectReasons.Validation };
        }

        var unknownIds = 0;
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);

        DateTime timestamp = default;
        if (RequiredString(item, "timestamp", errors) is { } ts)
        {
            if (!WireTime.TryParse(ts, out timestamp, out var tsError))
            {
                errors["timestamp"] = [tsError!];
            }
            else if (timestamp > nowUtc + ingestion.MaxClockSkew)
            {
                errors["timestamp"] = [$"Is {FormatSpan(timestamp - nowUtc)} in the future; at most {FormatSpan(ingestion.MaxClockSkew)} of clock skew is allowed. Check the camera's clock."];
                reasons["timestamp"] = RejectReasons.ClockSkew;
            }
            else if (timestamp < nowUtc - retention)
            {
                errors["timestamp"] = [$"Is older than the retention period of {retention.TotalDays:0} days and would be deleted at once."];
                reasons["timestamp"] = RejectReasons.TooOld;
            }
        }

        var workerId = RequiredString(item, "worker_id", errors);
        if (workerId is not null && !errors.ContainsKey("worker_id") && !registry.WorkersById.ContainsKey(workerId))
        {
            errors["worker_id"] = [$"Unknown worker '{Truncate(workerId)}'; it is not in the registry of workers, register it first."];
            unknownIds++;
            reasons["worker_id"] = RejectReasons.UnknownWorker;
        }

        var stationId = RequiredString(item, "workstation_id", errors);
        if (stationId is not null && !errors.ContainsKey("workstation_id") && !registry.WorkstationsById.ContainsKey(stationId))
        {
            errors["workstation_id"] = [$"Unknown workstation '{Truncate(stationId)}'; it is not in the registry of workstations, register it first."];
            unknownIds++;
            reasons["workstation_id"] = RejectReasons.UnknownWorkstation;
        }

        EventType type = default;
        if (RequiredString(item, "event_type", errors) is { } typeText && !EventTypes.TryParse(typeText, out type))
        {
            errors["event_type"] = [$"'{Truncate(typeText)}' is not an event type; use one of: {string.Join(", ", EventTypes.All)}."];
        }

        double confidence = 0;
        if (!item.TryGetProperty("confidence", out var conf) || conf.ValueKind == JsonValueKind.Null)
        {
            errors["confidence"] = ["Is required: a number from 0 to 1."];
        }
        else if (conf.ValueKind != JsonValueKind.Number)
        {
            errors["confidence"] = [$"Must be a JSON number from 0 to 1, not {Describe(conf.ValueKind)}."];
        }
        else if (!conf.TryGetDouble(out confidence) || !double.IsFinite(confidence) || confidence < 0 || confidence > 1)
        {
            errors["confidence"] = ["Must be a number from 0 to 1."];
        }

        var count = 1;
        if (item.TryGetProperty("count", out var countElement) && countElement.ValueKind != JsonValueKind.Null)
        {
            if (countElement.ValueKind != JsonValueKind.Number)
            {
                errors["count"] = [$"Must be a JSON integer from 1 to 10000, not {Describe(countElement.ValueKind)}."];
            }
            else if (!countElement.TryGetInt32(out count) || count < 1 || count > 10_000)
            {
                errors["count"] = ["Must be an integer from 1 to 10000."];
            }
        }

        var cameraId = OptionalString(item, "camera_id", errors);
        if (allowedCameras is { Count: > 0 } && !errors.ContainsKey("camera_id") && (cameraId is null || !allowedCameras.Contains(cameraId)))
        {
            errors["camera_id"] = [cameraMismatchMessage ?? $"This API key may only send events for camera {string.Join(", ", allowedCameras.Order(StringComparer.Ordinal))}."];
            reasons["camera_id"] = RejectReasons.CameraMismatch;
        }
        var modelVersion = OptionalString(item, "model_version", errors);
        var eventId = OptionalString(item, "event_id", errors);

        if (errors.Count > 0)
        {
            var reason = RejectReasons.Of(errors.Keys.Select(k => reasons.GetValueOrDefault(k, RejectReasons.Validation)));
            return EventParseResult.Invalid(errors, unknownIdsOnly: unknownIds == errors.Count) with { RejectReason = reason };
        }

        return EventParseResult.Valid(new NewEvent(timestamp, workerId!, stationId!, type, confidence, count, cameraId, modelVersion, eventId),
            lowConfidence: confidence < metrics.MinConfidence);
    }

    private static string? RequiredString(JsonElement item, string name, Dictionary<string, string[]> errors)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors[name] = ["Is required."];
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors[name] = [$"Must be a string, not {Describe(value.ValueKind)}."];
            return null;
        }

        if (ReadText(value, name, errors) is not { } text)
        {
            return null;
        }

        if (text.Length == 0 || string.IsNullOrWhiteSpace(text))
        {
            errors[name] = ["Must not be empty."];
            return null;
        }

        if (name != "timestamp" && text.Length > MaxTextLength)
        {
            errors[name] = [$"Must be at most {MaxTextLength} characters (got {text.Length})."];
            return null;
        }

        return text;
    }

    private static string? OptionalString(JsonElement item, string name, Dictionary<string, string[]> errors)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors[name] = [$"Must be a string, not {Describe(value.ValueKind)}."];
            return null;
        }

        if (ReadText(value, name, errors) is not { } text)
        {
            return null;
        }

        if (text.Length > MaxTextLength)
        {
            errors[name] = [$"Must be at most {MaxTextLength} characters (got {text.Length})."];
            return null;
        }

        if (text.Any(char.IsControl))
        {
            errors[name] = ["Must not contain control characters."];
            return null;
        }

        return text.Length == 0 ? null : text;
    }

    private static string? ReadText(JsonElement value, string name, Dictionary<string, string[]> errors)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // Valid JSON can still escape a lone surrogate (e.g. "\ud800"), which is no text at all.
            errors[name] = ["Is not valid Unicode text (it contains an unpaired \\u surrogate escape)."];
            return null;
        }
    }

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Truncate(string text) => text.Length <= MaxTextLength ? text : text[..MaxTextLength] + "…";

    private static string FormatSpan(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h" : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0.#} min" : $"{span.TotalSeconds:0.#} s";
}

/// <summary>Either a valid event or the errors per field.</summary>
public sealed record EventParseResult(NewEvent? Event, bool LowConfidence, IReadOnlyDictionary<string, string[]>? Errors, bool UnknownIdsOnly)
{
    /// <summary>For an invalid event, the category counted by the data-quality view (<see cref="RejectReasons"/>).</summary>
    public string? RejectReason { get; init; }

    public static EventParseResult Valid(NewEvent e, bool lowConfidence) => new(e, lowConfidence, null, false);

    public static EventParseResult Invalid(IReadOnlyDictionary<string, string[]> errors, bool unknownIdsOnly) => new(null, false, errors, unknownIdsOnly);
}
