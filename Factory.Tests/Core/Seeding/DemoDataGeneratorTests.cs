using Factory.Core.Events;
using Factory.Core.Registry;
using Factory.Core.Seeding;

namespace Factory.Tests.Core.Seeding;

public sealed class DemoDataGeneratorTests
{
    // Two full UTC days (a Monday and a Tuesday) plus the night shift running into them.
    private static readonly DateTime From = new(2026, 1, 19, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime To = new(2026, 1, 21, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateOnly[] Days = [new(2026, 1, 19), new(2026, 1, 20)];

    private static DemoScenario Scenario(int seed = 7, string zone = "UTC", DateTime? from = null, DateTime? to = null) =>
        DemoScenario.ForPeriod(RegistrySeed.Workers, RegistrySeed.Workstations, seed, TimeZoneInfo.FindSystemTimeZoneById(zone), from ?? From, to ?? To);

    private static List<NewEvent> Generate(DemoScenario scenario, DateTime? from = null, DateTime? to = null) =>
        new DemoDataGenerator(scenario).Generate(from ?? From, to ?? To).Select(e => e.Event).ToList();

    private static IEnumerable<string> MorningWorkers => RegistrySeed.Workers.Where(w => w.Shift == "morning").Select(w => w.Id);

    private static DateTime Local(DateOnly day, int hour, int minute, string zone = "UTC") =>
        TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(hour, minute)), TimeZoneInfo.FindSystemTimeZoneById(zone));

    [Fact]
    public void Same_seed_and_range_give_identical_events_and_another_seed_different_ones()
    {
        var first = new DemoDataGenerator(Scenario()).Generate(From, To).ToList();
        var second = new DemoDataGenerator(Scenario()).Generate(From, To).ToList();
        var other = new DemoDataGenerator(Scenario(seed: 8)).Generate(From, To).ToList();

        Assert.True(first.Count > 5000, $"only {first.Count} events in two days");
        Assert.Equal(first, second);
        Assert.NotEqual(first.Select(e => e.Timestamp), other.Select(e => e.Timestamp));
    }

    [Fact]
    public void Timing_does_not_depend_on_the_range_so_overlapping_seeds_deduplicate()
    {
        var middle = From.AddHours(17).AddMinutes(23);
        var whole = Generate(Scenario(), From, To);
        var tail = Generate(Scenario(), middle, To);
        // A scenario built for another period changes model version and confidence, never who did what when.
        var otherPeriod = Generate(Scenario(from: middle, to: To.AddDays(3)), middle, To);

        Assert.Equal(whole.Where(e => e.Timestamp >= middle), tail);
        Assert.Equal(tail.Select(Key), otherPeriod.Select(Key));
        Assert.Equal(tail.Select(e => e.EventId), otherPeriod.Select(e => e.EventId));

        static (DateTime, string, EventType, string, int) Key(NewEvent e) => (e.Timestamp, e.WorkerId, e.EventType, e.WorkstationId, e.Count);
    }

