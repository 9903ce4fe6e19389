using Factory.Core.Events;

namespace Factory.Web.Endpoints;

/// <summary>201 answer for a stored event.</summary>
public sealed record EventAccepted(string Status, long Id, bool LowConfidence);

/// <summary>200 answer for an event that was already stored (the first write wins).</summary>
public sealed record EventDuplicate(string Status, long Id);

/// <summary>Answer to a well-formed batch, whatever became of its items.</summary>
public sealed record BatchResponse(int Accepted, int Duplicates, IReadOnlyList<BatchRejection> Rejected, IReadOnlyList<BatchItemResult> Results);

/// <summary>An item of a batch that was not stored, with every error by field.</summary>
public sealed record BatchRejection(int Index, IReadOnlyDictionary<string, string[]> Errors);

/// <summary>The fate of each valid item: its index in the request, stored id and whether it was a duplicate.</summary>
public sealed record BatchItemResult(int Index, long Id, string Status);

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
