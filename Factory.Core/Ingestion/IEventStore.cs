using Factory.Core.Events;

namespace Factory.Core.Ingestion;

/// <summary>The engine-specific insert used by the single writer.</summary>
public interface IEventStore : IAsyncDisposable
{
    /// <summary>
    /// Inserts the events in order in one transaction and commits it. Returns one outcome per event and the
    /// newly stored rows (duplicates excluded).
    /// </summary>
    Task<(WriteOutcome[] Outcomes, List<FactoryEvent> Stored)> InsertAsync(IReadOnlyList<PendingEvent> events, DateTime receivedAt, CancellationToken ct);
}
