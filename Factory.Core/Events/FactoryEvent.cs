namespace Factory.Core.Events;

/// <summary>
/// One stored camera event. <see cref="Id"/> is assigned by the single writer in the order
/// events are received, so it doubles as the receive order used to break timestamp ties.
/// </summary>
public sealed class FactoryEvent
{
    public long Id { get; set; }

    /// <summary>When the camera saw it (UTC).</summary>
    public DateTime Timestamp { get; set; }

    /// <summary>When the server stored it (UTC).</summary>
    public DateTime ReceivedAt { get; set; }

    public required string WorkerId { get; set; }
    public required string WorkstationId { get; set; }
    public EventType EventType { get; set; }
    public double Confidence { get; set; }
    public int Count { get; set; } = 1;
    public string? CameraId { get; set; }
    public string? ModelVersion { get; set; }

    /// <summary>Optional id assigned at the edge; a second dedup key.</summary>
    public string? EventId { get; set; }

    /// <summary>Confidence was below <c>Metrics:MinConfidence</c> when stored.</summary>
    public bool LowConfidence { get; set; }

    /// <summary>The stored form of a validated event: the writer's id and receive time, and its low-confidence flag.</summary>
    public static FactoryEvent From(NewEvent e, long id, DateTime receivedAt, bool lowConfidence) => new()
    {
        Id = id,
        Timestamp = e.Timestamp,
        ReceivedAt = receivedAt,
        WorkerId = e.WorkerId,
        WorkstationId = e.WorkstationId,
        EventType = e.EventType,
        Confidence = e.Confidence,
        Count = e.Count,
        CameraId = e.CameraId,
        ModelVersion = e.ModelVersion,
        EventId = e.EventId,
        LowConfidence = lowConfidence,
    };
}
