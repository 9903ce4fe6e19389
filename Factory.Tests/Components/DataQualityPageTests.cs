using Bunit;
using Factory.Core.DataQuality;
using Factory.Core.Events;
using Factory.Web.Components.Pages;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Components;

/// <summary>The data-quality page with a fixed report, in factory time (Europe/Berlin, UTC+1 in January).</summary>
public sealed class DataQualityPageTests : DashboardTestContext
{
    private static readonly DateTime Utc = Now.UtcDateTime;
    public DataQualityPageTests() : base("Europe/Berlin")
    {
    }


    private static DataQualityReport Report(long events, long late, IReadOnlyList<CameraQuality> cameras, long[]? histogram = null) =>
        new(Utc.AddHours(-24), Utc, 120, events, late, events == 0 ? 0 : Math.Round(100.0 * late / events, 2),
            new LagDistribution(events == 0 ? null : 1.5, events == 0 ? null : 40, events == 0 ? null : 200, events == 0 ? null : 900, events == 0 ? null : 3000,
                LagBuckets.From(histogram ?? new long[LagBuckets.Bounds.Count + 1])),
            cameras);

    private void SeedReport()
    {
        Quality.Report = Report(200, 8,
        [
            new CameraQuality("CAM-01", 150, 0, 0.8, 2.5, 9, 0, 0, new Dictionary<string, long>(), Utc.AddMinutes(-1)),
            new CameraQuality("CAM-02", 50, 8, 30, 400, 3000, 3, 5, new Dictionary<string, long> { ["validation"] = 4, ["unknown_worker"] = 1 }, Utc.AddMinutes(-5)),
            new CameraQuality("(invalid)", 0, 0, null, null, null, 0, 2, new Dictionary<string, long> { ["validation"] = 2 }, null),
        ],
        [120, 50, 20, 2, 5, 2, 1]);
        Quality.Late =
        [
            new FactoryEvent { Id = 7, Timestamp = Utc.AddMinutes(-30), ReceivedAt = Utc.AddMinutes(-20), WorkerId = "W2", WorkstationId = "S3", CameraId = "CAM-02", EventType = EventType.Working },
        ];
    }

    [Fact]
    public void Kpis_show_events_late_share_lag_p95_duplicates_and_rejects()
    {
        SeedReport();
        var cut = Context.Render<DataQualityPage>();

        cut.WaitUntil(() => Assert.Equal("200", cut.Find("[data-kpi=events] .kpi-value").TextContent));
        Assert.Equal("4.0 %", cut.Find("[data-kpi=late] .kpi-value").TextContent);
        Assert.Contains("8 arrived more than 2 m 0 s after the fact", cut.Find("[data-kpi=late] .kpi-caption").TextContent);
        Assert.Equal("3 m 20 s", cut.Find("[data-kpi=lag-p95] .kpi-value").TextContent);
        Assert.Equal("3", cut.Find("[data-kpi=duplicates] .kpi-value").TextContent);
        Assert.Equal("7", cut.Find("[data-kpi=rejected] .kpi-value").TextContent);
        Assert.Contains("quality-flag", cut.Find("[data-kpi=rejected]").ClassList);
    }

    [Fact]
    public void Histogram_has_a_bar_per_fixed_bucket_and_the_percentiles()
    {
        SeedReport();
        var cut = Context.Render<DataQualityPage>();

        cut.WaitUntil(() => cut.Find("[data-panel=lag-histogram]"));
        Assert.Equal("Events per arrival lag: < 1 s 120, 1 s–5 s 50, 5 s–30 s 20, 30 s–2 min 2, 2 min–10 min 5, 10 min–1 h 2, > 1 h 1",
            cut.Find("[data-panel=lag-histogram] .chart-box").GetAttribute("aria-label"));
        Assert.NotEmpty(cut.FindAll("[data-panel=lag-histogram] svg rect, [data-panel=lag-histogram] svg path"));
        Assert.Equal("1.5 s", cut.Find("[data-figure=p50] dd").TextContent);
        Assert.Equal("50 m 0 s", cut.Find("[data-figure=max] dd").TextContent);
    }

