using System.Text;
using System.Text.Json;
using Factory.Core.Events;

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
    /// <summary>
    /// The JSON object sent to the server (an item of <c>/api/events/batch</c>, or of an MQTT message), written by the
    /// server's own camera-JSON writer. The buffer stores exactly these bytes, so a retry resends the identical event.
    /// </summary>
    public string ToJson(string eventId)
    {
        using var stream = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(stream, CameraEventJson.WriterOptions))
        {
            CameraEventJson.Write(json, Timestamp, WorkerId, WorkstationId, EventType, Confidence, Count, CameraId, ModelVersion, eventId);
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>A new, globally unique edge id (sortable by creation time).</summary>
    public static string NewEventId() => Guid.CreateVersion7().ToString("N");
}
