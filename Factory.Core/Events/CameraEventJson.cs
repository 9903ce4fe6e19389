using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Factory.Core.Events;

/// <summary>
/// Writes events exactly as a camera sends them (the body of <c>POST /api/events</c>, the items of a batch, the
/// payload of an MQTT message): snake_case fields and one timestamp format. The demo-data seeding, the simulated
/// cameras and the edge client all write through here.
/// </summary>
public static class CameraEventJson
{
    /// <summary>
    /// The timestamp format: ISO-8601 with seven fractional digits and the sender's offset, e.g.
    /// <c>2026-01-21T14:30:00.0000000+00:00</c>. Fixed width, so it reads the same whatever the instant.
    /// </summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffffzzz";

    /// <summary>
    /// Relaxed escaping keeps the <c>+</c> of offsets and non-ASCII names readable (in the edge buffer file, in a broker's
    /// log); the output is still valid JSON, and it is never embedded in HTML.
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>An instant in <see cref="TimestampFormat"/>.</summary>
    public static string FormatTimestamp(DateTimeOffset value) => value.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>Writes one validated (UTC) event object.</summary>
    public static void Write(Utf8JsonWriter writer, NewEvent e) =>
        Write(writer, new DateTimeOffset(e.Timestamp.Ticks, TimeSpan.Zero), e.WorkerId, e.WorkstationId, e.EventType.ToWire(),
            e.Confidence, e.Count, e.CameraId, e.ModelVersion, e.EventId);

    /// <summary>Writes one event object from its wire fields; optional fields are left out when null.</summary>
    public static void Write(
        Utf8JsonWriter writer, DateTimeOffset timestamp, string workerId, string workstationId, string eventType,
        double confidence, int count, string? cameraId, string? modelVersion, string? eventId)
    {
        writer.WriteStartObject();
        writer.WriteString("timestamp", FormatTimestamp(timestamp));
        writer.WriteString("worker_id", workerId);
        writer.WriteString("workstation_id", workstationId);
        writer.WriteString("event_type", eventType);
        // The shortest text that reads back to the same double: 0.9 stays "0.9".
        writer.WriteNumber("confidence", confidence);
        writer.WriteNumber("count", count);
        if (cameraId is not null)
        {
            writer.WriteString("camera_id", cameraId);
        }

        if (modelVersion is not null)
        {
            writer.WriteString("model_version", modelVersion);
        }

        if (eventId is not null)
        {
            writer.WriteString("event_id", eventId);
        }

        writer.WriteEndObject();
    }

    /// <summary>A JSON array of the events, as the items of <c>POST /api/events/batch</c> or an MQTT message.</summary>
    public static void WriteArray(IBufferWriter<byte> output, IEnumerable<NewEvent> events)
    {
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        writer.WriteStartArray();
        foreach (var e in events)
        {
            Write(writer, e);
        }

        writer.WriteEndArray();
    }

    /// <summary>The complete body of <c>POST /api/events/batch</c>: <c>{ "events": [ … ] }</c>.</summary>
    public static byte[] ToBatchBody(IEnumerable<NewEvent> events)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("events");
            foreach (var e in events)
            {
                Write(writer, e);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