    [Fact]
    public void Events_are_in_range_ordered_by_timestamp_and_unique_by_dedup_key_and_event_id()
    {
        var events = Generate(Scenario());

        Assert.All(events, e => Assert.InRange(e.Timestamp, From, To.AddTicks(-1)));
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Timestamp <= p.Second.Timestamp), "not ordered by timestamp");
        Assert.Equal(events.Count, events.Select(e => (e.Timestamp, e.WorkerId, e.EventType)).Distinct().Count());
        Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());
        Assert.All(events, e => Assert.InRange(e.EventId!.Length, 1, EventParser.MaxTextLength));
        Assert.All(events, e => Assert.Equal(e.Timestamp.Ticks - e.Timestamp.Ticks % TimeSpan.TicksPerMillisecond, e.Timestamp.Ticks));
    }

    [Fact]
    public void Units_are_reported_only_while_the_worker_is_working_at_that_station()
    {
        // From a day earlier, so that the night shift running into the window has its opening states.
        var events = Generate(Scenario(), From.AddDays(-1), To);
        var products = events.Where(e => e.Timestamp >= From && e.EventType == EventType.ProductCount && e.Confidence >= SpecTimeline.MinConfidence).ToList();
        var states = events.Where(e => e.EventType.IsState() && e.Confidence >= SpecTimeline.MinConfidence)
            .GroupBy(e => e.WorkerId).ToDictionary(g => g.Key, g => g.ToList());

        Assert.True(products.Count > 1000, $"only {products.Count} product events");
        foreach (var p in products)
        {
            var open = states[p.WorkerId].Last(s => s.Timestamp <= p.Timestamp);
            var next = states[p.WorkerId].FirstOrDefault(s => s.Timestamp > p.Timestamp);
            Assert.True(open.EventType == EventType.Working, $"{p.WorkerId} produced at {p.Timestamp:O} while {open.EventType}");
            Assert.Equal(open.WorkstationId, p.WorkstationId);
            Assert.True(p.Timestamp - open.Timestamp < SpecTimeline.StateTimeout, $"unit at {p.Timestamp:O} outside the state's timeout");
            Assert.True(next is not null && next.Timestamp > p.Timestamp);
        }
    }

    [Fact]
    public void Lunch_from_13_00_to_13_45_has_no_units_and_morning_workers_are_absent()
    {
        var events = Generate(Scenario());
        foreach (var day in Days)
        {
            var lunch = Local(day, 13, 0);
            var lunchEnd = Local(day, 13, 45);
            Assert.DoesNotContain(events, e => e.EventType == EventType.ProductCount && e.Timestamp >= lunch && e.Timestamp < lunchEnd);
            foreach (var worker in MorningWorkers)
            {
                var during = events.Where(e => e.WorkerId == worker && e.Timestamp >= lunch && e.Timestamp < lunchEnd).ToList();
                Assert.Contains(during, e => e.Timestamp == lunch && e.EventType == EventType.Absent);
                Assert.All(during, e => Assert.Equal(EventType.Absent, e.EventType));
                var totals = SpecTimeline.ForWorker(events, worker, lunch, lunchEnd);
                Assert.Equal(TimeSpan.FromMinutes(45), totals.Absent);
                Assert.Equal(TimeSpan.Zero, totals.Working + totals.Idle);
            }
        }
    }

    [Fact]
    public void The_first_half_hour_of_the_morning_shift_is_slower_in_units_and_busier_with_idle()
    {
        var events = Generate(Scenario());
        double slowUnits = 0, restUnits = 0;
        TimeSpan slowIdle = TimeSpan.Zero, slowTracked = TimeSpan.Zero, restIdle = TimeSpan.Zero, restTracked = TimeSpan.Zero;
        foreach (var day in Days)
        {
            var start = Local(day, 6, 0);
            var slowEnd = Local(day, 6, 30);
            var lunch = Local(day, 13, 0);
            foreach (var worker in MorningWorkers)
            {
                slowUnits += Units(events, worker, start, slowEnd);
                restUnits += Units(events, worker, slowEnd, lunch);
                var slow = SpecTimeline.ForWorker(events, worker, start, slowEnd);
                var rest = SpecTimeline.ForWorker(events, worker, slowEnd, lunch);
                (slowIdle, slowTracked, restIdle, restTracked) = (slowIdle + slow.Idle, slowTracked + slow.Tracked, restIdle + rest.Idle, restTracked + rest.Tracked);
            }
        }

        var slowRate = slowUnits / 0.5;
        var restRate = restUnits / 6.5;
        TestContext.Current.TestOutputHelper?.WriteLine($"units/hour per shift-set: 06:00–06:30 {slowRate:0.0}, 06:30–13:00 {restRate:0.0}");
        Assert.True(restRate > 0);
        Assert.True(slowRate < 0.6 * restRate, $"slow start {slowRate:0.0} units/h is not clearly below {restRate:0.0}");
        Assert.True(slowIdle / slowTracked > 2 * (restIdle / restTracked), "the slow start should have a much larger idle share");
    }

    [Fact]
    public void Working_share_of_tracked_time_is_realistic_for_every_worker()
    {
        var events = Generate(Scenario());
        foreach (var worker in RegistrySeed.Workers)
        {
            var totals = SpecTimeline.ForWorker(events, worker.Id, From, To);
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{worker.Id} ({worker.Shift}): working {totals.Working.TotalHours:0.00} h, idle {totals.Idle.TotalHours:0.00} h, absent {totals.Absent.TotalHours:0.00} h, utilization {totals.Utilization:P1}");
            Assert.InRange(totals.Utilization, 0.70, 0.95);
            Assert.InRange(totals.Idle / totals.Tracked, 0.02, 0.25);
        }

        // Morning and evening workers have two full shifts in the window: about eight tracked hours each.
        foreach (var worker in RegistrySeed.Workers.Where(w => w.Shift != "night"))
        {
            Assert.InRange(SpecTimeline.ForWorker(events, worker.Id, From, To).Tracked.TotalHours, 15.5, 16.5);
        }
    }

    [Fact]
    public void States_are_reasserted_within_StateTimeout_and_longer_silences_follow_an_absent()
    {
        var events = Generate(Scenario(), From, To.AddDays(5));
        foreach (var worker in RegistrySeed.Workers)
        {
            var states = events.Where(e => e.WorkerId == worker.Id && e.EventType.IsState() && e.Confidence >= SpecTimeline.MinConfidence).ToList();
            foreach (var (a, b) in states.Zip(states.Skip(1)))
            {
                var gap = b.Timestamp - a.Timestamp;
                Assert.True(gap <= SpecTimeline.StateTimeout || (gap > SpecTimeline.OffShiftGap && a.EventType == EventType.Absent),
                    $"{worker.Id}: {gap} without a valid state after {a.EventType} at {a.Timestamp:O}");
            }
        }
    }

    [Fact]
    public void Shifts_start_at_their_local_time_in_a_non_UTC_zone_across_a_daylight_saving_change()
    {
        const string zone = "Europe/Berlin";
        // Summer time starts on Sunday 29 March 2026: 06:00 local is 05:00Z before and 04:00Z after.
        var from = new DateTime(2026, 3, 27, 0, 0, 0, DateTimeKind.Utc);
        var to = new DateTime(2026, 4, 1, 0, 0, 0, DateTimeKind.Utc);
        var events = Generate(Scenario(zone: zone, from: from, to: to), from, to);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById(zone);

        foreach (var day in new DateOnly[] { new(2026, 3, 27), new(2026, 3, 28), new(2026, 3, 29), new(2026, 3, 30), new(2026, 3, 31) })
        {
            foreach (var worker in RegistrySeed.Workers.Where(w => w.Shift != "night"))
            {
                var hour = worker.Shift == "morning" ? 6 : 14;
                var start = Local(day, hour, 0, zone);
                var first = events.First(e => e.WorkerId == worker.Id && e.Timestamp >= start.AddHours(-2));
                var local = TimeZoneInfo.ConvertTimeFromUtc(first.Timestamp, berlin);
                Assert.Equal(hour, local.Hour);
                Assert.InRange(local.Minute, 0, 1);
            }
        }

        Assert.Equal(5, Local(new DateOnly(2026, 3, 28), 6, 0, zone).Hour);
        Assert.Equal(4, Local(new DateOnly(2026, 3, 30), 6, 0, zone).Hour);
        // No units at Berlin lunch time, which is 12:00Z in winter and 11:00Z in summer.
        Assert.DoesNotContain(events, e => e.EventType == EventType.ProductCount
            && TimeZoneInfo.ConvertTimeFromUtc(e.Timestamp, berlin).TimeOfDay is var t && t >= new TimeSpan(13, 0, 0) && t < new TimeSpan(13, 45, 0));
    }

    [Fact]
    public void Model_version_is_upgraded_mid_period_and_one_camera_loses_confidence_slowly()
    {
        var scenario = Scenario();
        var events = Generate(scenario).Where(e => e.Confidence >= SpecTimeline.MinConfidence).ToList();
        var upgrade = scenario.ModelUpgradeAt!.Value;

        Assert.Equal(From + (To - From) / 2, upgrade);
        Assert.All(events, e => Assert.Equal(e.Timestamp < upgrade ? "yolov8-v2.0" : "yolov8-v2.1", e.ModelVersion));
        Assert.Equal(6, events.Select(e => e.CameraId).Distinct().Count());
        Assert.All(events, e => Assert.Equal("CAM-0" + e.WorkstationId[1..], e.CameraId));

        var drifting = scenario.DriftingCameraId;
        Assert.Equal("CAM-03", drifting);
        var firstDay = events.Where(e => e.Timestamp < From.AddDays(1)).ToList();
        var secondDay = events.Where(e => e.Timestamp >= From.AddDays(1)).ToList();
        var others = events.Select(e => e.CameraId!).Distinct().Where(c => c != drifting).ToList();
        var driftChange = Mean(secondDay, drifting) - Mean(firstDay, drifting);
        var otherChange = others.Average(c => Mean(secondDay, c) - Mean(firstDay, c));
        TestContext.Current.TestOutputHelper?.WriteLine($"{drifting} mean confidence: day 1 {Mean(firstDay, drifting):0.000}, day 2 {Mean(secondDay, drifting):0.000}; others changed {otherChange:+0.000;-0.000}");
        // The new model lifts every camera a little; the drifting one still ends clearly lower.
        Assert.InRange(otherChange, 0.01, 0.05);
        Assert.True(driftChange < 0, $"{drifting} did not decline ({driftChange:+0.000;-0.000})");
        Assert.True(otherChange - driftChange > 0.06, $"{drifting} declined only {otherChange - driftChange:0.000} relative to the others");
        foreach (var camera in others)
        {
            Assert.InRange(Mean(secondDay, camera) - Mean(firstDay, camera), 0, 0.05);
        }

        static double Mean(List<NewEvent> events, string? camera) => events.Where(e => e.CameraId == camera).Average(e => e.Confidence);
    }

    [Fact]
    public void A_few_events_are_low_confidence_and_a_few_arrive_late_in_emission_order()
    {
        var generator = new DemoDataGenerator(Scenario());
        var events = generator.Generate(From, To).ToList();
        var low = events.Count(e => e.Event.Confidence < 0.7);
        var late = events.Where(e => e.IsLate).ToList();

        Assert.InRange(low, events.Count / 500, events.Count / 30);
        Assert.InRange(late.Count, events.Count / 1000, events.Count / 50);
        Assert.All(late, e => Assert.InRange(e.Delay, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(12)));

        var emitted = generator.GenerateByEmission(From, To).ToList();
        Assert.True(emitted.Zip(emitted.Skip(1)).All(p => p.First.EmitAt <= p.Second.EmitAt), "not ordered by emission time");
        Assert.Equal(events.OrderBy(e => e.Event.EventId).Select(e => e.Event.EventId), emitted.OrderBy(e => e.Event.EventId).Select(e => e.Event.EventId));
        Assert.Contains(emitted.Zip(emitted.Skip(1)), p => p.First.Timestamp > p.Second.Timestamp);
    }

    [Fact]
    public void Workers_mostly_stay_at_their_own_station_and_sometimes_move()
    {
        var events = Generate(Scenario(), From, From.AddDays(7));
        var home = new Dictionary<string, string> { ["W1"] = "S1", ["W2"] = "S2", ["W3"] = "S3", ["W4"] = "S4", ["W5"] = "S5", ["W6"] = "S6" };
        foreach (var (worker, station) in home)
        {
            var mine = events.Where(e => e.WorkerId == worker).ToList();
            var atHome = mine.Count(e => e.WorkstationId == station) / (double)mine.Count;
            Assert.InRange(atHome, 0.85, 0.999);
        }
    }

    [Fact]
    public void An_endless_stream_is_produced_lazily()
    {
        var generator = new DemoDataGenerator(Scenario());
        var first = generator.Generate(From, DateTime.MaxValue).Take(200).ToList();
        var emitted = generator.GenerateByEmission(From, DateTime.MaxValue).Take(200).ToList();

        Assert.Equal(200, first.Count);
        Assert.Equal(200, emitted.Count);
        Assert.Equal(first[0], generator.Generate(From, To).First());
    }

    private static int Units(List<NewEvent> events, string worker, DateTime from, DateTime to) =>
        events.Where(e => e.WorkerId == worker && e.EventType == EventType.ProductCount && e.Confidence >= SpecTimeline.MinConfidence
            && e.Timestamp >= from && e.Timestamp < to).Sum(e => e.Count);
}
