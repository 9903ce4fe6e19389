using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

public sealed class ModelHealthApiTests : ApiTest
{
    private DateTimeOffset Now => _app.Time.GetUtcNow();

    private async Task Post(IEnumerable<object> events)
    {
        foreach (var chunk in events.Chunk(1000))
        {
            var response = await _client.PostBatchAsync(chunk);
            response.EnsureSuccessStatusCode();
            var json = await response.JsonAsync();
            Assert.Equal(0, json.GetProperty("rejected").GetArrayLength());
        }
    }

    /// <summary>
    /// n events, one a second, ending just before <paramref name="end"/>, for one camera; each camera's events are
    /// offset by a few milliseconds so that two cameras never share a dedup key.
    /// </summary>
    private static IEnumerable<object> Events(DateTimeOffset end, int n, double confidence, string camera = "CAM-01", string model = "yolov8-v2.1") =>
        Enumerable.Range(1, n).Select(i => FactoryHttp.Event(end.AddSeconds(-i).AddMilliseconds(-10 * (camera[^1] - '0')), worker: $"W{i % 6 + 1}", station: $"S{i % 6 + 1}",
            type: "working", confidence: confidence, camera: camera, model: model));

    private async Task<JsonElement> Health() => await _client.GetFromJsonAsync<JsonElement>("/api/metrics/model-health");

    [Fact]
    public async Task Empty_database_is_healthy_with_no_samples_and_says_why()
    {
        var health = await Health();
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.Equal(0, health.GetProperty("samples").GetInt32());
        Assert.Contains("No events", health.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData(0.90, "Healthy")]
    [InlineData(0.85, "Healthy")]
    [InlineData(0.84, "Warning")]
    [InlineData(0.75, "Warning")]
    [InlineData(0.74, "Critical")]
    public async Task Status_follows_the_thresholds(double confidence, string status)
    {
        await Post(Events(Now, 100, confidence));
        var health = await Health();
        Assert.Equal(status, health.GetProperty("status").GetString());
        Assert.Equal(confidence, health.GetProperty("avg_confidence").GetDouble(), 6);
        Assert.Equal(100, health.GetProperty("samples").GetInt32());
    }

    [Fact]
    public async Task Average_covers_the_latest_100_by_timestamp_including_low_confidence_events()
    {
        // Newer events arrive first, older ones later: the average must still take the newest 100 by timestamp.
        await Post(Events(Now, 100, 0.60));
        await Post(Events(Now.AddHours(-1), 300, 0.95));

        var health = await Health();
        Assert.Equal(0.60, health.GetProperty("avg_confidence").GetDouble(), 6);
        Assert.Equal("Critical", health.GetProperty("status").GetString());
        var alert = health.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("kind").GetString() == "critical_average");
        Assert.Equal("Critical", alert.GetProperty("severity").GetString());
        Assert.Equal(Now.UtcDateTime, alert.GetProperty("started_at").GetDateTime().ToUniversalTime());
    }

    [Fact]
    public async Task Critical_alert_keeps_its_start_and_clears_when_confidence_recovers()
    {
        await Post(Events(Now.AddMinutes(-5), 100, 0.6));
        var started = (await Health()).GetProperty("alerts")[0].GetProperty("started_at").GetDateTime();

        _app.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(started, (await Health()).GetProperty("alerts")[0].GetProperty("started_at").GetDateTime());

        await Post(Events(Now, 100, 0.95));
        var health = await Health();
        Assert.DoesNotContain(health.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("kind").GetString() == "critical_average");
    }

    [Fact]
    public async Task Per_camera_figures_count_every_event_and_the_share_below_threshold()
    {
        await Post(Events(Now, 8, 0.9, camera: "CAM-01").Concat(Events(Now.AddMinutes(-1), 2, 0.5, camera: "CAM-01")));
        await Post(Events(Now, 4, 0.8, camera: "CAM-02"));

        var cameras = (await Health()).GetProperty("cameras").EnumerateArray().ToDictionary(c => c.GetProperty("camera_id").GetString()!);
        Assert.Equal(10, cameras["CAM-01"].GetProperty("samples").GetInt64());
        Assert.Equal((8 * 0.9 + 2 * 0.5) / 10, cameras["CAM-01"].GetProperty("avg_confidence").GetDouble(), 4);
        Assert.Equal(0.2, cameras["CAM-01"].GetProperty("low_confidence_share").GetDouble(), 6);
        Assert.Equal(Now.AddSeconds(-1).AddMilliseconds(-10).UtcDateTime, cameras["CAM-01"].GetProperty("last_event").GetDateTime().ToUniversalTime());
        Assert.Equal(4, cameras["CAM-02"].GetProperty("samples").GetInt64());
        Assert.False(cameras["CAM-01"].GetProperty("offline").GetBoolean());
    }

