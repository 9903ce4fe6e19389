namespace Factory.Core.Ingestion;

/// <summary>
/// Told after events were deleted in bulk outside the single writer (<c>clear_existing</c>, retention), so that
/// state derived from committed events (caches, rollups, indexes) can be rebuilt.
/// </summary>
public interface IEventsClearedObserver
{
    Task OnEventsClearedAsync(long deleted, CancellationToken ct);
}
