using Bunit;
using Factory.Core.Metrics;
using Factory.Web.Components.Pages;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Components;

/// <summary>The printable daily shift report, in a plant on Berlin time (UTC+1 in January): 15:00Z is 16:00 local.</summary>
public sealed class DailyReportTests : DashboardTestContext
{
    public DailyReportTests() : base("Europe/Berlin")
    {
    }

    private void SeedFigures()
    {
        Metrics.Factory = Factory(working: 30, tracked: 40, units: 180, active: 4, events: 900, lowConfidence: 12);
        Metrics.Workers = [Worker("W1", "Amara Okafor", 7.5, 0.5, 0, 45), Worker("W2", "Lukas Brenner", 3, 3, 2, 10) with { BreakHours = 0.75 }];
        Metrics.Stations = [Station("S1", 49.9), Station("S2", 85.0)];
    }

    private IRenderedComponent<DailyReport> Render(string? date, string? shift)
    {
        var query = string.Join("&", new[] { date is null ? null : $"date={date}", shift is null ? null : $"shift={shift}" }.OfType<string>());
        Context.Services.GetRequiredService<NavigationManager>().NavigateTo("/reports/daily" + (query.Length == 0 ? "" : "?" + query));
        return Context.Render<DailyReport>();
    }

    [Fact]
    public void A_shift_report_shows_the_kpis_and_the_worker_and_station_tables()
    {
        SeedFigures();
        var cut = Render("2026-01-21", "morning");

        cut.WaitUntil(() => Assert.Equal("75.0 %", cut.Find("[data-kpi=utilization] .kpi-value").TextContent));
        Assert.Equal("180", cut.Find("[data-kpi=units] .kpi-value").TextContent);
        Assert.Equal("6.0 u/h", cut.Find("[data-kpi=units-per-hour] .kpi-value").TextContent);
        Assert.Equal("900", cut.Find("[data-kpi=events] .kpi-value").TextContent);
        Assert.Equal("10 h 0 m", cut.Find("[data-kpi=idle-absent] .kpi-value").TextContent);

        var w1 = cut.Find("[data-report-table=workers] tr[data-worker=W1]").QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal(["Amara Okafor W1", "7 h 30 m", "30 m", "0 m", "0 m", "93.8 %", "45", "6.0 u/h"], w1);
        var w2 = cut.Find("tr[data-worker=W2]").QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal(["Lukas Brenner W2", "3 h 0 m", "3 h 0 m", "2 h 0 m", "45 m", "37.5 %", "10", "3.3 u/h"], w2);
        var s2 = cut.Find("[data-report-table=stations] tr[data-station=S2]").QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal(["Station S2 S2", "4 h 0 m", "3 h 24 m", "85.0 %", "16.7 %", "10", "2.5 u/h"], s2);
        Assert.Equal(2, cut.FindAll("[data-report-table=stations] tbody tr").Count);
    }

