using System.Text;
using System.Text.Json;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Factory.Core.Metrics;
using Factory.Core.Registry;
using Factory.Edge.Events;

namespace Factory.Tests.Core.Events;

/// <summary>The one camera-JSON writer: what seeding and the edge client send reads back as the same event.</summary>
public sealed class CameraEventJsonTests
{
    private static readonly NewEvent Sample = new(new DateTime(2026, 1, 21, 14, 30, 0, DateTimeKind.Utc).AddTicks(1_234_560), "W1", "S1",
        EventType.ProductCount, 0.9, 3, "CAM-01", "yolov8-v2.1", "e-1");

    private static string Json(NewEvent e)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, CameraEventJson.WriterOptions))
        {
            CameraEventJson.Write(writer, e);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void The_seeding_and_the_edge_client_write_the_same_bytes_for_the_same_event()
    {
        var edge = new EdgeEvent(new DateTimeOffset(Sample.Timestamp), "W1", "S1", "product_count", 0.9, 3, "CAM-01", "yolov8-v2.1").ToJson("e-1");

        Assert.Equal(Json(Sample), edge);
        Assert.Equal(
            """{"timestamp":"2026-01-21T14:30:00.1234560+00:00","worker_id":"W1","workstation_id":"S1","event_type":"product_count","confidence":0.9,"count":3,"camera_id":"CAM-01","model_version":"yolov8-v2.1","event_id":"e-1"}""",
            edge);
    }

    [Fact]
    public void What_the_writer_writes_the_parser_reads_back_as_the_same_event()
    {
        var parser = new EventParser(new IngestionOptions(), new MetricsOptions(), TimeSpan.FromDays(90));
        var registry = new RegistrySnapshot([new Worker { Id = "W1", Name = "Ana" }], [new Workstation { Id = "S1", Name = "Press" }]);
        using var document = JsonDocument.Parse(Json(Sample));

        var parsed = parser.Parse(document.RootElement, registry, Sample.Timestamp.AddMinutes(1));

        Assert.Equal(Sample, parsed.Event);
    }

    [Theory]
    [InlineData("2026-01-21T14:30:00.1234567+00:00")]
    [InlineData("2026-01-21T14:30:00.1234567Z")]
    [InlineData("2026-01-21T16:30:00.1234567+02:00")]
    public void Timestamps_with_a_utc_offset_read_as_with_z_to_the_microsecond(string text)
    {
        Assert.True(WireTime.TryParse(text, out var utc, out _));

        Assert.Equal(new DateTime(2026, 1, 21, 14, 30, 0, DateTimeKind.Utc).AddTicks(1_234_560), utc);
    }
}
