using Bunit;
using Factory.Core.Events;
using Factory.Core.Metrics;
using Factory.Web.Components.Shared;
using Factory.Web.Dashboard;

namespace Factory.Tests.Components;

public sealed class SharedComponentTests : DashboardTestContext
{
    [Fact]
    public void Station_tiles_are_coloured_by_the_utilization_thresholds()
    {
        var cut = Context.Render<StationGrid>(p => p.Add(c => c.Stations, [Station("S1", 49.9), Station("S2", 50.0), Station("S3", 84.9), Station("S4", 85.0)]));

        Assert.Contains("util-low", cut.Find("[data-station=S1]").ClassList);
        Assert.Contains("util-normal", cut.Find("[data-station=S2]").ClassList);
        Assert.Contains("util-normal", cut.Find("[data-station=S3]").ClassList);
        Assert.Contains("util-high", cut.Find("[data-station=S4]").ClassList);
        Assert.Equal("49.9 %", cut.Find("[data-station=S1] .tile-value").TextContent);
        Assert.Equal("85.0 %", cut.Find("[data-station=S4] .tile-value").TextContent);
    }

    [Fact]
    public void A_station_without_occupied_time_shows_a_dash_not_an_amber_zero()
    {
        var cut = Context.Render<StationGrid>(p => p.Add(c => c.Stations, [Station("S5", 0, occupancyHours: 0, units: 0, active: 0)]));
        Assert.Contains("util-none", cut.Find("[data-station=S5]").ClassList);
        Assert.Equal("—", cut.Find("[data-station=S5] .tile-value").TextContent);
    }

    [Fact]
    public void Event_stream_colours_each_type_and_shows_factory_time()
    {
        var events = new[]
        {
            Event(EventType.Working, minutesAgo: 1),
            Event(EventType.Idle, minutesAgo: 2),
            Event(EventType.Absent, minutesAgo: 3),
            Event(EventType.ProductCount, minutesAgo: 4, count: 3),
            Event(EventType.Working, minutesAgo: 5, confidence: 0.4),
        };
        var cut = Context.Render<EventStream>(p => p.Add(c => c.Events, events));

        var rows = cut.FindAll("li.stream-row");
        Assert.Equal(5, rows.Count);
        Assert.Contains("state-working", rows[0].ClassList);
        Assert.Contains("state-idle", rows[1].ClassList);
        Assert.Contains("state-absent", rows[2].ClassList);
        Assert.Contains("state-product", rows[3].ClassList);
        Assert.Equal("product ×3", rows[3].QuerySelector(".type-chip")!.TextContent);
        Assert.Equal("14:59:00", rows[0].QuerySelector(".stream-time")!.TextContent);
        Assert.Contains("is-low", rows[4].QuerySelector(".stream-conf")!.ClassList);
    }

    [Fact]
    public void Empty_event_stream_says_how_to_get_events()
    {
        var cut = Context.Render<EventStream>(p => p.Add(c => c.Events, Array.Empty<FactoryEvent>()));
        Assert.Contains("No events yet", cut.Markup);
        Assert.Contains("seed demo data", cut.Markup);
        Assert.Equal("/admin", cut.Find(".empty-state a").GetAttribute("href"));
    }

    [Fact]
    public void Leaderboard_ranks_by_utilization_and_formats_values_with_units()
    {
        var cut = Context.Render<WorkerLeaderboard>(p => p.Add(c => c.Workers,
        [
            Worker("W1", "Amara Okafor", working: 7.5, idle: 0.5, absent: 0, units: 45),
            Worker("W2", "Lukas Brenner", working: 2, idle: 2, absent: 0, units: 8, status: WorkerStatus.Idle),
        ]));

        var rows = cut.FindAll("tbody tr");
        Assert.Equal(2, rows.Count);
        Assert.Contains("Amara Okafor", rows[0].TextContent);
        Assert.Contains("93.8 %", rows[0].TextContent);
        Assert.Contains("6.0 u/h", rows[0].TextContent);
        Assert.Contains("7 h 30 m", rows[0].TextContent);
        Assert.Contains("util-high", rows[0].QuerySelector(".util-value")!.ClassList);
        Assert.Contains("util-normal", rows[1].QuerySelector(".util-value")!.ClassList);
        Assert.Equal("Idle", rows[1].QuerySelector(".status-chip")!.TextContent);
    }

