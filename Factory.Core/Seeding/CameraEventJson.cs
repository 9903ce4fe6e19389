using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Factory.Core.Events;

namespace Factory.Core.Seeding;

/// <summary>Writes events exactly as a camera sends them: snake_case fields, UTC timestamps with a Z.</summary>
public static class CameraEventJson
{
    /// <summary>Writes one event object.</summary>
    public static void Write(Utf8JsonWriter writer, NewEvent e)
    {
        writer.WriteStartObject();
        writer.WriteString("timestamp", WireTime.Format(e.Timestamp));
        writer.WriteString("worker_id", e.WorkerId);
        writer.WriteString("workstation_id", e.WorkstationId);
        writer.WriteString("event_type", e.EventType.ToWire());
        // Cameras report three decimals; the raw double would write e.g. 0.90000000000000002.
        writer.WritePropertyName("confidence");
        writer.WriteRawValue(Math.Round(e.Confidence, 3).ToString("0.###", CultureInfo.InvariantCulture), skipInputValidation: true);
        writer.WriteNumber("count", e.Count);
        if (e.CameraId is not null)
        {
            writer.WriteString("camera_id", e.CameraId);
        }

        if (e.ModelVersion is not null)
        {
            writer.WriteString("model_version", e.ModelVersion);
        }

        if (e.EventId is not null)
        {
            writer.WriteString("event_id", e.EventId);
        }

        writer.WriteEndObject();
    }

    /// <summary>A JSON array of the events, as the items of <c>POST /api/events/batch</c>.</summary>
    public static void WriteArray(IBufferWriter<byte> output, IEnumerable<NewEvent> events)
    {
        using var writer = new Utf8JsonWriter(output);
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
        using (var writer = new Utf8JsonWriter(buffer))
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
