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
}
