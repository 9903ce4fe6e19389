using System.Globalization;
using Bunit;
using Factory.Core.Metrics;
using Factory.Web.Components.Shared;
using Factory.Web.Dashboard;

namespace Factory.Tests.Components;

/// <summary>The utilization and units charts: one point and one bar per bucket, labelled in factory time, drawn once per series.</summary>
public sealed class TrendChartsTests : DashboardTestContext
{
    private static List<TimeseriesBucket> Hours(params (double Utilization, long Units)[] values) =>
        values.Select((v, i) =>
        {
            var start = Now.UtcDateTime.AddHours(i - values.Length);
            return new TimeseriesBucket(start, start.AddHours(1), new DateTimeOffset(start), v.Utilization / 100, 1 - v.Utilization / 100, 0, v.Units, v.Utilization);
        }).ToList();

    [Fact]
    public void Utilization_is_a_line_through_one_point_per_bucket_on_a_0_to_100_scale()
    {
        var cut = Context.Render<TrendCharts>(p => p.Add(c => c.Buckets, Hours((50, 1), (100, 2), (0, 3))).Add(c => c.Bucket, BucketSize.Hour));

        var box = cut.FindAll(".chart-box")[0];
        Assert.Equal("Utilization per hour, from 12:00 to 14:00", box.GetAttribute("aria-label"));
        var line = box.QuerySelector("path.mud-chart-line")!.GetAttribute("d")!;
        // 0 % sits on the bottom grid line (y 320), 100 % on the top one (y 25); points spread from x 30 to x 670.
        Assert.Equal("M 30 172.5 L 350 25 L 670 320", line);
        Assert.Equal(["0", "25", "50", "75", "100"], box.QuerySelectorAll(".mud-charts-yaxis text").Select(t => t.TextContent));
        Assert.Equal(["12:00", "13:00", "14:00"], box.QuerySelectorAll(".mud-charts-xaxis text").Select(t => t.TextContent));
    }

    [Fact]
    public void Units_are_one_bar_per_bucket_scaled_to_a_round_maximum()
    {
        var cut = Context.Render<TrendCharts>(p => p.Add(c => c.Buckets, Hours((50, 10), (60, 0), (70, 37), (80, 20))).Add(c => c.Bucket, BucketSize.Hour));

        var box = cut.FindAll(".chart-box")[1];
        Assert.Equal("Units per hour", box.GetAttribute("aria-label"));
        var bars = box.QuerySelectorAll("path.mud-chart-bar").Select(b => b.GetAttribute("d")!.Split(' ')).ToList();
        Assert.Equal(4, bars.Count);
        // Grid every 10 units up to 40: 37 units reach 37/40 of the height above the bottom line.
        Assert.Equal(["0", "10", "20", "30", "40"], box.QuerySelectorAll(".mud-charts-yaxis text").Select(t => t.TextContent));
        Assert.Equal(320 - 37 / 40.0 * 295, double.Parse(bars[2][5], CultureInfo.InvariantCulture), tolerance: 0.01);
        Assert.Equal("320", bars[1][5]);
    }

    [Fact]
    public void Labels_are_thinned_to_about_eight_and_days_are_named()
    {
        var days = Enumerable.Range(0, 30).Select(i =>
        {
            var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(i);
            return new TimeseriesBucket(start, start.AddDays(1), new DateTimeOffset(start), 8, 2, 0, 5, 80);
        }).ToList();

        var cut = Context.Render<TrendCharts>(p => p.Add(c => c.Buckets, days).Add(c => c.Bucket, BucketSize.Day));

        var labels = cut.FindAll(".chart-box")[0].QuerySelectorAll(".mud-charts-xaxis text").Select(t => t.TextContent).ToList();
        Assert.Equal(8, labels.Count);
        Assert.Equal("Thu 01", labels[0]);
        Assert.Contains("% per day", cut.Markup);
    }

    [Fact]
    public void Dashboards_showing_the_same_series_share_one_drawing()
    {
        var series = Hours((50, 1), (60, 2));
        var first = Context.Render<TrendCharts>(p => p.Add(c => c.Buckets, series).Add(c => c.Bucket, BucketSize.Hour));
        var drawn = TrendChartMarkup.For(series, BucketSize.Hour);
        var second = Context.Render<TrendCharts>(p => p.Add(c => c.Buckets, series).Add(c => c.Bucket, BucketSize.Hour));

        Assert.Same(drawn, TrendChartMarkup.For(series, BucketSize.Hour));
        Assert.Equal(first.Find(".chart-box").InnerHtml, second.Find(".chart-box").InnerHtml);
        Assert.NotSame(drawn, TrendChartMarkup.For(Hours((50, 1), (60, 2)), BucketSize.Hour));
    }

    [Fact]
    public void No_tracked_time_and_no_units_show_empty_states_instead_of_charts()
    {
        var cut = Context.Render<TrendCharts>(p => p.Add(c => c.Buckets, Hours((0, 0), (0, 0)).Select(b => b with { WorkingHours = 0, IdleHours = 0 }).ToList()));

        Assert.Empty(cut.FindAll(".chart-box"));
        Assert.Contains("No tracked time in this range", cut.Markup);
        Assert.Contains("No units in this range", cut.Markup);
    }
}