    [Fact]
    public void A_shift_report_covers_the_shift_in_factory_time_and_asks_the_engine_for_that_shift()
    {
        SeedFigures();
        var cut = Render("2026-01-21", "morning");

        cut.WaitUntil(() => Assert.NotNull(Metrics.LastFactoryWindow));
        // Morning is 06:00–14:00 in Berlin: 05:00Z–13:00Z.
        Assert.Equal(new DateTime(2026, 1, 21, 5, 0, 0, DateTimeKind.Utc), Metrics.LastFactoryWindow!.Start);
        Assert.Equal(new DateTime(2026, 1, 21, 13, 0, 0, DateTimeKind.Utc), Metrics.LastFactoryWindow.End);
        Assert.Equal("morning", Metrics.LastFactoryWindow.Shift);
        Assert.Equal("Europe/Berlin", cut.Find("[data-report-zone]").TextContent);
        Assert.Equal("2026-01-21 06:00:00", cut.Find("[data-report-start]").TextContent);
        Assert.StartsWith("2026-01-21 14:00:00", cut.Find("[data-report-end]").TextContent, StringComparison.Ordinal);
        Assert.Contains("(8 h 0 m)", cut.Find("[data-report-end]").TextContent, StringComparison.Ordinal);
        Assert.Equal("2026-01-21 14:00:00", cut.Find("[data-report-asof]").TextContent);
        Assert.Contains("Wednesday 21 January 2026 · Morning shift · 06:00–14:00 Europe/Berlin", cut.Find("[data-report-period]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_date_the_report_opens_on_the_last_complete_shift()
    {
        SeedFigures();
        // 16:00 in Berlin: the morning shift (06:00–14:00) is the last one that ended.
        var cut = Render(null, null);

        cut.WaitUntil(() => Assert.NotNull(Metrics.LastFactoryWindow));
        Assert.Equal(new DateTime(2026, 1, 21, 5, 0, 0, DateTimeKind.Utc), Metrics.LastFactoryWindow!.Start);
        Assert.Equal(new DateTime(2026, 1, 21, 13, 0, 0, DateTimeKind.Utc), Metrics.LastFactoryWindow.End);
        Assert.Equal("morning", Metrics.LastFactoryWindow.Shift);
        Assert.Equal("page", cut.Find(".report-shifts a[data-shift=morning]").GetAttribute("aria-current"));
    }

    [Fact]
    public void A_shift_without_a_date_is_its_last_complete_occurrence()
    {
        SeedFigures();
        var cut = Render(null, "night");

        cut.WaitUntil(() => Assert.NotNull(Metrics.LastFactoryWindow));
        // The night that started on the 20th at 22:00 local ended at 06:00 on the 21st.
        Assert.Equal(new DateTime(2026, 1, 20, 21, 0, 0, DateTimeKind.Utc), Metrics.LastFactoryWindow!.Start);
        Assert.Equal(new DateTime(2026, 1, 21, 5, 0, 0, DateTimeKind.Utc), Metrics.LastFactoryWindow.End);
        Assert.Equal("night", Metrics.LastFactoryWindow.Shift);
    }

    [Fact]
    public void Without_a_date_and_without_shift_calendars_the_report_is_yesterday_as_a_whole_local_day()
    {
        Calendar = global::Factory.Core.Shifts.ShiftCalendar.Off;
        SeedFigures();
        var cut = Render(null, null);

        cut.WaitUntil(() => Assert.NotNull(Metrics.LastFactoryWindow));
        Assert.Equal(new DateTime(2026, 1, 19, 23, 0, 0, DateTimeKind.Utc), Metrics.LastFactoryWindow!.Start);
        Assert.Equal(new DateTime(2026, 1, 20, 23, 0, 0, DateTimeKind.Utc), Metrics.LastFactoryWindow.End);
        Assert.Null(Metrics.LastFactoryWindow.Shift);
        Assert.Contains("whole day", cut.Find("[data-report-period]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_day_clocks_go_forward_is_23_hours_long()
    {
        SeedFigures();
        Time.SetUtcNow(new DateTimeOffset(2026, 3, 30, 12, 0, 0, TimeSpan.Zero));
        var cut = Render("2026-03-29", null);

        cut.WaitUntil(() => Assert.NotNull(Metrics.LastFactoryWindow));
        Assert.Equal(new DateTime(2026, 3, 28, 23, 0, 0, DateTimeKind.Utc), Metrics.LastFactoryWindow!.Start);
        Assert.Equal(new DateTime(2026, 3, 29, 22, 0, 0, DateTimeKind.Utc), Metrics.LastFactoryWindow.End);
        Assert.Contains("(23 h 0 m)", cut.Find("[data-report-end]").TextContent, StringComparison.Ordinal);
        Assert.Equal("2026-03-30 00:00:00", cut.Find("[data-report-end]").TextContent[..19]);
    }

    [Fact]
    public void Csv_links_carry_the_window_the_shift_and_the_as_of_of_the_page()
    {
        SeedFigures();
        var cut = Render("2026-01-21", "morning");

        cut.WaitUntil(() => Assert.NotEmpty(cut.FindAll("[data-export]")));
        const string window = "start_time=2026-01-21T05:00:00Z&end_time=2026-01-21T13:00:00Z&as_of=2026-01-21T13:00:00Z&shift=morning";
        Assert.Equal($"/api/export/workers.csv?{window}", cut.Find("a[data-export=workers]").GetAttribute("href"));
        Assert.Equal($"/api/export/workstations.csv?{window}", cut.Find("a[data-export=workstations]").GetAttribute("href"));
        Assert.Equal($"/api/export/factory.csv?{window}", cut.Find("a[data-export=factory]").GetAttribute("href"));
        Assert.Empty(cut.FindAll("a[data-export=workers-per-shift]"));
    }

    [Fact]
    public void A_whole_day_report_offers_the_per_shift_csv()
    {
        SeedFigures();
        var cut = Render("2026-01-21", null);

        cut.WaitUntil(() => Assert.NotEmpty(cut.FindAll("[data-export]")));
        Assert.Equal("/api/export/workers.csv?start_time=2026-01-20T23:00:00Z&end_time=2026-01-21T23:00:00Z&as_of=2026-01-21T23:00:00Z&per_shift=true",
            cut.Find("a[data-export=workers-per-shift]").GetAttribute("href"));
    }

    [Fact]
    public void The_shift_picker_lists_the_calendar_and_marks_the_current_shift()
    {
        SeedFigures();
        var cut = Render("2026-01-21", "evening");

        cut.WaitUntil(() => Assert.Equal(4, cut.FindAll(".report-shifts a").Count));
        var links = cut.FindAll(".report-shifts a").Select(a => (a.GetAttribute("data-shift"), a.GetAttribute("href"), a.GetAttribute("aria-current"))).ToList();
        Assert.Equal(
        [
            ("", "/reports/daily?date=2026-01-21", null),
            ("morning", "/reports/daily?date=2026-01-21&shift=morning", null),
            ("evening", "/reports/daily?date=2026-01-21&shift=evening", "page"),
            ("night", "/reports/daily?date=2026-01-21&shift=night", null),
        ], links);
        Assert.Equal("/reports/daily?date=2026-01-20&shift=evening", cut.Find("a.report-prev").GetAttribute("href"));
        Assert.Equal("/reports/daily?date=2026-01-22&shift=evening", cut.Find("a.report-next").GetAttribute("href"));
    }

    [Fact]
    public void An_unknown_shift_says_so_and_shows_the_whole_day()
    {
        SeedFigures();
        var cut = Render("2026-01-21", "graveyard");

        cut.WaitUntil(() => Assert.Contains("There is no shift 'graveyard'", cut.Find(".report-notice").TextContent, StringComparison.Ordinal));
        Assert.Contains("morning, evening, night", cut.Find(".report-notice").TextContent, StringComparison.Ordinal);
        Assert.Null(Metrics.LastFactoryWindow!.Shift);
        Assert.Equal(new DateTime(2026, 1, 20, 23, 0, 0, DateTimeKind.Utc), Metrics.LastFactoryWindow.Start);
    }

    [Fact]
    public void A_period_without_events_shows_the_empty_state_and_no_tables()
    {
        var cut = Render("2026-01-20", "night");

        cut.WaitUntil(() => Assert.Contains("No events in this period", cut.Find(".report-empty").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll(".report-table"));
        Assert.Empty(cut.FindAll("[data-kpi]"));
    }

    [Fact]
    public void A_period_in_the_future_has_not_started_and_asks_nothing()
    {
        var cut = Render("2026-01-23", null);

        cut.WaitUntil(() => Assert.Contains("This period has not started yet", cut.Markup, StringComparison.Ordinal));
        Assert.Null(Metrics.LastFactoryWindow);
        Assert.Empty(cut.FindAll("[data-export]"));
    }

    [Fact]
    public void The_print_button_opens_the_print_dialog_and_the_page_has_a_print_header()
    {
        SeedFigures();
        var cut = Render("2026-01-21", "morning");

        cut.WaitUntil(() => Assert.NotEmpty(cut.FindAll("[data-kpi]")));
        cut.Find("button.report-print").Click();
        Context.JSInterop.VerifyInvoke("print");
        var header = cut.Find(".print-only.report-print-header");
        Assert.Contains("Factory Pulse — Morning shift report", header.TextContent, StringComparison.Ordinal);
        // Navigation and buttons are marked to be left off paper.
        Assert.Contains("no-print", cut.Find(".report-nav").ClassList);
        Assert.Contains("no-print", cut.Find(".report-downloads").ClassList);
    }

    [Fact]
    public void The_stylesheet_prints_black_on_white_without_navigation()
    {
        var css = File.ReadAllText(StylesheetPath());
        var print = css[css.IndexOf("@media print", StringComparison.Ordinal)..];

        Assert.Contains(".app-bar, .app-drawer", print, StringComparison.Ordinal);
        Assert.Contains(".no-print", print, StringComparison.Ordinal);
        Assert.Contains("background: #fff !important; color: #000 !important;", print, StringComparison.Ordinal);
        Assert.Contains("break-inside: avoid", print, StringComparison.Ordinal);
        Assert.Contains(".print-only { display: block; }", print, StringComparison.Ordinal);
    }

    private static string StylesheetPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Factory.Web", "wwwroot", "app.css");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("Factory.Web/wwwroot/app.css not found above the test output folder.");
    }
}
