using Bunit;
using Bunit.TestDoubles;
using Factory.Core.Events;
using Factory.Core.Live;
using Factory.Core.ModelHealth;
using Factory.Web.Components.Pages;
using Factory.Web.Components.Shared;

namespace Factory.Tests.Components;

/// <summary>The model health page and its parts with fixed figures, in factory time (Europe/Berlin, UTC+1 in January).</summary>
public sealed class ModelHealthPageTests : DashboardTestContext
{
    private static readonly DateTime Utc = Now.UtcDateTime;
    public ModelHealthPageTests() : base("Europe/Berlin", authorization: true)
    {
    }

    private BunitAuthorizationContext User => Auth!;

    private static ModelHealthReport Report(HealthStatus status, double avg = 0.9, int samples = 100, IReadOnlyList<CameraHealth>? cameras = null, IReadOnlyList<ModelAlert>? alerts = null) =>
        new(status, avg, samples, $"{status} message.", Utc, cameras ?? [], [], alerts ?? []);

    private void SeedFigures()
    {
        Health.Report = Report(HealthStatus.Warning, 0.8123, 100,
            [new CameraHealth("CAM-01", 0.91, 120, 0.05, Utc.AddMinutes(-1), false, HealthStatus.Healthy),
             new CameraHealth("CAM-02", 0.62, 40, 0.5, Utc.AddMinutes(-30), true, HealthStatus.Critical)],
            [new ModelAlert("silent:CAM-02", AlertKind.CameraSilent, HealthStatus.Warning, "CAM-02", "Camera CAM-02 has sent nothing since 14:30 UTC.", Utc.AddMinutes(-20))]);
        Health.Trend =
        [
            new ConfidenceTrendPoint(Utc.Date.AddDays(-1), "yolov8-v2.1", 0.9, 50),
            new ConfidenceTrendPoint(Utc.Date.AddDays(-1), "yolov8-v2.2", 0.8, 50),
            new ConfidenceTrendPoint(Utc.Date, "yolov8-v2.1", 0.88, 40),
            new ConfidenceTrendPoint(Utc.Date, "yolov8-v2.2", 0.7, 30),
        ];
        Health.Heatmap = [new HeatmapCell("CAM-01", Utc.AddHours(-1), 0.93, 12), new HeatmapCell("CAM-02", Utc.AddHours(-1), 0.62, 4)];
        Health.Distribution = new Dictionary<string, ModelShare> { ["yolov8-v2.1"] = new(90, 75.0), ["yolov8-v2.2"] = new(30, 25.0) };
    }

    [Theory]
    [InlineData(HealthStatus.Healthy, "health-healthy")]
    [InlineData(HealthStatus.Warning, "health-warning")]
    [InlineData(HealthStatus.Critical, "health-critical")]
    public void Status_card_is_coloured_by_status_and_shows_the_figures(HealthStatus status, string cssClass)
    {
        var cut = Context.Render<HealthStatusCard>(p => p.Add(c => c.Report, Report(status, 0.8123, 100)));

        var card = cut.Find("[data-health-status]");
        Assert.Contains(cssClass, card.ClassList);
        Assert.Single(new[] { "health-healthy", "health-warning", "health-critical" }, card.ClassList.Contains);
        Assert.Equal(status.ToString(), cut.Find(".health-status").TextContent);
        Assert.Equal("0.81", cut.Find("[data-figure=avg-confidence]").TextContent);
        Assert.Equal("100", cut.Find("[data-figure=samples]").TextContent);
        Assert.Equal($"{status} message.", cut.Find(".health-message").TextContent);
    }

    [Fact]
    public void Distribution_shows_each_version_with_count_and_percentage_and_a_donut()
    {
        var cut = Context.Render<VersionDistribution>(p => p
            .Add(c => c.Shares, new Dictionary<string, ModelShare> { ["v1"] = new(1, 12.5), ["v2"] = new(7, 87.5) }));

        var rows = cut.FindAll(".dist-legend li");
        Assert.Equal(["v2", "v1"], rows.Select(r => r.GetAttribute("data-model")));
        Assert.Equal("87.5 %", rows[0].QuerySelector(".dist-pct")!.TextContent);
        Assert.Equal("7", rows[0].QuerySelector(".dist-count")!.TextContent);
        Assert.Equal("12.5 %", rows[1].QuerySelector(".dist-pct")!.TextContent);
        Assert.Equal("8 events", cut.Find(".panel-note").TextContent);
        Assert.Equal("v2 87.5 %, v1 12.5 %", cut.Find(".donut-box").GetAttribute("aria-label"));
        Assert.NotEmpty(cut.FindAll(".donut-box svg path"));
    }

