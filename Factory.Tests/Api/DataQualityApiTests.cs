using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Factory.Core.Data;
using Factory.Core.DataQuality;
using Factory.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Factory.Tests.Api;

/// <summary>
/// GET /api/data-quality: the arrival lag of known events (received at the test clock's 15:00Z), late events,
/// and the duplicates and rejects counted per camera and reason once flushed.
/// </summary>
public sealed class DataQualityApiTests : ApiTest
{
    private static readonly DateTimeOffset Now = FactoryApp.Start;
    private const string Window = "start_time=2026-01-21T10:00:00Z&end_time=2026-01-21T16:00:00Z";

    /// <summary>
    /// Flushes the counts, then lets a minute pass: the frozen clock would otherwise leave "now" (the end of the
    /// window) exactly at the start of the hour the counts were made in, which a window ending then does not touch.
    /// </summary>
    private async Task FlushAsync()
    {
        await _app.GetService<IngestionQualityCounter>().FlushAsync(TestContext.Current.CancellationToken);
        _app.Time.Advance(TimeSpan.FromMinutes(1));
    }

    private async Task<JsonElement> ReportAsync(string query = Window)
    {
        using var viewer = _app.CreateClientAs("viewer");
        var response = await viewer.GetAsync("/api/data-quality?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    private static JsonElement Camera(JsonElement report, string id) =>
        report.GetProperty("cameras").EnumerateArray().Single(c => c.GetProperty("camera_id").GetString() == id);

    private static void Near(double expected, JsonElement value, double relative = 0.002) =>
        Assert.InRange(value.GetDouble(), expected * (1 - relative) - 1e-9, expected * (1 + relative) + 1e-9);

    [Fact]
    public async Task Lag_distribution_late_count_and_per_camera_figures_over_known_events()
    {
        // One event per histogram bucket; the three above 2 min are late.
        (double LagSeconds, string Camera)[] events =
            [(0.5, "CAM-01"), (3, "CAM-01"), (10, "CAM-01"), (60, "CAM-02"), (300, "CAM-02"), (1200, "CAM-02"), (7200, "CAM-02")];
        var i = 0;
        foreach (var (lagSeconds, camera) in events)
        {
            // Different workers keep the dedup keys apart.
            var e = FactoryHttp.Event(Now.AddSeconds(-lagSeconds), worker: $"W{++i % 6 + 1}", camera: camera);
            Assert.Equal(HttpStatusCode.Created, (await _client.PostEventAsync(e)).StatusCode);
        }

        var report = await ReportAsync();

        Assert.Equal(120, report.GetProperty("late_after_seconds").GetDouble());
        Assert.Equal(7, report.GetProperty("events").GetInt64());
        Assert.Equal(3, report.GetProperty("late_events").GetInt64());
        Assert.Equal(42.86, report.GetProperty("late_percentage").GetDouble());
        var lag = report.GetProperty("lag");
        Near(60, lag.GetProperty("p50_seconds"));
        Near(1200 + 0.4 * 6000, lag.GetProperty("p90_seconds")); // percentile_cont between the 6th and 7th lag
        Assert.Equal(7200, lag.GetProperty("max_seconds").GetDouble());
        var histogram = lag.GetProperty("histogram").EnumerateArray().ToList();
        Assert.Equal([1, 1, 1, 1, 1, 1, 1], histogram.Select(b => b.GetProperty("count").GetInt64()));
        Assert.Equal(JsonValueKind.Null, histogram[0].GetProperty("lower_seconds").ValueKind);
        Assert.Equal((1.0, 5.0), (histogram[1].GetProperty("lower_seconds").GetDouble(), histogram[1].GetProperty("upper_seconds").GetDouble()));
        Assert.Equal(JsonValueKind.Null, histogram[^1].GetProperty("upper_seconds").ValueKind);

        var cam1 = Camera(report, "CAM-01");
        Assert.Equal((3, 0), (cam1.GetProperty("events").GetInt64(), cam1.GetProperty("late_events").GetInt64()));
        Near(3, cam1.GetProperty("lag_p50_seconds"));
        Assert.Equal(10, cam1.GetProperty("max_lag_seconds").GetDouble());
        Assert.Equal(Now.UtcDateTime, cam1.GetProperty("last_received_at").GetDateTime().ToUniversalTime());
        var cam2 = Camera(report, "CAM-02");
        Assert.Equal((4, 3), (cam2.GetProperty("events").GetInt64(), cam2.GetProperty("late_events").GetInt64()));
        Near(1200 + 0.85 * 6000, cam2.GetProperty("lag_p95_seconds"));
        Assert.Equal(0, cam2.GetProperty("duplicates").GetInt64());
    }

    [Fact]
    public async Task Window_selects_events_by_timestamp()
    {
        await _client.PostEventAsync(FactoryHttp.Event(Now.AddHours(-3), worker: "W1"));
        await _client.PostEventAsync(FactoryHttp.Event(Now.AddMinutes(-1), worker: "W2"));

        var report = await ReportAsync("start_time=2026-01-21T13:00:00Z&end_time=2026-01-21T15:00:00Z");

        Assert.Equal(1, report.GetProperty("events").GetInt64());
        Assert.Equal(0, report.GetProperty("late_events").GetInt64());
        Near(60, report.GetProperty("lag").GetProperty("max_seconds"));
    }

    [Fact]
    public async Task Empty_window_has_zero_counts_and_null_percentiles()
    {
        var report = await ReportAsync();

        Assert.Equal(0, report.GetProperty("events").GetInt64());
        Assert.Equal(0, report.GetProperty("late_percentage").GetDouble());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("lag").GetProperty("p50_seconds").ValueKind);
        Assert.All(report.GetProperty("lag").GetProperty("histogram").EnumerateArray(), b => Assert.Equal(0, b.GetProperty("count").GetInt64()));
        Assert.Empty(report.GetProperty("cameras").EnumerateArray());
    }

    [Fact]
    public async Task Late_filter_on_the_event_log_lists_only_events_above_the_threshold()
    {
        await _client.PostEventAsync(FactoryHttp.Event(Now.AddSeconds(-30), worker: "W1"));
        await _client.PostEventAsync(FactoryHttp.Event(Now.AddMinutes(-5), worker: "W2"));
        await _client.PostEventAsync(FactoryHttp.Event(Now.AddSeconds(-120), worker: "W3")); // exactly the threshold: not late

        using var viewer = _app.CreateClientAs("viewer");
        var late = await viewer.GetFromJsonAsync<JsonElement>("/api/events?late=true&worker_id=W2", TestContext.Current.CancellationToken);
        var all = await viewer.GetFromJsonAsync<JsonElement>("/api/events?late=true", TestContext.Current.CancellationToken);
        var bad = await viewer.GetAsync("/api/events?late=maybe", TestContext.Current.CancellationToken);

        Assert.Equal(["W2"], all.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("worker_id").GetString()));
        Assert.Single(late.GetProperty("items").EnumerateArray());
        var problem = await ProblemAssert.IsProblemAsync(bad, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("late", out _));
    }

