using Factory.Core.Metrics;
using Factory.Core.Time;
using Factory.Web.Dashboard;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Factory.Tests.Components;

public sealed class TimeRangeTests
{
    // 15:00 UTC is 16:00 in Berlin (UTC+1 in January).
    private readonly FactoryClock _clock = new(new FakeTimeProvider(DashboardTestContext.Now), Options.Create(new FactoryOptions { TimeZone = "Europe/Berlin" }));

    [Fact]
    public void Live_shift_starts_at_the_current_shift_start_in_factory_time()
    {
        var (start, end) = TimeRange.Parse("shift", null, null).Resolve(_clock);
        Assert.Equal(new DateTime(2026, 1, 21, 13, 0, 0, DateTimeKind.Utc), start); // 14:00 Berlin
        Assert.Equal(DashboardTestContext.Now.UtcDateTime, end);
    }

    [Fact]
    public void Today_starts_at_local_midnight()
    {
        var (start, _) = TimeRange.Parse("today", null, null).Resolve(_clock);
        Assert.Equal(new DateTime(2026, 1, 20, 23, 0, 0, DateTimeKind.Utc), start);
    }

    [Fact]
    public void Night_shift_before_six_started_the_evening_before()
    {
        var clock = new FactoryClock(new FakeTimeProvider(new DateTimeOffset(2026, 1, 21, 3, 0, 0, TimeSpan.Zero)), Options.Create(new FactoryOptions { TimeZone = "UTC" }));
        Assert.Equal(new DateTime(2026, 1, 20, 22, 0, 0, DateTimeKind.Utc), TimeRange.CurrentShiftStart(clock));
    }

    [Fact]
    public void Seven_days_uses_daily_buckets_and_a_day_uses_hourly_ones()
    {
        Assert.Equal(BucketSize.Day, TimeRange.Parse("7d", null, null).Bucket(_clock));
        Assert.Equal(BucketSize.Hour, TimeRange.Parse("24h", null, null).Bucket(_clock));
        var (start, end) = TimeRange.Parse("7d", null, null).Resolve(_clock);
        Assert.Equal(TimeSpan.FromDays(7), end - start);
    }

    [Fact]
    public void Custom_range_round_trips_through_the_query_string()
    {
        var range = TimeRange.Parse("custom", "2026-01-19T06:00+01:00", "2026-01-20T06:00+01:00");
        Assert.Equal(RangeKind.Custom, range.Kind);
        Assert.False(range.IsLive);
        var (start, end) = range.Resolve(_clock);
        Assert.Equal(new DateTime(2026, 1, 19, 5, 0, 0, DateTimeKind.Utc), start);
        Assert.Equal(new DateTime(2026, 1, 20, 5, 0, 0, DateTimeKind.Utc), end);

        var query = range.ToQuery();
        var again = TimeRange.Parse((string?)query["range"], (string?)query["from"], (string?)query["to"]);
        Assert.Equal(range.Resolve(_clock), again.Resolve(_clock));
    }

    [Theory]
    [InlineData("custom", "2026-01-19T06:00", null)]
    [InlineData("custom", "2026-01-20T06:00Z", "2026-01-19T06:00Z")]
    [InlineData("bogus", null, null)]
    [InlineData(null, null, null)]
    public void Unreadable_ranges_fall_back_to_the_last_24_hours(string? kind, string? from, string? to) =>
        Assert.Equal(RangeKind.Last24Hours, TimeRange.Parse(kind, from, to).Kind);

    [Fact]
    public void Local_times_skipped_by_daylight_saving_move_forward()
    {
        // 2026-03-29 02:30 does not exist in Berlin; 03:00 CEST is 01:00 UTC.
        Assert.Equal(new DateTime(2026, 3, 29, 1, 0, 0, DateTimeKind.Utc), _clock.LocalToUtc(new DateTime(2026, 3, 29, 2, 30, 0)));
    }
}
