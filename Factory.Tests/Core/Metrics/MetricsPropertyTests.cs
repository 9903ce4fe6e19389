using Factory.Core.Events;
using Factory.Core.Metrics;
using Factory.Core.Registry;

namespace Factory.Tests.Core.Metrics;

public sealed class MetricsPropertyTests
{
    private static readonly RegistrySnapshot Registry = new(RegistrySeed.Workers, RegistrySeed.Workstations);
    private static readonly MetricRules Rules = new(new MetricsOptions(), ["bad"]);
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

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

    [Fact]
    public void Every_duration_unit_and_count_is_window_additive()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var rng = new Random(seed);
            var events = RandomEvents.Receive(rng, RandomEvents.Generate(rng));
            var store = Build(events, rollups: seed % 2 == 0);
            var now = RandomEvents.Between(rng, RandomEvents.End.AddHours(-2), RandomEvents.End.AddMinutes(10)).Ticks;
            var times = new[] { 0, 1, 2 }.Select(_ => RandomEvents.Between(rng, RandomEvents.Base.AddHours(-1), new DateTime(now, DateTimeKind.Utc)).Ticks).Order().ToArray();
            var (a, b, c) = (times[0], times[1], times[2]);

            var whole = store.Durations(a, c, now);
            var left = store.Durations(a, b, now);
            var right = store.Durations(b, c, now);
            AssertSum(whole.WorkerWorking, left.WorkerWorking, right.WorkerWorking, seed);
            AssertSum(whole.WorkerIdle, left.WorkerIdle, right.WorkerIdle, seed);
            AssertSum(whole.WorkerAbsent, left.WorkerAbsent, right.WorkerAbsent, seed);
            AssertSum(whole.StationWorking, left.StationWorking, right.StationWorking, seed);

            var (occ, work) = store.StationUnions(a, c, now);
            var (occL, workL) = store.StationUnions(a, b, now);
            var (occR, workR) = store.StationUnions(b, c, now);
            AssertSum(occ, occL, occR, seed);
            AssertSum(work, workL, workR, seed);

            var counts = store.Counts.Count(a, c);
            var countsL = store.Counts.Count(a, b);
            var countsR = store.Counts.Count(b, c);
            Assert.Equal(counts, (countsL.All + countsR.All, countsL.Low + countsR.Low));

            var w1 = store.Worker("W1");
            Assert.Equal(w1?.UnitsIn(a, c, null), w1?.UnitsIn(a, b, null) + w1?.UnitsIn(b, c, null));
        }
    }

    [Fact]
    public void Fast_path_equals_naive_recomputation_including_after_late_out_of_order_arrivals()
    {
        for (var seed = 1000; seed < 1150; seed++)
        {
            var rng = new Random(seed);
            var received = RandomEvents.Receive(rng, RandomEvents.Generate(rng), lateShare: 0.3);
            var fast = new MetricsStore(Rules, useRollups: true);
            var position = 0;
            while (position < received.Count)
            {
                var batch = rng.Next(1, 60);
                foreach (var e in received.Skip(position).Take(batch))
                {
                    fast.Add(e);
                }

                position += batch;
                fast.FlushRollups();
                if (rng.NextDouble() < 0.25 || position >= received.Count)
                {
                    var naive = Build(received.Take(position), rollups: false);
                    var clock = received[Math.Min(position, received.Count) - 1].ReceivedAt;
                    CompareAll(fast, naive, rng, clock, seed);
                }
            }
        }
    }

    [Fact]
    public void Ingesting_the_same_events_in_any_order_gives_identical_metrics()
    {
        for (var seed = 2000; seed < 2100; seed++)
        {
            var rng = new Random(seed);
            var events = RandomEvents.Generate(rng, ties: false);
            var first = Build(RandomEvents.Shuffle(rng, events), rollups: seed % 2 == 0);
            var second = Build(RandomEvents.Shuffle(rng, events), rollups: seed % 3 == 0);
            CompareAll(first, second, rng, RandomEvents.End.AddMinutes(5), seed);
        }
    }

    private static void CompareAll(MetricsStore expected, MetricsStore actual, Random rng, DateTime clock, int seed)
    {
        for (var i = 0; i < 3; i++)
        {
            var now = RandomEvents.Between(rng, clock, clock.AddMinutes(90));
            var start = RandomEvents.Between(rng, RandomEvents.Base.AddHours(-1), now);
            var end = i == 0 ? now : RandomEvents.Between(rng, start.AddTicks(1), now);
            var window = new MetricsWindow(start, end, now);
            var context = $"seed {seed}, window {start:O} – {end:O}, now {now:O}";

            Assert.True(MetricsCalculator.Workers(expected, Registry, window, null).SequenceEqual(MetricsCalculator.Workers(actual, Registry, window, null)), context);
            Assert.True(MetricsCalculator.Workstations(expected, Registry, window, null).SequenceEqual(MetricsCalculator.Workstations(actual, Registry, window, null)), context);
            Assert.Equal(MetricsCalculator.Factory(expected, Registry, window), MetricsCalculator.Factory(actual, Registry, window));
            Assert.True(MetricsCalculator.Timeseries(expected, Registry, window, BucketSize.Hour, Berlin, null, null)
                .SequenceEqual(MetricsCalculator.Timeseries(actual, Registry, window, BucketSize.Hour, Berlin, null, null)), context);
            Assert.True(MetricsCalculator.Timeseries(expected, Registry, window, BucketSize.Day, Berlin, "W2", null)
                .SequenceEqual(MetricsCalculator.Timeseries(actual, Registry, window, BucketSize.Day, Berlin, "W2", null)), context);
            Assert.True(MetricsCalculator.Timeseries(expected, Registry, window, BucketSize.Hour, TimeZoneInfo.Utc, null, "S1")
                .SequenceEqual(MetricsCalculator.Timeseries(actual, Registry, window, BucketSize.Hour, TimeZoneInfo.Utc, null, "S1")), context);
            Assert.True(MetricsCalculator.Timeline(expected, window, "W3").SequenceEqual(MetricsCalculator.Timeline(actual, window, "W3")), context);
        }
    }

    private static void AssertSum(long[] whole, long[] left, long[] right, int seed)
    {
        for (var i = 0; i < whole.Length; i++)
        {
            Assert.True(whole[i] == left[i] + right[i], $"seed {seed}, index {i}: {whole[i]} != {left[i]} + {right[i]}");
        }
    }
}