    [Fact]
    public void Heatmap_renders_a_cell_per_camera_and_hour_with_value_colour_and_label_in_factory_time()
    {
        var cut = Context.Render<ConfidenceHeatmap>(p => p
            .Add(c => c.Cells, [new HeatmapCell("CAM-01", Utc.AddHours(-1), 0.93, 12), new HeatmapCell("CAM-02", Utc, 0.8, 3), new HeatmapCell("CAM-02", Utc.AddHours(-2), 0.7, 5)]));

        Assert.Equal(["CAM-01", "CAM-02"], cut.FindAll("tbody tr").Select(r => r.GetAttribute("data-camera")));
        Assert.All(cut.FindAll("tbody tr"), r => Assert.Equal(24, r.QuerySelectorAll("td").Length));
        // Columns run to the current hour, 16:00 in Berlin.
        Assert.Equal("16", cut.FindAll("thead th").Last().TextContent);

        var cam1 = cut.Find("tr[data-camera=CAM-01] td[data-hour='15:00']");
        Assert.Equal("0.93", cam1.TextContent);
        Assert.Contains("health-healthy", cam1.ClassList);
        Assert.Equal("CAM-01 at 15:00: mean 0.93 over 12 events", cam1.GetAttribute("aria-label"));
        Assert.Contains("health-warning", cut.Find("tr[data-camera=CAM-02] td[data-hour='16:00']").ClassList);
        Assert.Contains("health-critical", cut.Find("tr[data-camera=CAM-02] td[data-hour='14:00']").ClassList);
        Assert.Equal(3, cut.FindAll("td.hm-cell:not(.hm-empty)").Count);
    }

