using Factory.Core.Events;
using Factory.Core.Metrics;
using Factory.Core.Registry;

namespace Factory.Tests.Core.Metrics;

/// <summary>
/// Every timeseries bucket equals the figures computed for that bucket's range on its own, from a store
/// without rollups: the series path (running sums over rollup hours, open segments split among buckets,
/// one pass over the products) must not change a single tick or unit.
/// </summary>
public sealed class TimeseriesBucketTests
{
    private static readonly RegistrySnapshot Registry = new(RegistrySeed.Workers, RegistrySeed.Workstations);
    private static readonly MetricRules Rules = new(new MetricsOptions(), ["bad"]);

    private static readonly TimeZoneInfo[] Zones =
    [
        TimeZoneInfo.Utc,
        TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"),
        TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata"),
    ];

    private static readonly (string? Worker, string? Station)[] Filters =
        [(null, null), ("W2", null), (null, "S1"), ("W2", "S1"), ("W6", null), (null, "S9"), ("X4", null)];

    [Fact]
    public void Each_bucket_equals_the_naive_figures_of_its_own_range_for_every_zone_size_and_filter()
    {
        for (var seed = 3000; seed < 3060; seed++)
        {
            var rng = new Random(seed);
            var generated = RandomEvents.Generate(rng, workers: 5);
            if (seed % 2 == 0)
            {
                // A worker missing from the registry: its time counts at its station but not in the plant totals.
                foreach (var e in generated.Where(e => e.WorkerId == "W4"))
                {
                    e.WorkerId = "X4";
                }
            }

            var received = RandomEvents.Receive(rng, generated, lateShare: 0.3);
            var fast = Build(received, rollups: true);
            var naive = Build(received, rollups: false);
            var clock = received[^1].ReceivedAt;
            for (var i = 0; i < 4; i++)
            {
                var now = RandomEvents.Between(rng, clock, clock.AddMinutes(90));
                var start = RandomEvents.Between(rng, RandomEvents.Base.AddHours(-2), now);
                var end = i == 0 ? now : RandomEvents.Between(rng, start.AddTicks(1), now);
                var window = new MetricsWindow(start, end, now);
                foreach (var zone in Zones)
                {
                    foreach (var size in new[] { BucketSize.Hour, BucketSize.Day })
                    {
                        foreach (var (worker, station) in Filters)
                        {
                            var context = $"seed {seed}, {zone.Id}, {size}, worker {worker}, station {station}, window {start:O} – {end:O}, now {now:O}";
                            var expected = Reference(naive, window, size, zone, worker, station);
                            Assert.True(expected.SequenceEqual(MetricsCalculator.Timeseries(fast, Registry, window, size, zone, worker, station)), context);
                            Assert.True(expected.SequenceEqual(MetricsCalculator.Timeseries(naive, Registry, window, size, zone, worker, station)), context);
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void A_plant_bucket_holds_the_registered_workers_time_and_units_in_its_range()
    {
        var rng = new Random(42);
        var received = RandomEvents.Receive(rng, RandomEvents.Generate(rng, workers: 3));
        var store = Build(received, rollups: true);
        var now = RandomEvents.End.AddMinutes(3);
        var window = new MetricsWindow(RandomEvents.Base, RandomEvents.End, now);

        var buckets = MetricsCalculator.Timeseries(store, Registry, window, BucketSize.Hour, TimeZoneInfo.Utc, null, null);

        Assert.Equal(12, buckets.Count);
        var totals = MetricsCalculator.Factory(store, Registry, window);
        Assert.Equal(totals.TotalUnitsProduced, buckets.Sum(b => b.Units));
        Assert.True(totals.TotalUnitsProduced > 0);
        Assert.InRange(buckets.Sum(b => b.WorkingHours), totals.WorkingHours - 1e-9, totals.WorkingHours + 1e-9);
        Assert.True(totals.WorkingHours > 0);
    }

    private static MetricsStore Build(IEnumerable<FactoryEvent> events, bool rollups)
    {
        var store = new MetricsStore(Rules, rollups);
        foreach (var e in events.OrderBy(e => e.Id))
        {
            store.Add(e);
        }

        store.FlushRollups();
        return store;
    }

    /// <summary>The buckets computed one range at a time with <see cref="MetricsStore.Durations"/> and per-worker unit counts.</summary>
    private static List<TimeseriesBucket> Reference(MetricsStore store, MetricsWindow window, BucketSize size, TimeZoneInfo zone, string? workerId, string? stationId)
    {
        var from = window.Start.Ticks;
        var to = Math.Max(from, window.End.Ticks);
        var result = new List<TimeseriesBucket>();
        if (from >= to)
        {
            return result;
        }

        var k = workerId is null ? null : store.WorkerIndexOf(workerId);
        var s = stationId is null ? null : store.StationIndexOf(stationId);
        var missing = (workerId is not null && k is null) || (stationId is not null && s is null);
        foreach (var (bucketStart, bucketEnd) in TimeBuckets.Cover(window.Start, window.End, size, zone))
        {
            var a = Math.Max(from, bucketStart.Ticks);
            var b = Math.Min(to, bucketEnd.Ticks);
            long working = 0, idle = 0, absent = 0, units = 0;
            if (!missing && k is not null && s is { } both)
            {
                foreach (var part in store.Parts(workerId!, a, b, window.AsOf.Ticks, includeOffShift: false).Where(p => p.Station == both))
                {
                    working += part.State == WorkerStatus.Working ? part.Length : 0;
                    idle += part.State == WorkerStatus.Idle ? part.Length : 0;
                    absent += part.State == WorkerStatus.Absent ? part.Length : 0;
                }

                units = store.Worker(workerId!)!.UnitsIn(a, b, both);
            }
            else if (!missing)
            {
                var d = store.Durations(a, b, window.AsOf.Ticks);
                if (k is { } only)
                {
                    (working, idle, absent) = (d.WorkerWorking[only], d.WorkerIdle[only], d.WorkerAbsent[only]);
                    units = store.Worker(workerId!)!.UnitsIn(a, b, null);
                }
                else
                {
                    foreach (var registered in Registry.Workers)
                    {
                        if (store.WorkerIndexOf(registered.Id) is not { } r)
                        {
                            continue;
                        }

                        if (s is { } station)
                        {
                            units += store.Worker(registered.Id)!.UnitsIn(a, b, station);
                        }
                        else
                        {
                            (working, idle, absent) = (working + d.WorkerWorking[r], idle + d.WorkerIdle[r], absent + d.WorkerAbsent[r]);
                            units += store.Worker(registered.Id)!.UnitsIn(a, b, null);
                        }
                    }

                    if (s is { } st)
                    {
                        (working, idle, absent) = (d.StationWorking[st], d.StationIdle[st], d.StationAbsent[st]);
                    }
                }
            }

            var tracked = working + idle + absent;
            result.Add(new TimeseriesBucket(
                bucketStart,
                bucketEnd,
                new DateTimeOffset(bucketStart).ToOffset(zone.GetUtcOffset(bucketStart)),
                TimeMath.Hours(working),
                TimeMath.Hours(idle),
                TimeMath.Hours(absent),
                units,
                TimeMath.Percentage(working, tracked)));
        }

        return result;
    }
}
