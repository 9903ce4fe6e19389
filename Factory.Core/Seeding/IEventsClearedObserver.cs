using Factory.Core.ModelHealth;

namespace Factory.Core.Seeding;

/// <summary>
/// Told after events were deleted in bulk outside the single writer (<c>clear_existing</c>), so that state
/// derived from committed events (caches, rollups) can be rebuilt.
/// </summary>
public interface IEventsClearedObserver
{
    Task OnEventsClearedAsync(long deleted, CancellationToken ct);
}

/// <summary>Rebuilds the model-health confidence aggregates after a clear, so deleted events stop counting.</summary>
public sealed class ConfidenceAggregatesReload(ConfidenceAggregates aggregates) : IEventsClearedObserver
{
    public Task OnEventsClearedAsync(long deleted, CancellationToken ct) => aggregates.ReloadAsync(ct);
}