    [Fact]
    public async Task The_events_export_takes_the_same_late_filter_as_the_event_log()
    {
        await _client.PostEventAsync(FactoryHttp.Event(Now.AddSeconds(-30), worker: "W1"));
        await _client.PostEventAsync(FactoryHttp.Event(Now.AddMinutes(-5), worker: "W2"));
        await _client.PostEventAsync(FactoryHttp.Event(Now.AddMinutes(-7), worker: "W4"));

        using var viewer = _app.CreateClientAs("viewer");
        var csv = await viewer.GetStringAsync("/api/export/events.csv?late=true", TestContext.Current.CancellationToken);
        var page = await viewer.GetFromJsonAsync<JsonElement>("/api/events?late=true", TestContext.Current.CancellationToken);
        var bad = await viewer.GetAsync("/api/export/events.csv?late=sometimes", TestContext.Current.CancellationToken);

        var workers = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')[3]).ToList();
        Assert.Equal(["W2", "W4"], workers);
        Assert.Equal(workers, page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("worker_id").GetString()));
        var problem = await ProblemAssert.IsProblemAsync(bad, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("late", out _));
    }

    [Fact]
    public async Task Duplicates_and_rejects_are_counted_per_camera_and_reason_after_a_flush()
    {
        var first = FactoryHttp.Event(Now.AddMinutes(-1), camera: "CAM-01");
        await _client.PostEventAsync(first);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostEventAsync(first)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await _client.PostEventAsync(FactoryHttp.Event(Now.AddMinutes(-1), worker: "W99", camera: "CAM-02"))).StatusCode);
        var batch = await _client.PostBatchAsync(
        [
            first,                                                                     // duplicate, CAM-01
            FactoryHttp.Event(Now.AddMinutes(-2), confidence: 1.5, camera: "CAM-02"),  // validation
            FactoryHttp.Event(Now.AddHours(1), camera: "CAM-03"),                      // clock_skew
            FactoryHttp.Event(Now.AddMinutes(-3), type: "dancing", camera: null),      // validation, no camera
        ]);
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);

        var before = await ReportAsync();
        await FlushAsync();
        var report = await ReportAsync();

        Assert.DoesNotContain(before.GetProperty("cameras").EnumerateArray(), c => c.GetProperty("duplicates").GetInt64() + c.GetProperty("rejected").GetInt64() > 0);
        Assert.Equal(2, Camera(report, "CAM-01").GetProperty("duplicates").GetInt64());
        Assert.Equal(0, Camera(report, "CAM-01").GetProperty("rejected").GetInt64());
        var cam2 = Camera(report, "CAM-02");
        Assert.Equal(2, cam2.GetProperty("rejected").GetInt64());
        Assert.Equal(0, cam2.GetProperty("events").GetInt64());
        Assert.Equal(1, cam2.GetProperty("rejected_by_reason").GetProperty("unknown_worker").GetInt64());
        Assert.Equal(1, cam2.GetProperty("rejected_by_reason").GetProperty("validation").GetInt64());
        Assert.Equal(1, Camera(report, "CAM-03").GetProperty("rejected_by_reason").GetProperty("clock_skew").GetInt64());
        Assert.Equal(1, Camera(report, "(none)").GetProperty("rejected_by_reason").GetProperty("validation").GetInt64());
        Assert.Equal(0, _app.GetService<IngestionQualityCounter>().Pending);
    }

    [Fact]
    public async Task Hostile_camera_ids_of_rejected_items_are_counted_under_a_placeholder()
    {
        var longId = new string('x', 5000);
        var batch = await _client.PostBatchAsync(
        [
            FactoryHttp.Event(Now.AddMinutes(-1), camera: longId),
            FactoryHttp.Event(Now.AddMinutes(-2), camera: "CAM\u0001\n'; DROP TABLE events;--"),
            new { timestamp = "2026-01-21T14:00:00Z", worker_id = "W1", workstation_id = "S1", event_type = "working", confidence = 0.9, camera_id = 42 },
            "not an object",
        ]);
        Assert.Equal(0, (await batch.JsonAsync()).GetProperty("accepted").GetInt32());

        await FlushAsync();
        var report = await ReportAsync();

        Assert.Equal(3, Camera(report, QualityCameras.Invalid).GetProperty("rejected_by_reason").GetProperty("validation").GetInt64());
        Assert.Equal(1, Camera(report, QualityCameras.None).GetProperty("rejected").GetInt64());
        await using var scope = _app.Services.CreateAsyncScope();
        var stored = await scope.ServiceProvider.GetRequiredService<FactoryDbContext>().IngestionQuality.Select(c => c.CameraId).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal([QualityCameras.Invalid, QualityCameras.None], stored.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Two_counters_adding_to_the_same_bucket_add_up()
    {
        // Two instances of a scaled-out deployment: each upserts its own increments into the same rows.
        var options = Options.Create(new DataQualityOptions());
        var scopes = _app.GetService<IServiceScopeFactory>();
        var a = new IngestionQualityCounter(scopes, _app.Time, options);
        var b = new IngestionQualityCounter(scopes, _app.Time, options);
        for (var round = 0; round < 3; round++)
        {
            a.RecordDuplicate("CAM-07", 2);
            b.RecordDuplicate("CAM-07", 5);
            a.RecordRejected("CAM-07", "validation");
            b.RecordRejected("CAM-07", "validation", 10);
            await Task.WhenAll(a.FlushAsync(TestContext.Current.CancellationToken), b.FlushAsync(TestContext.Current.CancellationToken));
        }

        _app.Time.Advance(TimeSpan.FromMinutes(1));

        var report = await ReportAsync();

        var cam = Camera(report, "CAM-07");
        Assert.Equal(3 * 7, cam.GetProperty("duplicates").GetInt64());
        Assert.Equal(3 * 11, cam.GetProperty("rejected_by_reason").GetProperty("validation").GetInt64());
        await using var scope = _app.Services.CreateAsyncScope();
        Assert.Equal(2, await scope.ServiceProvider.GetRequiredService<FactoryDbContext>().IngestionQuality.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Background_flush_runs_every_flush_interval_of_the_clock()
    {
        var counter = _app.GetService<IngestionQualityCounter>();
        var e = FactoryHttp.Event(Now.AddMinutes(-1), camera: "CAM-01");
        await _client.PostEventAsync(e);
        await _client.PostEventAsync(e);
        Assert.Equal(1, counter.Pending);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (counter.Pending > 0 && DateTime.UtcNow < deadline)
        {
            // The flusher's timer runs on the fake clock: each step may be the tick it waits for.
            _app.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, counter.Pending);
        var report = await ReportAsync();
        Assert.Equal(1, Camera(report, "CAM-01").GetProperty("duplicates").GetInt64());
    }

    [Fact]
    public async Task Counts_are_kept_by_hour_of_receipt_and_selected_by_the_hours_the_window_touches()
    {
        var counter = _app.GetService<IngestionQualityCounter>();
        counter.RecordDuplicate("CAM-01");
        _app.Time.Advance(TimeSpan.FromHours(2)); // 17:00
        counter.RecordDuplicate("CAM-01", 4);
        await FlushAsync();

        var early = await ReportAsync("start_time=2026-01-21T15:30:00Z&end_time=2026-01-21T16:00:00Z");
        var late = await ReportAsync("start_time=2026-01-21T16:00:00Z&end_time=2026-01-21T18:00:00Z");

        Assert.Equal(1, Camera(early, "CAM-01").GetProperty("duplicates").GetInt64());
        Assert.Equal(4, Camera(late, "CAM-01").GetProperty("duplicates").GetInt64());
    }

    [Fact]
    public async Task Retention_deletes_counts_of_hours_older_than_the_period()
    {
        var counter = _app.GetService<IngestionQualityCounter>();
        counter.RecordRejected("CAM-01", "validation");
        await FlushAsync();
        _app.Time.Advance(TimeSpan.FromDays(91));
        counter.RecordRejected("CAM-01", "validation");
        await FlushAsync();

        await _app.GetService<RetentionService>().PurgeAsync(TestContext.Current.CancellationToken);

        await using var scope = _app.Services.CreateAsyncScope();
        var hours = await scope.ServiceProvider.GetRequiredService<FactoryDbContext>().IngestionQuality.Select(c => c.HourStart).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal([Now.UtcDateTime.AddDays(91)], hours);
    }

    [Theory]
    [InlineData("start_time=yesterday", "start_time")]
    [InlineData("end_time=2026-01-21T10:00:00", "end_time")]
    [InlineData("start_time=2026-01-21T12:00:00Z&end_time=2026-01-21T12:00:00Z", "start_time")]
    public async Task Bad_window_is_a_400_naming_the_parameter(string query, string parameter)
    {
        using var viewer = _app.CreateClientAs("viewer");
        var response = await viewer.GetAsync("/api/data-quality?" + query, TestContext.Current.CancellationToken);

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Fact]
    public async Task Report_needs_a_key_when_viewers_must_sign_in()
    {
        await using var app = new FactoryApp(new Dictionary<string, string?> { ["Auth:RequireViewer"] = "true" });
        using var anonymous = app.CreateClientAs(null);
        using var camera = app.CreateClientAs("camera");
        using var viewer = app.CreateClientAs("viewer");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/data-quality", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/data-quality", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await camera.GetAsync("/api/data-quality", TestContext.Current.CancellationToken)).StatusCode);
    }
}
