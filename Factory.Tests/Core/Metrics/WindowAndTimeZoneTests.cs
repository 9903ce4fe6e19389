using Factory.Core.Metrics;
using Factory.Core.Registry;
using Factory.Core.Time;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static Factory.Tests.Core.Metrics.MetricsScenario;

namespace Factory.Tests.Core.Metrics;

public sealed class WindowAndTimeZoneTests
{
    private static MetricsService Service(DateTime now)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(now));
        return new MetricsService(null!, null!, null!, time, Options.Create(new MetricsOptions()), Options.Create(new FactoryOptions()), null!);
    }

    [Fact]
    public void Window_defaults_to_the_last_24_hours_and_is_clipped_to_now()
    {
        var now = T0;
        var service = Service(now);

        Assert.Equal(new MetricsWindow(now.AddHours(-24), now, now) { Live = true }, service.ResolveWindow(null, null, null));
        Assert.Equal(new MetricsWindow(now.AddHours(-1), now, now) { Live = true }, service.ResolveWindow(now.AddHours(-1), now.AddHours(5), null));
        Assert.Equal(new MetricsWindow(now.AddHours(-25), now.AddHours(-1), now) { Live = true }, service.ResolveWindow(null, now.AddHours(-1), null));
    }

    [Fact]
    public void Window_of_the_present_is_live_and_a_past_as_of_is_not()
    {
        var service = Service(T0);

        Assert.True(service.ResolveWindow(null, null, null).Live);
        Assert.True(service.ResolveWindow(null, null, T0.AddHours(1)).Live);
        Assert.False(service.ResolveWindow(null, null, T0.AddSeconds(-1)).Live);
    }

    [Fact]
    public void As_of_becomes_now_and_cannot_lie_in_the_future()
    {
        var service = Service(T0);

        Assert.Equal(new MetricsWindow(T0.AddHours(-26), T0.AddHours(-2), T0.AddHours(-2)), service.ResolveWindow(null, null, T0.AddHours(-2)));
        Assert.Equal(T0, service.ResolveWindow(null, null, T0.AddHours(2)).AsOf);
    }

    [Fact]
    public void Window_ending_in_the_future_equals_the_window_ending_now()
    {
        var s = new MetricsScenario().State(T0.AddMinutes(-10), "working").State(T0.AddMinutes(-3), "idle").Product(T0.AddMinutes(-1), 4);
        var service = Service(T0);

        var future = s.Worker(service.ResolveWindow(T0.AddHours(-1), T0.AddHours(3), null), rollups: true);
        var now = s.Worker(Window(T0.AddHours(-1), T0));

        Assert.Equal(now, future);
        Assert.Equal(5, Minutes(future.WorkingHours));
        Assert.Equal(3, Minutes(future.IdleHours));
        Assert.Equal(WorkerStatus.Idle, future.Status);
    }

    [Fact]
    public void Window_wholly_in_the_future_yields_zeros()
    {
        var s = new MetricsScenario().State(T0.AddMinutes(-1), "working").Product(T0.AddMinutes(2), 5);
        var window = Service(T0).ResolveWindow(T0.AddHours(1), T0.AddHours(2), null);

        var w = s.Worker(window, rollups: true);
        var st = s.Station(window, rollups: true);
        var f = s.Factory(window, rollups: true);

        Assert.Equal((0.0, 0L, 0.0), (w.TrackedHours, w.TotalUnitsProduced, w.UtilizationPercentage));
        Assert.Equal((0.0, 0.0, 0L), (st.OccupancyHours, st.OccupancyPercentage, st.TotalUnitsProduced));
        Assert.Equal((0.0, 0L, 0L), (f.TrackedHours, f.TotalUnitsProduced, f.EventsInWindow));
        Assert.Empty(MetricsCalculator.Timeseries(s.Store(), s.Registry, window, BucketSize.Hour, TimeZoneInfo.Utc, null, null));
    }

    [Theory]
    [InlineData("2026-03-29", 23)]
    [InlineData("2026-10-25", 25)]
    [InlineData("2026-01-21", 24)]
    public void Daylight_saving_day_in_Berlin_has_its_real_number_of_hourly_buckets_and_hours(string day, int hours)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var localMidnight = DateTime.Parse(day, System.Globalization.CultureInfo.InvariantCulture);
        var start = Factory.Core.Time.WallClock.ToUtc(localMidnight, zone);
        var end = Factory.Core.Time.WallClock.ToUtc(localMidnight.AddDays(1), zone);
        var s = new MetricsScenario();
        for (var t = start.AddHours(-1); t <= end.AddHours(1); t = t.AddMinutes(4))
        {
            s.State(t, "working");
        }

        var store = s.Store(rollups: true);
        var window = Window(start, end, end.AddHours(2));

        var hourly = MetricsCalculator.Timeseries(store, s.Registry, window, BucketSize.Hour, zone, "W1", null);
        var daily = MetricsCalculator.Timeseries(store, s.Registry, window, BucketSize.Day, zone, null, null);

        Assert.Equal(hours, hourly.Count);
        Assert.Equal(hours, end.Subtract(start).TotalHours);
        Assert.All(hourly, b => Assert.Equal(1.0, b.WorkingHours, 12));
        Assert.Equal(hourly.Select(b => b.LocalStart).Distinct().Count(), hourly.Count);
        var only = Assert.Single(daily);
        Assert.Equal((start, end), (only.Start, only.End));
        Assert.Equal(hours, only.WorkingHours, 9);
        Assert.Equal(0, only.LocalStart.Hour);
    }

    [Fact]
    public void Daily_buckets_across_a_daylight_saving_change_start_at_local_midnight()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var start = new DateTime(2026, 10, 24, 10, 0, 0, DateTimeKind.Utc);
        var buckets = TimeBuckets.Cover(start, start.AddDays(2), BucketSize.Day, zone);

        Assert.Equal(
        [
            (new DateTime(2026, 10, 23, 22, 0, 0, DateTimeKind.Utc), new DateTime(2026, 10, 24, 22, 0, 0, DateTimeKind.Utc)),
            (new DateTime(2026, 10, 24, 22, 0, 0, DateTimeKind.Utc), new DateTime(2026, 10, 25, 23, 0, 0, DateTimeKind.Utc)),
            (new DateTime(2026, 10, 25, 23, 0, 0, DateTimeKind.Utc), new DateTime(2026, 10, 26, 23, 0, 0, DateTimeKind.Utc)),
        ], buckets);
    }

    [Fact]
    public void Hourly_buckets_follow_half_hour_offsets()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata");
        var start = new DateTime(2026, 1, 21, 10, 0, 0, DateTimeKind.Utc);

        var buckets = TimeBuckets.Cover(start, start.AddHours(2), BucketSize.Hour, zone);

        Assert.Equal(new DateTime(2026, 1, 21, 9, 30, 0, DateTimeKind.Utc), buckets[0].Start);
        Assert.Equal(3, buckets.Count);
    }

    [Fact]
    public void Timeseries_edge_buckets_count_only_the_part_inside_the_window_and_sum_to_the_window()
    {
        var s = new MetricsScenario();
        for (var t = T0.AddHours(-3); t < T0.AddHours(3); t = t.AddMinutes(3))
        {
            s.State(t, "working", "W1").State(t.AddMinutes(1), "idle", "W2", "S2").Product(t, 1, "W1");
        }

        var window = Window(T0.AddMinutes(-90), T0.AddMinutes(75), T0.AddHours(4));
        var store = s.Store(rollups: true);

        var buckets = MetricsCalculator.Timeseries(store, s.Registry, window, BucketSize.Hour, TimeZoneInfo.Utc, null, null);
        var factory = MetricsCalculator.Factory(store, s.Registry, window);

        Assert.Equal(4, buckets.Count);
        Assert.Equal(T0.AddHours(-2), buckets[0].Start);
        Assert.Equal(0.5, buckets[0].WorkingHours, 9);
        Assert.Equal(factory.WorkingHours, buckets.Sum(b => b.WorkingHours), 9);
        Assert.Equal(factory.IdleHours, buckets.Sum(b => b.IdleHours), 9);
        Assert.Equal(factory.TotalUnitsProduced, buckets.Sum(b => b.Units));
        var s2 = MetricsCalculator.Timeseries(store, s.Registry, window, BucketSize.Hour, TimeZoneInfo.Utc, null, "S2");
        Assert.Equal(0, s2.Sum(b => b.WorkingHours));
        Assert.Equal(factory.IdleHours, s2.Sum(b => b.IdleHours), 9);
    }
}
