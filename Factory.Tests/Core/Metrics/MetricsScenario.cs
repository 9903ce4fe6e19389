using Factory.Core.Events;
using Factory.Core.Metrics;
using Factory.Core.Registry;

namespace Factory.Tests.Core.Metrics;

/// <summary>Builds event sets in receive order and evaluates them with the metrics engine (fast or naive store).</summary>
internal sealed class MetricsScenario
{
    public static readonly DateTime T0 = new(2026, 1, 21, 10, 0, 0, DateTimeKind.Utc);

    private long _nextId = 1;

    public List<FactoryEvent> Events { get; } = [];

    public MetricsOptions Options { get; } = new();

    public List<string> ExcludedModels { get; } = [];

    public RegistrySnapshot Registry { get; set; } = new(RegistrySeed.Workers, RegistrySeed.Workstations);

    public MetricsScenario State(DateTime at, string type, string worker = "W1", string station = "S1", double confidence = 0.9, string? model = "m1")
    {
        EventTypes.TryParse(type, out var t);
        return Add(new FactoryEvent { Timestamp = at, WorkerId = worker, WorkstationId = station, EventType = t, Confidence = confidence, ModelVersion = model });
    }

    public MetricsScenario Product(DateTime at, int count, string worker = "W1", string station = "S1", double confidence = 0.9, string? model = "m1") =>
        Add(new FactoryEvent { Timestamp = at, WorkerId = worker, WorkstationId = station, EventType = EventType.ProductCount, Count = count, Confidence = confidence, ModelVersion = model });

    public MetricsScenario Add(FactoryEvent e)
    {
        e.Id = _nextId++;
        if (e.ReceivedAt == default)
        {
            e.ReceivedAt = e.Timestamp;
        }

        Events.Add(e);
        return this;
    }

    public MetricRules Rules => new(Options, ExcludedModels);

    public MetricsStore Store(bool rollups = false)
    {
        var store = new MetricsStore(Rules, rollups);
        foreach (var e in Events.OrderBy(e => e.Id))
        {
            store.Add(e);
        }

        store.FlushRollups();
        return store;
    }

    public static MetricsWindow Window(DateTime start, DateTime end, DateTime? now = null) => new(start, end, now ?? end);

    public WorkerMetrics Worker(MetricsWindow window, string id = "W1", bool rollups = false) =>
        MetricsCalculator.Workers(Store(rollups), Registry, window, id).Single();

    public WorkstationMetrics Station(MetricsWindow window, string id = "S1", bool rollups = false) =>
        MetricsCalculator.Workstations(Store(rollups), Registry, window, id).Single();

    public FactoryMetrics Factory(MetricsWindow window, bool rollups = false) =>
        MetricsCalculator.Factory(Store(rollups), Registry, window);

    public static double Minutes(double hours) => Math.Round(hours * 60, 9);
}
