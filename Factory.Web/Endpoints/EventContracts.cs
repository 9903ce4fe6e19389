using Factory.Core.Events;

namespace Factory.Web.Endpoints;

/// <summary>201 answer for a stored event.</summary>
public sealed record EventAccepted(string Status, long Id, bool LowConfidence);

/// <summary>200 answer for an event that was already stored (the first write wins).</summary>
public sealed record EventDuplicate(string Status, long Id);

/// <summary>A stored event as the API shows it.</summary>
public sealed record EventDto(
    long Id,
    DateTime Timestamp,
    DateTime ReceivedAt,
    string WorkerId,
    string WorkstationId,
    string EventType,
    double Confidence,
    int Count,
    string? CameraId,
    string? ModelVersion,
    string? EventId,
    bool LowConfidence,
    double LagSeconds)
{
    public static EventDto From(FactoryEvent e) => new(
        e.Id, e.Timestamp, e.ReceivedAt, e.WorkerId, e.WorkstationId, e.EventType.ToWire(), e.Confidence, e.Count,
        e.CameraId, e.ModelVersion, e.EventId, e.LowConfidence, Math.Round((e.ReceivedAt - e.Timestamp).TotalSeconds, 3));
}

/// <summary>A page of events, newest first; pass <see cref="NextCursor"/> back as <c>cursor</c> for the next page.</summary>
public sealed record EventPage(IReadOnlyList<EventDto> Items, string? NextCursor);