    [Fact]
    public void Camera_table_lists_every_camera_and_highlights_non_zero_problems()
    {
        SeedReport();
        var cut = Context.Render<DataQualityPage>();

        cut.WaitUntil(() => Assert.Equal(3, cut.FindAll("[data-panel=camera-quality] tbody tr").Count));
        var rows = cut.FindAll("[data-panel=camera-quality] tbody tr");
        // Initially sorted by late events, most first.
        Assert.Equal("CAM-02", rows[0].QuerySelector("[data-camera]")!.TextContent);
        Assert.Contains("quality-flag", rows[0].QuerySelector("[data-col=late]")!.ClassList);
        Assert.Contains("quality-flag", rows[0].QuerySelector("[data-col=duplicates]")!.ClassList);
        Assert.Contains("validation 4, unknown_worker 1", rows[0].QuerySelector("[data-col=rejected]")!.TextContent);
        var cam1 = rows.Single(r => r.QuerySelector("[data-camera]")!.TextContent == "CAM-01");
        Assert.DoesNotContain("quality-flag", cam1.QuerySelector("[data-col=late]")!.ClassList);
        Assert.DoesNotContain("quality-flag", cam1.QuerySelector("[data-col=rejected]")!.ClassList);
        Assert.Contains("2026-01-21 15:59:00", cam1.TextContent); // factory time, UTC+1
    }

    [Fact]
    public void Late_events_link_to_the_event_log_filtered_around_them()
    {
        SeedReport();
        var cut = Context.Render<DataQualityPage>();

        cut.WaitUntil(() => cut.Find("[data-panel=late-events] li"));
        var link = cut.Find("[data-panel=late-events] li a");
        Assert.Contains("2026-01-21 15:30:00", link.TextContent);
        Assert.Contains("+10 m 0 s", link.TextContent);
        var href = link.GetAttribute("href")!;
        Assert.StartsWith("/events?", href, StringComparison.Ordinal);
        Assert.Contains("worker_id=W2", href, StringComparison.Ordinal);
        Assert.Contains("camera_id=CAM-02", href, StringComparison.Ordinal);
        Assert.Contains("range=custom", href, StringComparison.Ordinal);
        Assert.Contains("from=2026-01-21T15%3A25%2B01%3A00", href, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_range_shows_the_empty_state_and_zero_kpis()
    {
        Quality.Report = Report(0, 0, []);
        var cut = Context.Render<DataQualityPage>();

        cut.WaitUntil(() => Assert.Contains("No events in this range", cut.Find(".empty-state").TextContent));
        Assert.Equal("0", cut.Find("[data-kpi=events] .kpi-value").TextContent);
        Assert.Equal("—", cut.Find("[data-kpi=lag-p95] .kpi-value").TextContent);
        Assert.Empty(cut.FindAll("[data-panel=camera-quality]"));
    }

    [Fact]
    public void A_failing_query_shows_the_error_state_without_the_exception_text()
    {
        Quality.Failure = new InvalidOperationException("database is locked");
        var cut = Context.Render<DataQualityPage>();

        cut.WaitUntil(() => Assert.Contains("Could not load the data-quality figures.", cut.Markup));
        Assert.DoesNotContain("database is locked", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-kpi]"));
    }

    [Fact]
    public void A_custom_range_longer_than_the_limit_is_not_read_and_the_picker_says_why()
    {
        SeedReport();
        var navigation = Context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo("/data-quality?range=custom&from=2000-01-01T00:00Z&to=2026-01-21T00:00Z");
        var cut = Context.Render<DataQualityPage>();

        cut.WaitForAssertion(() => Assert.NotNull(Quality.LastWindow));
        Assert.Equal((Utc.AddHours(-24), Utc), Quality.LastWindow);
        var problem = cut.Find("[data-range-problem]").TextContent;
        Assert.Contains("Limits:MaxWindow", problem, StringComparison.Ordinal);
        Assert.Contains("90 days", problem, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll(".error-state"));
    }

    [Fact]
    public void Range_from_the_url_is_the_window_asked_for()
    {
        SeedReport();
        var navigation = Context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>();
        navigation.NavigateTo("/data-quality?range=7d");
        var cut = Context.Render<DataQualityPage>();

        cut.WaitUntil(() => Assert.NotNull(Quality.LastWindow));
        Assert.Equal((Utc.AddDays(-7), Utc), Quality.LastWindow);
    }
}

/// <summary>Returns the report the test sets and remembers the window asked for.</summary>
public sealed class FakeDataQuality : IDataQualityService
{
    public DataQualityReport? Report { get; set; }
    public IReadOnlyList<FactoryEvent> Late { get; set; } = [];
    public Exception? Failure { get; set; }
    public (DateTime Start, DateTime End)? LastWindow { get; private set; }

    public Task<DataQualityReport> GetReportAsync(DateTime start, DateTime end, CancellationToken ct = default)
    {
        LastWindow = (start, end);
        return Failure is not null ? Task.FromException<DataQualityReport>(Failure) : Task.FromResult(Report!);
    }

    public Task<IReadOnlyList<FactoryEvent>> LatestLateAsync(DateTime start, DateTime end, int limit, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<FactoryEvent>>(Late.Take(limit).ToList());
}