    [Fact]
    public void Camera_table_flags_offline_cameras_with_a_chip_and_shows_the_last_event_in_factory_time()
    {
        SeedFigures();
        var cut = Context.Render<CameraHealthTable>(p => p.Add(c => c.Cameras, Health.Report.Cameras));

        Assert.Empty(cut.FindAll("tr[data-camera=CAM-01] [data-chip=offline]"));
        Assert.Equal("Offline", cut.Find("tr[data-camera=CAM-02] [data-chip=offline]").TextContent.Trim());
        var cells = cut.FindAll("tr[data-camera=CAM-02] td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal("0.62", cells[0]);
        Assert.Equal("40", cells[1]);
        Assert.Equal("50.0 %", cells[2]);
        Assert.Equal("2026-01-21 15:30:00", cells[3]);
    }

    [Fact]
    public void Alert_list_shows_kind_message_and_start_in_factory_time()
    {
        var cut = Context.Render<ModelAlertList>(p => p.Add(c => c.Alerts,
        [
            new ModelAlert("critical-average", AlertKind.CriticalAverage, HealthStatus.Critical, null, "Average 0.70 is below 0.75.", Utc.AddMinutes(-5)),
            new ModelAlert("drop:CAM-03", AlertKind.ConfidenceDrop, HealthStatus.Warning, "CAM-03", "Camera CAM-03 confidence dropped 15 %.", Utc.AddHours(-1)),
        ]));

        var rows = cut.FindAll("li[data-alert-id]");
        Assert.Equal(2, rows.Count);
        Assert.Contains("alert-critical", rows[0].ClassList);
        Assert.Equal("Average confidence critical", rows[0].QuerySelector(".alert-title")!.TextContent);
        Assert.Equal("Average 0.70 is below 0.75.", rows[0].QuerySelector(".alert-detail")!.TextContent);
        Assert.Equal("since 2026-01-21 15:55:00", rows[0].QuerySelector(".alert-since")!.TextContent);
        Assert.Equal("Confidence drop on CAM-03", rows[1].QuerySelector(".alert-title")!.TextContent);
        Assert.Equal("2 active", cut.Find(".panel-note").TextContent);
    }

    [Fact]
    public void No_alerts_says_so()
    {
        var cut = Context.Render<ModelAlertList>(p => p.Add(c => c.Alerts, []));
        Assert.Contains("No active model alerts.", cut.Find(".alerts-none").TextContent);
    }

    [Fact]
    public void Page_without_events_shows_the_empty_state_and_no_charts()
    {
        var cut = Context.Render<ModelHealthPage>();

        cut.WaitUntil(() => Assert.Contains("No events yet — run the simulator or seed demo data from", cut.Find(".empty-state").TextContent));
        Assert.Empty(cut.FindAll("[data-health-status]"));
        Assert.Empty(cut.FindAll("[data-chart]"));
        Assert.NotNull(cut.Find("[data-exclusions-none]"));
    }

    [Fact]
    public void Page_shows_status_trend_per_version_heatmap_distribution_cameras_and_alerts()
    {
        SeedFigures();
        var cut = Context.Render<ModelHealthPage>();

        cut.WaitUntil(() => Assert.Contains("health-warning", cut.Find("[data-health-status]").ClassList));
        Assert.Equal("Mean confidence in percent per day for yolov8-v2.1, yolov8-v2.2", cut.Find("[data-chart=confidence-trend] .chart-box").GetAttribute("aria-label"));
        Assert.NotEmpty(cut.FindAll("[data-chart=confidence-trend] svg path"));
        Assert.Equal(2, cut.FindAll("[data-chart=heatmap] td.hm-cell:not(.hm-empty)").Count);
        Assert.Equal("75.0 %", cut.Find("[data-chart=distribution] li[data-model='yolov8-v2.1'] .dist-pct").TextContent);
        Assert.NotNull(cut.Find("tr[data-camera=CAM-02] [data-chip=offline]"));
        Assert.Equal("silent:CAM-02", cut.Find("li[data-alert-id]").GetAttribute("data-alert-id"));
        Assert.False(Health.LastTrendHourly);

        cut.Find("[data-trend=hour]").Click();
        cut.WaitUntil(() => Assert.True(Health.LastTrendHourly));
        Assert.Equal("true", cut.Find("[data-trend=hour]").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void Viewer_sees_excluded_versions_as_chips_and_a_note_but_no_editor()
    {
        Health.Exclusions.Add(new global::Factory.Core.Data.ModelExclusion { ModelVersion = "yolov8-v2.2", Reason = "rollback", CreatedAt = Utc });
        User.SetAuthorized("viewer-user");
        User.SetRoles("viewer");

        var cut = Context.Render<ModelHealthPage>();

        cut.WaitUntil(() => Assert.Equal("yolov8-v2.2", cut.Find("[data-exclusion]").GetAttribute("data-exclusion")));
        Assert.Empty(cut.FindAll("[data-exclusion-editor]"));
        Assert.Contains("Admins can exclude a model version", cut.Find("[data-exclusion-note]").TextContent);
    }

    [Fact]
    public void Anonymous_user_gets_no_editor()
    {
        var cut = Context.Render<ModelHealthPage>();
        cut.WaitUntil(() => Assert.NotNull(cut.Find("[data-exclusion-note]")));
        Assert.Empty(cut.FindAll("[data-exclusion-editor]"));
    }

    [Fact]
    public void Admin_adds_and_removes_an_exclusion()
    {
        User.SetAuthorized("admin-user");
        User.SetRoles("admin");
        var cut = Context.Render<ModelHealthPage>();
        cut.WaitUntil(() => Assert.NotNull(cut.Find("[data-exclusion-editor]")));
        Assert.Empty(cut.FindAll("[data-exclusion-note]"));

        cut.Find("input[data-field=model-version], [data-field=model-version] input").Change("  yolov8-v2.2 ");
        cut.Find("input[data-field=reason], [data-field=reason] input").Change("rollback after drift");
        cut.Find("[data-action=add-exclusion]").Click();

        cut.WaitUntil(() => Assert.Equal("yolov8-v2.2", cut.Find("[data-exclusion]").GetAttribute("data-exclusion")));
        var stored = Assert.Single(Health.Exclusions);
        Assert.Equal("rollback after drift", stored.Reason);
        Assert.Contains("rollback after drift", cut.Find("[data-exclusion-row='yolov8-v2.2']").TextContent);

        cut.Find("[data-exclusion-row='yolov8-v2.2'] [data-action=remove-exclusion]").Click();
        cut.WaitUntil(() => Assert.Empty(cut.FindAll("[data-exclusion]")));
        Assert.Empty(Health.Exclusions);
    }

    [Fact]
    public void Admin_cannot_add_a_blank_version()
    {
        User.SetAuthorized("admin-user");
        User.SetRoles("admin");
        var cut = Context.Render<ModelHealthPage>();
        cut.WaitUntil(() => Assert.NotNull(cut.Find("[data-exclusion-editor]")));

        cut.Find("[data-action=add-exclusion]").Click();

        cut.WaitUntil(() => Assert.Contains("Enter the model version", cut.Find(".form-error").TextContent));
        Assert.Empty(Health.Exclusions);
    }

    [Fact]
    public async Task Page_refreshes_when_alerts_change_and_when_events_are_stored_and_unsubscribes_on_dispose()
    {
        SeedFigures();
        var cut = Context.Render<ModelHealthPage>();
        cut.WaitUntil(() => Assert.Contains("health-warning", cut.Find("[data-health-status]").ClassList));
        Assert.Equal(1, Health.Subscribers);

        Health.Report = Report(HealthStatus.Critical, 0.7, 100,
            alerts: [new ModelAlert("critical-average", AlertKind.CriticalAverage, HealthStatus.Critical, null, "Average 0.70.", Utc)]);
        Health.RaiseChanged();
        cut.WaitUntil(() => Assert.Contains("health-critical", cut.Find("[data-health-status]").ClassList));
        Assert.Equal("critical-average", cut.Find("li[data-alert-id]").GetAttribute("data-alert-id"));

        // The feed spaces refreshes on the (fake) clock: let the minimum interval pass.
        Time.Advance(TimeSpan.FromSeconds(1));
        Health.Report = Report(HealthStatus.Healthy, 0.95, 100);
        Health.Distribution = new Dictionary<string, ModelShare> { ["yolov8-v2.3"] = new(10, 100.0) };
        await Notifier.PublishAsync(new EventsCommitted([Event(EventType.Working, confidence: 0.95)], Utc));
        cut.WaitUntil(() => Assert.Contains("health-healthy", cut.Find("[data-health-status]").ClassList));
        Assert.Equal("100.0 %", cut.Find("li[data-model='yolov8-v2.3'] .dist-pct").TextContent);

        await Context.DisposeComponentsAsync();
        Assert.Equal(0, Health.Subscribers);
    }
}
