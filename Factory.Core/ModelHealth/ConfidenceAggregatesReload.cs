using Factory.Core.Ingestion;

namespace Factory.Core.ModelHealth;

/// <summary>Rebuilds the model-health confidence aggregates after a bulk delete, so deleted events stop counting.</summary>
public sealed class ConfidenceAggregatesReload(ConfidenceAggregates aggregates) : IEventsClearedObserver
{
    public Task OnEventsClearedAsync(long deleted, CancellationToken ct) => aggregates.ReloadAsync(ct);
}
