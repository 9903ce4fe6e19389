using Factory.Core.Metrics;
using static Factory.Tests.Core.Metrics.MetricsScenario;

namespace Factory.Tests.Core.Metrics;

public sealed class WorkerTimelineRuleTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Worker_last_seen_working_20_minutes_ago_has_5_minutes_working_and_15_absent(bool rollups)
    {
        var s = new MetricsScenario().State(T0, "working");
        var now = T0.AddMinutes(20);

        var w = s.Worker(Window(T0.AddHours(-1), now), rollups: rollups);

        Assert.Equal(5, Minutes(w.WorkingHours));
        Assert.Equal(0, w.IdleHours);
        Assert.Equal(15, Minutes(w.AbsentHours));
        Assert.Equal(20, Minutes(w.TrackedHours));
        Assert.Equal(25, w.UtilizationPercentage, 9);
        Assert.Equal(WorkerStatus.Absent, w.Status);
        Assert.Equal(T0, w.LastSeen);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Worker_last_seen_working_3_hours_ago_has_5_minutes_working_and_nothing_else(bool rollups)
    {
        var s = new MetricsScenario().State(T0, "working");
        var now = T0.AddHours(3);

        var w = s.Worker(Window(T0.AddHours(-1), now), rollups: rollups);

        Assert.Equal(5, Minutes(w.WorkingHours));
        Assert.Equal(0, w.AbsentHours);
        Assert.Equal(5, Minutes(w.TrackedHours));
        Assert.Equal(100, w.UtilizationPercentage, 9);
        Assert.Equal(WorkerStatus.OffShift, w.Status);
    }

    [Fact]
    public void Segment_of_exactly_the_off_shift_gap_is_absent_after_the_timeout_and_one_tick_longer_is_off_shift()
    {
        var atGap = new MetricsScenario().State(T0, "idle").State(T0.AddMinutes(60), "working");
        var overGap = new MetricsScenario().State(T0, "idle").State(T0.AddMinutes(60).AddTicks(1), "working");
        var window = Window(T0, T0.AddMinutes(60));

        var a = atGap.Worker(window);
        var b = overGap.Worker(window);

        Assert.Equal(5, Minutes(a.IdleHours));
        Assert.Equal(55, Minutes(a.AbsentHours));
        Assert.Equal(5, Minutes(b.IdleHours));
        Assert.Equal(0, b.AbsentHours);
    }

    [Fact]
    public void Re_asserted_state_counts_fully_and_absent_event_counts_as_absent()
    {
        var s = new MetricsScenario()
            .State(T0, "working").State(T0.AddMinutes(4), "working").State(T0.AddMinutes(8), "idle")
            .State(T0.AddMinutes(10), "absent").State(T0.AddMinutes(20), "working");
        var w = s.Worker(Window(T0, T0.AddMinutes(20)));

        Assert.Equal(8, Minutes(w.WorkingHours));
        Assert.Equal(2, Minutes(w.IdleHours));
        Assert.Equal(10, Minutes(w.AbsentHours));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void State_before_the_window_is_carried_forward_into_it(bool rollups)
    {
        // working 09:58 -> idle 10:02 -> nothing until now 10:30
        var s = new MetricsScenario().State(T0.AddMinutes(-2), "working").State(T0.AddMinutes(2), "idle");
        var now = T0.AddMinutes(30);

        var w = s.Worker(Window(T0, now), rollups: rollups);

        Assert.Equal(2, Minutes(w.WorkingHours));
        Assert.Equal(5, Minutes(w.IdleHours));
        Assert.Equal(23, Minutes(w.AbsentHours));
    }

    [Fact]
    public void Classification_is_on_the_whole_segment_before_clipping()
    {
        // One 90-minute silence: 5 min working, then off-shift; a window that sees only minutes 20-30 gets nothing.
        var s = new MetricsScenario().State(T0, "working").State(T0.AddMinutes(90), "working");
        var w = s.Worker(Window(T0.AddMinutes(20), T0.AddMinutes(30), T0.AddHours(3)));

        Assert.Equal(0, w.TrackedHours);
    }

    [Fact]
    public void Of_two_states_at_the_same_timestamp_the_later_received_wins()
    {
        var idleLast = new MetricsScenario().State(T0.AddMinutes(-2), "working")
            .State(T0, "working", station: "S1").State(T0, "idle", station: "S2");
        var workingLast = new MetricsScenario().State(T0.AddMinutes(-2), "working")
            .State(T0, "idle", station: "S2").State(T0, "working", station: "S1");
        var window = Window(T0.AddMinutes(-2), T0.AddMinutes(5));

        var a = idleLast.Worker(window);
        var b = workingLast.Worker(window);

        // The earlier-received one has zero duration and does not end the 09:58 segment early.
        Assert.Equal(2, Minutes(a.WorkingHours));
        Assert.Equal(5, Minutes(a.IdleHours));
        Assert.Equal(7, Minutes(b.WorkingHours));
        Assert.Equal(0, b.IdleHours);
        Assert.Equal(5, Minutes(idleLast.Station(window, "S2").OccupancyHours));
        Assert.Equal(2, Minutes(idleLast.Station(window, "S1").OccupancyHours));
    }

    [Fact]
    public void Low_confidence_and_excluded_model_events_are_ignored_but_counted_as_stored_events()
    {
        var s = new MetricsScenario()
            .State(T0, "working")
            .State(T0.AddMinutes(1), "idle", confidence: 0.69)
            .State(T0.AddMinutes(2), "idle", model: "bad-model")
            .State(T0.AddMinutes(3), "working")
            .Product(T0.AddMinutes(3), 7, confidence: 0.5)
            .Product(T0.AddMinutes(4), 9, model: "bad-model")
            .Product(T0.AddMinutes(4).AddSeconds(1), 2);
        s.ExcludedModels.Add("bad-model");
        var window = Window(T0, T0.AddMinutes(6));

        var w = s.Worker(window);
        var f = s.Factory(window);

        Assert.Equal(6, Minutes(w.WorkingHours));
        Assert.Equal(0, w.IdleHours);
        Assert.Equal(2, w.TotalUnitsProduced);
        Assert.Equal(7, f.EventsInWindow);
        Assert.Equal(2, f.LowConfidenceEvents);
    }

    [Fact]
    public void Minimum_confidence_itself_is_valid()
    {
        var s = new MetricsScenario().State(T0, "working", confidence: 0.7);
        Assert.Equal(5, Minutes(s.Worker(Window(T0, T0.AddMinutes(5))).WorkingHours));
    }

    [Fact]
    public void Units_are_counted_at_the_product_events_own_station_and_only_inside_the_window()
    {
        var s = new MetricsScenario()
            .State(T0, "working", station: "S1")
            .Product(T0.AddMinutes(1), 3, station: "S2")
            .Product(T0.AddMinutes(2), 4, station: "S1")
            .Product(T0.AddMinutes(5), 100, station: "S1");
        var window = Window(T0, T0.AddMinutes(5));

        Assert.Equal(7, s.Worker(window).TotalUnitsProduced);
        Assert.Equal(84, s.Worker(window).UnitsPerHour, 9);
        Assert.Equal(4, s.Station(window, "S1").TotalUnitsProduced);
        Assert.Equal(3, s.Station(window, "S2").TotalUnitsProduced);
        Assert.Equal(0, s.Station(window, "S2").ThroughputPerHour);
        Assert.Equal(48, s.Station(window, "S1").ThroughputPerHour, 9);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Overlapping_workers_at_one_station_count_once_in_occupancy(bool rollups)
    {
        var s = new MetricsScenario()
            .State(T0, "working", "W1").State(T0.AddMinutes(4), "working", "W1").State(T0.AddMinutes(8), "absent", "W1")
            .State(T0.AddMinutes(2), "idle", "W2").State(T0.AddMinutes(6), "idle", "W2").State(T0.AddMinutes(12), "absent", "W2");
        var window = Window(T0, T0.AddHours(2));

        var station = s.Station(window, rollups: rollups);
        var factory = s.Factory(window, rollups);

        Assert.Equal(11, Minutes(station.OccupancyHours));
        Assert.Equal(8, Minutes(station.WorkingHours));
        Assert.Equal(8 * 100.0 / 11, station.UtilizationPercentage, 9);
        Assert.Equal(11 * 100.0 / 120, station.OccupancyPercentage, 9);
        Assert.Equal(8, Minutes(factory.WorkingHours));
        Assert.Equal(9, Minutes(factory.IdleHours));
        Assert.Equal(1 + 5 + 5, Minutes(factory.AbsentHours));
    }

    [Fact]
    public void Factory_utilization_is_time_weighted_not_a_mean_of_percentages()
    {
        // W1: 60 min working (100 %); W2: 5 min idle, then off-shift (0 %). Mean of percentages would be 50 %.
        var s = new MetricsScenario().State(T0, "idle", "W2", "S2").State(T0.AddHours(2), "idle", "W2", "S2");
        for (var m = 0; m <= 60; m += 5)
        {
            s.State(T0.AddMinutes(m), "working", "W1");
        }

        var f = s.Factory(Window(T0, T0.AddMinutes(60)));

        Assert.Equal(60, Minutes(f.WorkingHours));
        Assert.Equal(5, Minutes(f.IdleHours));
        Assert.Equal(65, Minutes(f.TrackedHours));
        Assert.Equal(60 * 100.0 / 65, f.UtilizationPercentage, 9);
    }

    [Fact]
    public void Status_thresholds_are_inclusive_and_use_only_events_strictly_before_the_instant()
    {
        static WorkerStatus StatusAfter(TimeSpan age, string type = "working")
        {
            var s = new MetricsScenario().State(T0, type);
            var at = T0 + age;
            return s.Worker(Window(at.AddHours(-1), at)).Status;
        }

        Assert.Equal(WorkerStatus.OffShift, StatusAfter(TimeSpan.Zero));
        Assert.Equal(WorkerStatus.Working, StatusAfter(TimeSpan.FromTicks(1)));
        Assert.Equal(WorkerStatus.Working, StatusAfter(TimeSpan.FromMinutes(5)));
        Assert.Equal(WorkerStatus.Idle, StatusAfter(TimeSpan.FromMinutes(5), "idle"));
        Assert.Equal(WorkerStatus.Absent, StatusAfter(TimeSpan.FromMinutes(5).Add(TimeSpan.FromTicks(1))));
        Assert.Equal(WorkerStatus.Absent, StatusAfter(TimeSpan.FromMinutes(60)));
        Assert.Equal(WorkerStatus.OffShift, StatusAfter(TimeSpan.FromMinutes(60).Add(TimeSpan.FromTicks(1))));
        Assert.Equal(WorkerStatus.OffShift, new MetricsScenario().Worker(Window(T0, T0.AddHours(1))).Status);
    }

    [Fact]
    public void Active_workers_are_counted_at_the_station_of_the_event_giving_the_status()
    {
        var s = new MetricsScenario()
            .State(T0, "working", "W1", "S1").State(T0.AddMinutes(1), "idle", "W1", "S3")
            .State(T0.AddMinutes(1), "working", "W2", "S3")
            .State(T0, "working", "W3", "S3").State(T0.AddMinutes(1), "absent", "W3", "S3")
            .State(T0.AddMinutes(-30), "working", "W4", "S1");
        var window = Window(T0.AddHours(-1), T0.AddMinutes(3));

        var stations = MetricsCalculator.Workstations(s.Store(), s.Registry, window, null);

        Assert.Equal(0, stations.Single(x => x.WorkstationId == "S1").ActiveWorkers);
        Assert.Equal(2, stations.Single(x => x.WorkstationId == "S3").ActiveWorkers);
        Assert.Equal(2, s.Factory(window).ActiveWorkers);
    }

    [Fact]
    public void Last_seen_is_the_latest_valid_event_before_the_end_not_limited_to_the_window()
    {
        var s = new MetricsScenario()
            .State(T0.AddDays(-3), "working")
            .Product(T0.AddDays(-2), 1)
            .State(T0.AddDays(-1), "idle", confidence: 0.1)
            .State(T0.AddHours(1), "working");

        var w = s.Worker(Window(T0, T0.AddHours(1)));

        Assert.Equal(T0.AddDays(-2), w.LastSeen);
        Assert.Null(new MetricsScenario().Worker(Window(T0, T0.AddHours(1))).LastSeen);
    }

    [Fact]
    public void Empty_data_gives_zeros_for_every_registered_entry()
    {
        var s = new MetricsScenario();
        var window = Window(T0, T0.AddHours(8));
        var store = s.Store(rollups: true);

        var workers = MetricsCalculator.Workers(store, s.Registry, window, null);
        var stations = MetricsCalculator.Workstations(store, s.Registry, window, null);
        var f = MetricsCalculator.Factory(store, s.Registry, window);

        Assert.Equal(6, workers.Count);
        Assert.All(workers, w =>
        {
            Assert.Equal(0, w.TrackedHours);
            Assert.Equal(0, w.UtilizationPercentage);
            Assert.Equal(0, w.UnitsPerHour);
            Assert.Equal(WorkerStatus.OffShift, w.Status);
        });
        Assert.Equal(6, stations.Count);
        Assert.All(stations, x => Assert.Equal((0.0, 0.0, 0.0, 0.0), (x.OccupancyHours, x.UtilizationPercentage, x.OccupancyPercentage, x.ThroughputPerHour)));
        Assert.Equal((0.0, 0.0, 0L, 0L, 6, 6), (f.TrackedHours, f.UtilizationPercentage, f.TotalUnitsProduced, f.EventsInWindow, f.TotalWorkers, f.TotalWorkstations));
    }

    [Fact]
    public void Gantt_timeline_merges_re_asserted_states_and_shows_off_shift()
    {
        var s = new MetricsScenario()
            .State(T0, "working").State(T0.AddMinutes(2), "working").State(T0.AddMinutes(4), "idle")
            .State(T0.AddHours(2), "working", station: "S2");
        var window = Window(T0, T0.AddHours(2).AddMinutes(1));

        var segments = MetricsCalculator.Timeline(s.Store(), window, "W1");

        Assert.Equal(
        [
            new TimelineSegment(T0, T0.AddMinutes(4), WorkerStatus.Working, "S1"),
            new TimelineSegment(T0.AddMinutes(4), T0.AddMinutes(9), WorkerStatus.Idle, "S1"),
            new TimelineSegment(T0.AddMinutes(9), T0.AddHours(2), WorkerStatus.OffShift, "S1"),
            new TimelineSegment(T0.AddHours(2), T0.AddHours(2).AddMinutes(1), WorkerStatus.Working, "S2"),
        ], segments);
    }
}