    [Fact]
    public async Task Silent_camera_is_flagged_while_others_report_and_cleared_when_it_returns()
    {
        await Post(Events(Now, 5, 0.9, camera: "CAM-01").Concat(Events(Now, 5, 0.9, camera: "CAM-02")));
        _app.Time.Advance(TimeSpan.FromMinutes(11));
        await Post(Events(Now, 5, 0.9, camera: "CAM-02"));

        var health = await Health();
        var cam1 = health.GetProperty("cameras").EnumerateArray().Single(c => c.GetProperty("camera_id").GetString() == "CAM-01");
        Assert.True(cam1.GetProperty("offline").GetBoolean());
        var alert = health.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("kind").GetString() == "camera_silent");
        Assert.Equal("CAM-01", alert.GetProperty("camera_id").GetString());

        await Post(Events(Now.AddMilliseconds(-500), 1, 0.9, camera: "CAM-01"));
        health = await Health();
        Assert.DoesNotContain(health.GetProperty("alerts").EnumerateArray(), a => a.GetProperty("kind").GetString() == "camera_silent");
    }

    [Fact]
    public async Task Hour_over_hour_drop_above_ten_percent_raises_overall_and_camera_alerts()
    {
        // Now is 15:00; the last two full hours are 13:00–14:00 and 14:00–15:00.
        await Post(Events(Now.AddHours(-1), 600, 0.95, camera: "CAM-01"));
        await Post(Events(Now, 600, 0.84, camera: "CAM-01"));
        await Post(Events(Now.AddHours(-1), 600, 0.90, camera: "CAM-02"));
        await Post(Events(Now, 600, 0.89, camera: "CAM-02"));

        var alerts = (await Health()).GetProperty("alerts").EnumerateArray().Where(a => a.GetProperty("kind").GetString() == "confidence_drop").ToList();
        Assert.Contains(alerts, a => a.GetProperty("id").GetString() == "drop:CAM-01");
        Assert.DoesNotContain(alerts, a => a.GetProperty("id").GetString() == "drop:CAM-02");
        // Overall: 0.925 → 0.865 is a 6.5 % drop: no overall alert.
        Assert.DoesNotContain(alerts, a => a.GetProperty("id").GetString() == "drop:overall");
    }

    [Fact]
    public async Task Hour_over_hour_drop_clears_when_the_next_hour_is_steady()
    {
        await Post(Events(Now.AddHours(-1), 600, 0.95));
        await Post(Events(Now, 600, 0.80));
        Assert.Contains((await Health()).GetProperty("alerts").EnumerateArray(), a => a.GetProperty("id").GetString() == "drop:overall");

        _app.Time.Advance(TimeSpan.FromHours(1));
        await Post(Events(Now, 600, 0.80));
        Assert.DoesNotContain((await Health()).GetProperty("alerts").EnumerateArray(), a => a.GetProperty("id").GetString() == "drop:overall");
    }

    [Fact]
    public async Task Distribution_counts_events_per_model_version_with_percentages()
    {
        await Post(Events(Now, 30, 0.9, model: "v2.0").Concat(Events(Now.AddMinutes(-10), 10, 0.9, model: "v2.1")));
        await Post(Events(Now.AddDays(-40), 50, 0.9, model: "v1.0"));

        var distribution = await _client.GetFromJsonAsync<JsonElement>("/api/metrics/model-distribution?days=30");
        Assert.Equal(30, distribution.GetProperty("v2.0").GetProperty("count").GetInt64());
        Assert.Equal(75.0, distribution.GetProperty("v2.0").GetProperty("pct").GetDouble());
        Assert.Equal(25.0, distribution.GetProperty("v2.1").GetProperty("pct").GetDouble());
        Assert.False(distribution.TryGetProperty("v1.0", out _));
    }

    [Theory]
    [InlineData("/api/metrics/model-distribution?days=0", "days")]
    [InlineData("/api/metrics/model-distribution?days=366", "days")]
    [InlineData("/api/metrics/model-distribution?days=abc", "days")]
    [InlineData("/api/metrics/model-health/trend?bucket=week", "bucket")]
    [InlineData("/api/metrics/model-health/heatmap?hours=0", "hours")]
    public async Task Bad_parameters_are_400_naming_the_parameter(string url, string parameter)
    {
        using var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Fact]
    public async Task Trend_and_heatmap_give_means_per_version_and_per_camera_hour()
    {
        await Post(Events(Now.AddHours(-1), 10, 0.9, camera: "CAM-01", model: "v2.0"));
        await Post(Events(Now, 10, 0.7, camera: "CAM-01", model: "v2.1"));

        var trend = await _client.GetFromJsonAsync<JsonElement>("/api/metrics/model-health/trend?days=7&bucket=hour");
        var points = trend.EnumerateArray().ToList();
        Assert.Equal(2, points.Count);
        Assert.Equal("v2.0", points[0].GetProperty("model_version").GetString());
        Assert.Equal(0.9, points[0].GetProperty("avg_confidence").GetDouble(), 6);

        var heatmap = await _client.GetFromJsonAsync<JsonElement>("/api/metrics/model-health/heatmap?hours=24");
        var cells = heatmap.EnumerateArray().ToList();
        Assert.Equal(2, cells.Count);
        Assert.All(cells, c => Assert.Equal("CAM-01", c.GetProperty("camera_id").GetString()));
        Assert.Equal(0.7, cells[1].GetProperty("avg_confidence").GetDouble(), 6);
    }

    [Fact]
    public async Task Model_exclusions_can_be_added_listed_and_removed()
    {
        using var created = await _client.PostAsJsonAsync("/api/admin/model-exclusions", new { model_version = "yolov8-v2.1-buggy", reason = "rollback" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var again = await _client.PostAsJsonAsync("/api/admin/model-exclusions", new { model_version = "yolov8-v2.1-buggy" });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        var list = await _client.GetFromJsonAsync<JsonElement>("/api/admin/model-exclusions");
        Assert.Equal("yolov8-v2.1-buggy", list[0].GetProperty("model_version").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync("/api/admin/model-exclusions/yolov8-v2.1-buggy")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.DeleteAsync("/api/admin/model-exclusions/yolov8-v2.1-buggy")).StatusCode);
        using var missing = await _client.PostAsJsonAsync("/api/admin/model-exclusions", new { reason = "no version" });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    [Fact]
    public async Task Excluding_a_version_changes_past_worker_metrics_and_restoring_it_brings_them_back()
    {
        // W1 worked 10:00–10:05 seen by v-bad and produced 4 units seen by v-bad, plus 1 unit seen by v-good.
        var at = FactoryApp.Start.AddHours(-5);
        await Post([
            FactoryHttp.Event(at, worker: "W1", type: "working", model: "v-bad"),
            FactoryHttp.Event(at.AddMinutes(1), worker: "W1", type: "product_count", count: 4, model: "v-bad"),
            FactoryHttp.Event(at.AddMinutes(2), worker: "W1", type: "product_count", count: 1, model: "v-good"),
        ]);
        var url = $"/api/metrics/workers?worker_id=W1&start_time={Uri.EscapeDataString(at.AddHours(-1).ToString("O"))}&end_time={Uri.EscapeDataString(at.AddHours(1).ToString("O"))}";
        async Task<(double Working, long Units)> Figures()
        {
            var w = (await _client.GetFromJsonAsync<JsonElement>(url))[0];
            return (w.GetProperty("working_hours").GetDouble(), w.GetProperty("total_units_produced").GetInt64());
        }

        var before = await Figures();
        Assert.Equal(5.0 / 60, before.Working, 9);
        Assert.Equal(5, before.Units);

        (await _client.PostAsJsonAsync("/api/admin/model-exclusions", new { model_version = "v-bad" })).EnsureSuccessStatusCode();
        Assert.Equal((0.0, 1L), await Figures());
        var health = await Health();
        Assert.Equal(3, health.GetProperty("samples").GetInt32());

        (await _client.DeleteAsync("/api/admin/model-exclusions/v-bad")).EnsureSuccessStatusCode();
        Assert.Equal(before, await Figures());
    }

    [Fact]
    public async Task Model_exclusions_need_the_admin_role()
    {
        using var response = await _app.CreateClientAs("viewer").PostAsJsonAsync("/api/admin/model-exclusions", new { model_version = "x" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
