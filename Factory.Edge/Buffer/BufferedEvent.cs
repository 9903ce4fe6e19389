namespace Factory.Edge.Buffer;

/// <summary>An event waiting in the buffer: its position, its stable id and the exact JSON to send.</summary>
public sealed record BufferedEvent(long Sequence, string EventId, DateTimeOffset Timestamp, string Payload);
