using Factory.Core.Events;
using Factory.Core.Metrics;
using Factory.Core.Registry;
using Factory.Core.Shifts;

namespace Factory.Tests.Core.Metrics;

public sealed class ShiftBreakMetricsTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly ShiftSchedule DefaultUtc = new(ShiftCalendar.Default, TimeZoneInfo.Utc);
    private static readonly ShiftSchedule DefaultBerlin = new(ShiftCalendar.Default, Berlin);

    private static DateTime Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, DateTimeKind.Utc);

    /// <summary>
    /// W1 (morning, lunch 13:00–13:45 UTC): working at 12:40, silent until 13:30, then working every 5 minutes until 13:40.
    /// Evaluated at 14:00: working 12:40–12:45 and 13:30–13:45; absent 12:45–13:30 (30 min of it in the lunch) and 13:45–14:00.
    /// </summary>
    private static MetricsScenario LunchScenario()
    {
        var s = new MetricsScenario();
        s.State(Utc(1, 21, 12, 40), "working")
            .State(Utc(1, 21, 13, 30), "working")
            .State(Utc(1, 21, 13, 35), "working")
            .State(Utc(1, 21, 13, 40), "working")
            .Product(Utc(1, 21, 13, 36), 4);
        return s;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Absence_inside_a_planned_break_is_break_not_absent_and_working_during_the_break_stays_working(bool rollups)
    {
        var s = LunchScenario();
        var window = MetricsScenario.Window(Utc(1, 21, 12, 0), Utc(1, 21, 14, 0));
        var store = s.Store(rollups);

        var w = MetricsCalculator.Workers(store, s.Registry, window, "W1", DefaultUtc).Single();

        Assert.Equal(20, MetricsScenario.Minutes(w.WorkingHours));
        Assert.Equal(30, MetricsScenario.Minutes(w.AbsentHours));
        Assert.Equal(30, MetricsScenario.Minutes(w.BreakHours));
        Assert.Equal(50, MetricsScenario.Minutes(w.TrackedHours));
        Assert.Equal(40, w.UtilizationPercentage, 9);

        var f = MetricsCalculator.Factory(store, s.Registry, window, DefaultUtc);
        Assert.Equal(30, MetricsScenario.Minutes(f.BreakHours));
        Assert.Equal(30, MetricsScenario.Minutes(f.AbsentHours));
        Assert.Equal(40, f.UtilizationPercentage, 9);

        var buckets = MetricsCalculator.Timeseries(store, s.Registry, window, BucketSize.Hour, TimeZoneInfo.Utc, "W1", null, DefaultUtc);
        Assert.Equal([0.0, 30.0], buckets.Select(b => MetricsScenario.Minutes(b.BreakHours)));
        Assert.Equal([15.0, 15.0], buckets.Select(b => MetricsScenario.Minutes(b.AbsentHours)));
    }

    [Fact]
    public void Working_through_the_whole_break_counts_as_working_and_no_break()
    {
        var s = new MetricsScenario();
        for (var t = Utc(1, 21, 12, 50); t <= Utc(1, 21, 13, 55); t = t.AddMinutes(5))
        {
            s.State(t, "working");
        }

        var window = MetricsScenario.Window(Utc(1, 21, 12, 0), Utc(1, 21, 14, 0));
        var w = MetricsCalculator.Workers(s.Store(), s.Registry, window, "W1", DefaultUtc).Single();

        Assert.Equal(70, MetricsScenario.Minutes(w.WorkingHours));
        Assert.Equal(0, w.BreakHours);
        Assert.Equal(0, w.AbsentHours);
    }

    [Fact]
    public void Calendar_off_gives_the_plain_figures_and_on_moves_only_absence_into_break()
    {
        var s = LunchScenario();
        var window = MetricsScenario.Window(Utc(1, 21, 12, 0), Utc(1, 21, 14, 0));
        var store = s.Store(rollups: true);
        var disabled = new ShiftSchedule(ShiftCalendar.Default with { Enabled = false }, TimeZoneInfo.Utc);

        var plain = MetricsCalculator.Workers(store, s.Registry, window, null);
        Assert.Equal(plain, MetricsCalculator.Workers(store, s.Registry, window, null, ShiftSchedule.Off));
        Assert.Equal(plain, MetricsCalculator.Workers(store, s.Registry, window, null, disabled));
        Assert.Equal(MetricsCalculator.Factory(store, s.Registry, window), MetricsCalculator.Factory(store, s.Registry, window, disabled));
        Assert.Equal(60, MetricsScenario.Minutes(plain[0].AbsentHours));
        Assert.Equal(0, plain[0].BreakHours);

        var withBreaks = MetricsCalculator.Workers(store, s.Registry, window, null, DefaultUtc);
        for (var i = 0; i < plain.Count; i++)
        {
            Assert.Equal(plain[i].WorkingHours, withBreaks[i].WorkingHours);
            Assert.Equal(plain[i].IdleHours, withBreaks[i].IdleHours);
            Assert.Equal(plain[i].AbsentHours, withBreaks[i].AbsentHours + withBreaks[i].BreakHours, 12);
        }
    }

    [Fact]
    public void Status_is_on_break_when_absent_inside_the_break_and_absent_outside_it()
    {
        var s = LunchScenario();
        var store = s.Store();
        WorkerStatus StatusAt(DateTime end) =>
            MetricsCalculator.Workers(store, s.Registry, MetricsScenario.Window(Utc(1, 21, 12, 0), end, Utc(1, 21, 14, 0)), "W1", DefaultUtc).Single().Status;

        Assert.Equal(WorkerStatus.Absent, StatusAt(Utc(1, 21, 12, 55)));
        Assert.Equal(WorkerStatus.OnBreak, StatusAt(Utc(1, 21, 13, 20)));
        Assert.Equal(WorkerStatus.Working, StatusAt(Utc(1, 21, 13, 32)));
        Assert.Equal(WorkerStatus.Absent, StatusAt(Utc(1, 21, 13, 20).AddHours(0.5)));
    }

    [Fact]
    public void Timeline_shows_the_absent_part_inside_the_break_as_on_break()
    {
        var s = LunchScenario();
        var window = MetricsScenario.Window(Utc(1, 21, 12, 0), Utc(1, 21, 14, 0));

        var segments = MetricsCalculator.Timeline(s.Store(), window, "W1", DefaultUtc, "Morning");

        Assert.Equal(
            [
                (Utc(1, 21, 12, 40), Utc(1, 21, 12, 45), WorkerStatus.Working),
                (Utc(1, 21, 12, 45), Utc(1, 21, 13, 0), WorkerStatus.Absent),
                (Utc(1, 21, 13, 0), Utc(1, 21, 13, 30), WorkerStatus.OnBreak),
                (Utc(1, 21, 13, 30), Utc(1, 21, 13, 45), WorkerStatus.Working),
                (Utc(1, 21, 13, 45), Utc(1, 21, 14, 0), WorkerStatus.Absent),
            ],
            segments.Select(x => (x.Start, x.End, x.State)));
    }

    [Fact]
    public void A_worker_whose_shift_is_not_in_the_calendar_has_no_breaks()
    {
        var s = LunchScenario();
        s.Registry = new RegistrySnapshot([new Worker { Id = "W1", Name = "A", Shift = "weekend" }], RegistrySeed.Workstations);
        var window = MetricsScenario.Window(Utc(1, 21, 12, 0), Utc(1, 21, 14, 0));

        var w = MetricsCalculator.Workers(s.Store(), s.Registry, window, "W1", DefaultUtc).Single();

        Assert.Equal(60, MetricsScenario.Minutes(w.AbsentHours));
        Assert.Equal(0, w.BreakHours);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Night_shift_across_the_spring_forward_night_is_seven_hours_long(bool rollups)
    {
        // 2026-03-28 22:00 CET (21:00Z) to 2026-03-29 06:00 CEST (04:00Z); the 02:00–02:30 meal does not exist that night.
        var s = new MetricsScenario();
        for (var t = Utc(3, 28, 20, 0); t < Utc(3, 29, 5, 0); t = t.AddMinutes(4))
        {
            s.State(t, "working", worker: "W6", station: "S5");
            s.Product(t.AddMinutes(1), 1, worker: "W6", station: "S5");
        }

        var night = MetricsScenario.Window(Utc(3, 28, 0, 0), Utc(3, 30, 0, 0), Utc(3, 30, 0, 0)) with { Shift = "night" };
        var store = s.Store(rollups);

        var w = MetricsCalculator.Workers(store, s.Registry, night, "W6", DefaultBerlin).Single();
        var f = MetricsCalculator.Factory(store, s.Registry, night, DefaultBerlin);
        var station = MetricsCalculator.Workstations(store, s.Registry, night, "S5", DefaultBerlin).Single();

        Assert.Equal(7 * 60, MetricsScenario.Minutes(w.WorkingHours));
        Assert.Equal(0, w.BreakHours);
        Assert.Equal(7 * 60 / 4, w.TotalUnitsProduced);
        Assert.Equal(7 * 60, MetricsScenario.Minutes(f.WorkingHours));
        Assert.Equal(7 * 60, MetricsScenario.Minutes(station.OccupancyHours));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Night_shift_across_the_fall_back_night_is_nine_hours_and_its_meal_break_is_half_an_hour(bool rollups)
    {
        // 2026-10-24 22:00 CEST (20:00Z) to 2026-10-25 06:00 CET (05:00Z); meal 02:00–02:30 at its first occurrence (00:00Z–00:30Z).
        var s = new MetricsScenario();
        for (var t = Utc(10, 24, 19, 0); t < Utc(10, 25, 6, 0); t = t.AddMinutes(4))
        {
            if (t <= Utc(10, 24, 23, 52) || t >= Utc(10, 25, 0, 40))
            {
                s.State(t, "working", worker: "W6", station: "S5");
            }
        }

        var night = MetricsScenario.Window(Utc(10, 24, 0, 0), Utc(10, 26, 0, 0), Utc(10, 26, 0, 0)) with { Shift = "NIGHT" };
        var store = s.Store(rollups);

        var w = MetricsCalculator.Workers(store, s.Registry, night, "W6", DefaultBerlin).Single();

        // Silent 23:52–00:40: working 23:52–23:57, absent 23:57–00:00 and 00:30–00:40, break 00:00–00:30.
        Assert.Equal(9 * 60 - 43, MetricsScenario.Minutes(w.WorkingHours));
        Assert.Equal(13, MetricsScenario.Minutes(w.AbsentHours));
        Assert.Equal(30, MetricsScenario.Minutes(w.BreakHours));
        var f = MetricsCalculator.Factory(store, s.Registry, night, DefaultBerlin);
        Assert.Equal(30, MetricsScenario.Minutes(f.BreakHours));
    }

    [Theory]
    [InlineData(1, 21, false)]
    [InlineData(3, 29, true)]
    [InlineData(10, 25, false)]
    [InlineData(10, 25, true)]
    public void Morning_evening_and_night_figures_add_up_to_the_local_day(int month, int day, bool rollups)
    {
        var dayStart = Berlin.Local(new DateTime(2026, month, day));
        var dayEnd = Berlin.Local(new DateTime(2026, month, day).AddDays(1));
        var breaks = 0.0;
        for (var seed = 0; seed < 6; seed++)
        {
            var s = new MetricsScenario();
            ShiftEvents.Add(s, new Random(seed * 31 + day), dayStart.AddHours(-3), dayEnd.AddHours(3));
            var store = s.Store(rollups);
            var now = dayEnd.AddHours(1);
            var whole = new MetricsWindow(dayStart, dayEnd, now);
            var parts = ShiftCalendar.Default.Shifts.Select(x => whole with { Shift = x.Name }).ToList();
            var context = $"{month}/{day} seed {seed}";

            var f = MetricsCalculator.Factory(store, s.Registry, whole, DefaultBerlin);
            var fs = parts.Select(p => MetricsCalculator.Factory(store, s.Registry, p, DefaultBerlin)).ToList();
            Assert.True(f.WorkingHours > 1, context);
            breaks += f.BreakHours;
            Assert.Equal(f.WorkingHours, fs.Sum(x => x.WorkingHours), 9);
            Assert.Equal(f.IdleHours, fs.Sum(x => x.IdleHours), 9);
            Assert.Equal(f.AbsentHours, fs.Sum(x => x.AbsentHours), 9);
            Assert.Equal(f.BreakHours, fs.Sum(x => x.BreakHours), 9);
            Assert.Equal(f.TrackedHours, fs.Sum(x => x.TrackedHours), 9);
            Assert.Equal(f.TotalUnitsProduced, fs.Sum(x => x.TotalUnitsProduced));
            Assert.Equal(f.EventsInWindow, fs.Sum(x => x.EventsInWindow));
            Assert.Equal(f.LowConfidenceEvents, fs.Sum(x => x.LowConfidenceEvents));
            Assert.All(fs, x => Assert.Equal(f.ActiveWorkers, x.ActiveWorkers));

            var workers = MetricsCalculator.Workers(store, s.Registry, whole, null, DefaultBerlin);
            var perShift = parts.Select(p => MetricsCalculator.Workers(store, s.Registry, p, null, DefaultBerlin)).ToList();
            for (var i = 0; i < workers.Count; i++)
            {
                Assert.Equal(workers[i].WorkingHours, perShift.Sum(x => x[i].WorkingHours), 9);
                Assert.Equal(workers[i].AbsentHours, perShift.Sum(x => x[i].AbsentHours), 9);
                Assert.Equal(workers[i].BreakHours, perShift.Sum(x => x[i].BreakHours), 9);
                Assert.Equal(workers[i].TotalUnitsProduced, perShift.Sum(x => x[i].TotalUnitsProduced));
                Assert.All(perShift, x => Assert.Equal((workers[i].Status, workers[i].LastSeen), (x[i].Status, x[i].LastSeen)));
            }

            var stations = MetricsCalculator.Workstations(store, s.Registry, whole, null, DefaultBerlin);
            var stationShifts = parts.Select(p => MetricsCalculator.Workstations(store, s.Registry, p, null, DefaultBerlin)).ToList();
            for (var i = 0; i < stations.Count; i++)
            {
                Assert.Equal(stations[i].OccupancyHours, stationShifts.Sum(x => x[i].OccupancyHours), 9);
                Assert.Equal(stations[i].WorkingHours, stationShifts.Sum(x => x[i].WorkingHours), 9);
                Assert.Equal(stations[i].TotalUnitsProduced, stationShifts.Sum(x => x[i].TotalUnitsProduced));
            }

            var hourly = MetricsCalculator.Timeseries(store, s.Registry, whole, BucketSize.Hour, Berlin, null, null, DefaultBerlin);
            var hourlyShifts = parts.Select(p => MetricsCalculator.Timeseries(store, s.Registry, p, BucketSize.Hour, Berlin, null, null, DefaultBerlin)).ToList();
            Assert.Equal((dayEnd - dayStart).TotalHours, hourly.Count);
            for (var b = 0; b < hourly.Count; b++)
            {
                Assert.Equal(hourly[b].WorkingHours, hourlyShifts.Sum(x => x[b].WorkingHours), 9);
                Assert.Equal(hourly[b].AbsentHours, hourlyShifts.Sum(x => x[b].AbsentHours), 9);
                Assert.Equal(hourly[b].BreakHours, hourlyShifts.Sum(x => x[b].BreakHours), 9);
                Assert.Equal(hourly[b].Units, hourlyShifts.Sum(x => x[b].Units));
            }

            Assert.Equal(f.BreakHours, hourly.Sum(x => x.BreakHours), 9);
        }

        Assert.True(breaks > 0, "the random days must contain break time for the sums to mean something");
    }

    [Fact]
    public void Fast_path_equals_naive_recomputation_with_the_calendar_on()
    {
        // Shifts and breaks placed inside the random events' span (2026-01-20 22:00Z – 2026-01-21 10:00Z), Berlin time.
        var calendar = new ShiftCalendar(true,
        [
            new("early", new(23, 0), new(5, 0), [new("tea", new(23, 50), new(0, 30)), new("meal", new(2, 40), new(3, 10))]),
            new("late", new(5, 0), new(23, 0), [new("coffee", new(6, 0), new(6, 20)), new("lunch", new(8, 5), new(9, 0))]),
        ]);
        Assert.Empty(calendar.Validate());
        var schedule = new ShiftSchedule(calendar, Berlin);
        var registry = new RegistrySnapshot(
        [
            new Worker { Id = "W1", Name = "A", Shift = "early" },
            new Worker { Id = "W2", Name = "B", Shift = "late" },
            new Worker { Id = "W3", Name = "C", Shift = "EARLY" },
            new Worker { Id = "W4", Name = "D", Shift = "weekend" },
        ], RegistrySeed.Workstations);
        var rules = new MetricRules(new MetricsOptions(), ["bad"]);

        for (var seed = 3000; seed < 3060; seed++)
        {
            var rng = new Random(seed);
            var received = RandomEvents.Receive(rng, RandomEvents.Generate(rng), lateShare: 0.3);
            var fast = new MetricsStore(rules, useRollups: true);
            var position = 0;
            while (position < received.Count)
            {
                var batch = rng.Next(1, 80);
                foreach (var e in received.Skip(position).Take(batch))
                {
                    fast.Add(e);
                }

                position += batch;
                fast.FlushRollups();
                if (rng.NextDouble() < 0.2 || position >= received.Count)
                {
                    var naive = new MetricsStore(rules, useRollups: false);
                    foreach (var e in received.Take(position))
                    {
                        naive.Add(e);
                    }

                    var clock = received[Math.Min(position, received.Count) - 1].ReceivedAt;
                    for (var i = 0; i < 3; i++)
                    {
                        var now = RandomEvents.Between(rng, clock, clock.AddMinutes(90));
                        var start = RandomEvents.Between(rng, RandomEvents.Base.AddHours(-1), now);
                        var end = i == 0 ? now : RandomEvents.Between(rng, start.AddTicks(1), now);
                        string? shift = ((i + seed) % 3) switch { 0 => null, 1 => "early", _ => "late" };
                        var window = new MetricsWindow(start, end, now) { Shift = shift };
                        var context = $"seed {seed}, window {start:O} – {end:O}, now {now:O}, shift {shift}";

                        Assert.True(MetricsCalculator.Workers(naive, registry, window, null, schedule)
                            .SequenceEqual(MetricsCalculator.Workers(fast, registry, window, null, schedule)), context);
                        Assert.True(MetricsCalculator.Workstations(naive, registry, window, null, schedule)
                            .SequenceEqual(MetricsCalculator.Workstations(fast, registry, window, null, schedule)), context);
                        Assert.Equal(MetricsCalculator.Factory(naive, registry, window, schedule), MetricsCalculator.Factory(fast, registry, window, schedule));
                        Assert.True(MetricsCalculator.Timeseries(naive, registry, window, BucketSize.Hour, Berlin, null, null, schedule)
                            .SequenceEqual(MetricsCalculator.Timeseries(fast, registry, window, BucketSize.Hour, Berlin, null, null, schedule)), context);
                        Assert.True(MetricsCalculator.Timeseries(naive, registry, window, BucketSize.Hour, Berlin, null, "S2", schedule)
                            .SequenceEqual(MetricsCalculator.Timeseries(fast, registry, window, BucketSize.Hour, Berlin, null, "S2", schedule)), context);
                        Assert.True(MetricsCalculator.Timeseries(naive, registry, window, BucketSize.Day, Berlin, "W1", null, schedule)
                            .SequenceEqual(MetricsCalculator.Timeseries(fast, registry, window, BucketSize.Day, Berlin, "W1", null, schedule)), context);
                        Assert.True(MetricsCalculator.Timeline(naive, window, "W3", schedule, "EARLY")
                            .SequenceEqual(MetricsCalculator.Timeline(fast, window, "W3", schedule, "EARLY")), context);
                    }
                }
            }
        }
    }

    [Fact]
    public void The_random_events_do_produce_break_time_so_the_equivalence_test_can_fail()
    {
        var calendar = new ShiftCalendar(true, [new("early", new(23, 0), new(5, 0), [new("tea", new(23, 50), new(0, 30))])]);
        var registry = new RegistrySnapshot([new Worker { Id = "W1", Name = "A", Shift = "early" }], RegistrySeed.Workstations);
        var total = 0.0;
        for (var seed = 3000; seed < 3020; seed++)
        {
            var rng = new Random(seed);
            var store = new MetricsStore(new MetricRules(new MetricsOptions()), useRollups: true);
            foreach (var e in RandomEvents.Receive(rng, RandomEvents.Generate(rng)))
            {
                store.Add(e);
            }

            var window = new MetricsWindow(RandomEvents.Base, RandomEvents.End, RandomEvents.End);
            total += MetricsCalculator.Factory(store, registry, window, new ShiftSchedule(calendar, Berlin)).BreakHours;
        }

        Assert.True(total > 0.5, $"break hours over 20 seeds: {total}");
    }

    [Fact]
    public void An_unknown_shift_or_any_shift_with_calendars_off_is_refused()
    {
        var s = LunchScenario();
        var window = MetricsScenario.Window(Utc(1, 21, 12, 0), Utc(1, 21, 14, 0)) with { Shift = "weekend" };

        var unknown = Assert.Throws<UnknownShiftException>(() => MetricsCalculator.Factory(s.Store(), s.Registry, window, DefaultUtc));
        Assert.Contains("morning, evening, night", unknown.Message);
        var off = Assert.Throws<UnknownShiftException>(() => MetricsCalculator.Factory(s.Store(), s.Registry, window with { Shift = "morning" }));
        Assert.Contains("calendars are switched off", off.Message);
    }
}

/// <summary>Random sightings of all six registry workers over a span: working, idle and absent re-asserts, silences of every length, products.</summary>
internal static class ShiftEvents
{
    private static readonly string[] States = ["working", "working", "working", "idle", "absent"];

    public static void Add(MetricsScenario s, Random rng, DateTime from, DateTime to)
    {
        var events = new List<(DateTime At, string Worker, string Station, string Type, int Count, double Confidence)>();
        foreach (var worker in RegistrySeed.Workers)
        {
            var station = $"S{rng.Next(1, 7)}";
            for (var t = from.AddSeconds(rng.Next(0, 600)); t < to;)
            {
                var confidence = rng.NextDouble() < 0.05 ? 0.4 : 0.9;
                events.Add((t, worker.Id, station, States[rng.Next(States.Length)], 0, confidence));
                if (rng.NextDouble() < 0.3)
                {
                    events.Add((t.AddSeconds(rng.Next(1, 60)), worker.Id, station, "product_count", rng.Next(1, 4), 0.9));
                }

                var r = rng.NextDouble();
                t = t.AddSeconds(r < 0.75 ? rng.Next(30, 280) : r < 0.9 ? rng.Next(300, 3000) : rng.Next(3000, 9000));
            }
        }

        foreach (var e in events.OrderBy(e => e.At))
        {
            if (e.Type == "product_count")
            {
                s.Product(e.At, e.Count, e.Worker, e.Station, e.Confidence);
            }
            else
            {
                s.State(e.At, e.Type, e.Worker, e.Station, e.Confidence);
            }
        }
    }

    /// <summary>The UTC instant of a local midnight (unambiguous on every day used here).</summary>
    public static DateTime Local(this TimeZoneInfo zone, DateTime local) =>
        TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
}
