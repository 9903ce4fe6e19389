namespace Factory.Core.Seeding;

/// <summary>
/// Told after events were deleted in bulk outside the single writer (<c>clear_existing</c>), so that state
/// derived from committed events (caches, rollups) can be rebuilt.
/// </summary>
public interface IEventsClearedObserver
{
    void OnEventsCleared(long deleted);
}
