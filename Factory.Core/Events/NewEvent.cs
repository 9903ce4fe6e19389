namespace Factory.Core.Events;

/// <summary>A validated event on its way to storage; timestamps are UTC.</summary>
public sealed record NewEvent(
    DateTime Timestamp,
    string WorkerId,
    string WorkstationId,
    EventType EventType,
    double Confidence,
    int Count = 1,
    string? CameraId = null,
    string? ModelVersion = null,
    string? EventId = null);