    [Fact]
    public void Leaderboard_sorts_when_a_column_header_is_clicked()
    {
        var cut = Context.Render<WorkerLeaderboard>(p => p.Add(c => c.Workers,
        [
            Worker("W1", "Amara Okafor", working: 7.5, idle: 0.5, absent: 0, units: 45),
            Worker("W2", "Lukas Brenner", working: 2, idle: 2, absent: 0, units: 80),
        ]));

        cut.FindAll(".mud-table-sort-label").Single(l => l.TextContent.Contains("Units", StringComparison.Ordinal)).Click();
        cut.WaitUntil(() => Assert.Contains("Amara Okafor", cut.FindAll("tbody tr")[0].TextContent));
        cut.FindAll(".mud-table-sort-label").Single(l => l.TextContent.Contains("Units", StringComparison.Ordinal)).Click();
        cut.WaitUntil(() => Assert.Contains("Lukas Brenner", cut.FindAll("tbody tr")[0].TextContent));
    }

    [Fact]
    public void Timeline_places_segments_proportionally_with_state_colours()
    {
        var start = Now.UtcDateTime.AddHours(-4);
        var cut = Context.Render<StateTimeline>(p => p
            .Add(c => c.Start, start)
            .Add(c => c.End, Now.UtcDateTime)
            .Add(c => c.Segments,
            [
                new TimelineSegment(start, start.AddHours(1), WorkerStatus.Working, "S1"),
                new TimelineSegment(start.AddHours(1), start.AddHours(2), WorkerStatus.Idle, "S1"),
                new TimelineSegment(start.AddHours(3), start.AddHours(4), WorkerStatus.Absent, "S1"),
            ]));

        var segments = cut.FindAll(".timeline-seg");
        Assert.Equal(3, segments.Count);
        Assert.Equal("left:0%;width:25%", segments[0].GetAttribute("style"));
        Assert.Contains("state-idle", segments[1].ClassList);
        Assert.Equal("left:75%;width:25%", segments[2].GetAttribute("style"));
        Assert.Contains("Working 1 h 0 m", cut.Find(".timeline").GetAttribute("aria-label"));
    }

    [Fact]
    public void Alerts_panel_lists_low_stations_and_says_when_all_is_well()
    {
        var alerts = DashboardAlert.From(Factory(6, 8, 40, 3), [Station("S1", 42.0), Station("S2", 90.0)]);
        var cut = Context.Render<AlertsPanel>(p => p.Add(c => c.Alerts, alerts));
        Assert.Single(cut.FindAll(".alert-row"));
        Assert.Contains("Station S1 below 50 %", cut.Markup);
        Assert.Contains("42.0 %", cut.Markup);

        var calm = Context.Render<AlertsPanel>(p => p.Add(c => c.Alerts, DashboardAlert.From(Factory(6, 8, 40, 3), [Station("S2", 90.0)])));
        Assert.Contains("No active alerts.", calm.Markup);
    }

    [Fact]
    public void Kpi_card_shows_label_value_and_caption()
    {
        var cut = Context.Render<KpiCard>(p => p.Add(c => c.Key, "units").Add(c => c.Label, "Units").Add(c => c.Value, "1,234").Add(c => c.Caption, "today"));
        Assert.Equal("1,234", cut.Find("[data-kpi=units] .kpi-value").TextContent);
        Assert.Equal("Units: 1,234", cut.Find("[data-kpi=units]").GetAttribute("aria-label"));
    }
}
