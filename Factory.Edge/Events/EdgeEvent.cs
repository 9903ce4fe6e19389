using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Factory.Edge.Events;

/// <summary>One camera observation as the edge box produces it, before it is buffered.</summary>
public sealed record EdgeEvent(
    DateTimeOffset Timestamp,
    string WorkerId,
    string WorkstationId,
    string EventType,
    double Confidence,
    int Count = 1,
    string? CameraId = null,
    string? ModelVersion = null,
    string? EventId = null)
{
    // Keeps '+' in offsets and non-ASCII names readable in the buffer file; the output is still valid JSON.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The JSON object sent to <c>/api/events/batch</c>, in the server's snake_case contract.
    /// The buffer stores exactly these bytes, so a retry resends the identical event.
    /// </summary>
    public string ToJson(string eventId)
    {
        using var stream = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(stream, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", FormatTimestamp(Timestamp));
            json.WriteString("worker_id", WorkerId);
            json.WriteString("workstation_id", WorkstationId);
            json.WriteString("event_type", EventType);
            json.WriteNumber("confidence", Confidence);
            json.WriteNumber("count", Count);
            if (CameraId is not null)
            {
                json.WriteString("camera_id", CameraId);
            }

            if (ModelVersion is not null)
            {
                json.WriteString("model_version", ModelVersion);
            }

            json.WriteString("event_id", eventId);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>ISO-8601 with the offset and full tick precision, e.g. <c>2026-01-21T14:30:00.1234567+00:00</c>.</summary>
    public static string FormatTimestamp(DateTimeOffset value) =>
        value.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);

    /// <summary>A new, globally unique edge id (sortable by creation time).</summary>
    public static string NewEventId() => Guid.CreateVersion7().ToString("N");
}
