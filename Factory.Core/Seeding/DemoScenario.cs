using Factory.Core.Registry;
using Factory.Core.Shifts;

namespace Factory.Core.Seeding;

/// <summary>A worker as the demo data generator sees them: their shift and the station they mostly work at.</summary>
public sealed record DemoWorker(string Id, ShiftPattern Shift, string HomeStationId);

/// <summary>A station, its kind of work (sets the pace of units) and the camera that watches it.</summary>
public sealed record DemoStation(string Id, string Type, string CameraId);

/// <summary>
/// Everything that shapes the generated data. The timing of events (who is working, idle or absent
/// when, and every unit produced) depends only on <see cref="Seed"/>, <see cref="Zone"/>, the workers and
/// the stations, never on the requested range, so overlapping ranges produce the same events and the
/// dedup key makes re-seeding safe. The model-health story (upgrade instant, confidence drift) is tied
/// to a period and only changes <c>model_version</c> and <c>confidence</c>.
/// </summary>
public sealed record DemoScenario
{
    public const string DefaultModelBefore = "yolov8-v2.0";
    public const string DefaultModelAfter = "yolov8-v2.1";

    public int Seed { get; init; } = 42;

    /// <summary>The plant's zone: shifts start at their local wall-clock time.</summary>
    public TimeZoneInfo Zone { get; init; } = TimeZoneInfo.Utc;

    public required IReadOnlyList<DemoWorker> Workers { get; init; }

    public required IReadOnlyList<DemoStation> Stations { get; init; }

    public string ModelBefore { get; init; } = DefaultModelBefore;

    public string ModelAfter { get; init; } = DefaultModelAfter;

    /// <summary>Events from this instant on carry <see cref="ModelAfter"/>; <c>null</c>: no upgrade, all carry <see cref="ModelAfter"/>.</summary>
    public DateTime? ModelUpgradeAt { get; init; }

    /// <summary>The camera whose confidence declines slowly (model health has something to show); <c>null</c> for none.</summary>
    public string? DriftingCameraId { get; init; } = "CAM-03";

    /// <summary>The decline runs linearly from <see cref="DriftStart"/> to <see cref="DriftEnd"/> and then stays at its full amount.</summary>
    public DateTime DriftStart { get; init; }

    public DateTime DriftEnd { get; init; }

    /// <summary>How much the drifting camera's mean confidence has dropped at <see cref="DriftEnd"/>.</summary>
    public double DriftDrop { get; init; } = 0.14;

    /// <summary>A state is re-asserted after a random interval in [<see cref="MinReassert"/>, <see cref="MaxReassert"/>].</summary>
    public TimeSpan MinReassert { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Kept well below StateTimeout so that even a dropped (low-confidence) re-assert leaves no gap.</summary>
    public TimeSpan MaxReassert { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The first part of each shift is slower: more idle, fewer units.</summary>
    public TimeSpan SlowStart { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Share of re-asserts and product events reported with a confidence below 0.7.</summary>
    public double LowConfidenceShare { get; init; } = 0.01;

    /// <summary>Share of events that reach the server late (see <see cref="GeneratedEvent.Delay"/>).</summary>
    public double LateShare { get; init; } = 0.005;

    /// <summary>Chance that a working stretch happens at another station than the worker's own.</summary>
    public double MoveChance { get; init; } = 0.06;

    /// <summary>
    /// The scenario for the registry's workers and stations over a period: the model upgrade happens in
    /// the middle of it and one camera's confidence declines across it. Each worker's shift times and first
    /// break come from the calendar shift of their registry shift (<see cref="ShiftPattern.ForShift(string?, ShiftCalendar?)"/>).
    /// </summary>
    public static DemoScenario ForPeriod(
        IReadOnlyList<Worker> workers, IReadOnlyList<Workstation> stations, int seed, TimeZoneInfo zone, DateTime fromUtc, DateTime toUtc,
        ShiftCalendar? calendar = null)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(fromUtc, toUtc);
        var demoStations = stations.Select((s, i) => new DemoStation(s.Id, s.Type, $"CAM-{i + 1:00}")).ToList();
        return new DemoScenario
        {
            Seed = seed,
            Zone = zone,
            Stations = demoStations,
            Workers = AssignHomeStations(workers, stations, calendar),
            ModelUpgradeAt = fromUtc + (toUtc - fromUtc) / 2,
            DriftingCameraId = demoStations.Count switch
            {
                0 => null,
                >= 3 => demoStations[2].CameraId,
                _ => demoStations[0].CameraId,
            },
            DriftStart = fromUtc,
            DriftEnd = toUtc,
        };
    }

    /// <summary>Each worker gets a station of their department's type when one is free, else the next free one.</summary>
    private static List<DemoWorker> AssignHomeStations(IReadOnlyList<Worker> workers, IReadOnlyList<Workstation> stations, ShiftCalendar? calendar)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<DemoWorker>(workers.Count);
        for (var i = 0; i < workers.Count; i++)
        {
            var w = workers[i];
            var home = stations.FirstOrDefault(s => !taken.Contains(s.Id) && string.Equals(s.Type, w.Department, StringComparison.OrdinalIgnoreCase))
                ?? stations.FirstOrDefault(s => !taken.Contains(s.Id))
                ?? (stations.Count > 0 ? stations[i % stations.Count] : null);
            if (home is null)
            {
                continue;
            }

            taken.Add(home.Id);
            result.Add(new DemoWorker(w.Id, ShiftPattern.ForShift(w.Shift, calendar), home.Id));
        }

        return result;
    }
}
