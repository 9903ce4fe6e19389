using Factory.Core.Events;

namespace Factory.Core.Ingestion;

/// <summary>A validated event with the flag computed at validation.</summary>
/// <param name="ReceivedAt">
/// When the event reached the system, for history imported in bulk (the demo seed's network lags and late arrivals);
/// null for everything a camera sends, which is received when it is committed. Never later than the commit.
/// </param>
public sealed record PendingEvent(NewEvent Event, bool LowConfidence, DateTime? ReceivedAt = null)
{
    /// <summary>The stored <c>received_at</c> for a commit at <paramref name="committedAt"/>: the given one if earlier, to the microsecond.</summary>
    public DateTime ReceivedBy(DateTime committedAt) =>
        ReceivedAt is { } given && given < committedAt ? WireTime.ToMicroseconds(given) : committedAt;
}

/// <summary>What happened to one event: stored under <see cref="Id"/>, or a duplicate of the stored <see cref="Id"/>.</summary>
public readonly record struct WriteOutcome(long Id, bool Duplicate);

/// <summary>The writer could not take more work or the database failed; nothing was acknowledged.</summary>
public sealed class IngestionUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Runs inside the writer right after a commit and before any caller is answered, so that state
/// derived from events (e.g. metric rollups) is never behind an acknowledged event.
/// </summary>
public interface ICommitObserver
{
    void OnCommitted(IReadOnlyList<FactoryEvent> stored);
}
