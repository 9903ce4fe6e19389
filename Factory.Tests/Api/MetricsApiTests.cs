using System.Net;
using System.Text.Json;
using Factory.Core.Data;
using Factory.Core.Metrics;
using Factory.Core.Registry;
using Factory.Core.Time;
using Factory.Tests.Core.Metrics;
using Factory.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Factory.Tests.Api;

public sealed class MetricsApiTests : ApiTest
{
    private static readonly DateTimeOffset Now = FactoryApp.Start;

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<JsonElement> GetOkAsync(string url)
    {
        var response = await _client.GetAsync(url);
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
        return body;
    }

    private async Task PostAsync(params object[] events)
    {
        var response = await _client.PostBatchAsync(events);
        var body = await response.JsonAsync();
        Assert.Equal(events.Length, body.GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task Worker_seen_working_20_minutes_ago_has_5_minutes_working_15_absent_and_status_absent()
    {
        await PostAsync(FactoryHttp.Event(Now.AddMinutes(-20), "W1", "S1", "working"), FactoryHttp.Event(Now.AddMinutes(-19), "W1", "S2", "product_count", count: 3));

        var list = await GetOkAsync("/api/metrics/workers?worker_id=W1");

        var w = Assert.Single(list.EnumerateArray());
        Assert.Equal("W1", w.GetProperty("worker_id").GetString());
        Assert.Equal("Amara Okafor", w.GetProperty("worker_name").GetString());
        Assert.Equal(5.0 / 60, w.GetProperty("working_hours").GetDouble(), 12);
        Assert.Equal(15.0 / 60, w.GetProperty("absent_hours").GetDouble(), 12);
        Assert.Equal(25, w.GetProperty("utilization_percentage").GetDouble(), 9);
        Assert.Equal(3, w.GetProperty("total_units_produced").GetInt64());
        Assert.Equal(36, w.GetProperty("units_per_hour").GetDouble(), 9);
        Assert.Equal("absent", w.GetProperty("status").GetString());
        Assert.Equal(Now.AddMinutes(-19).UtcDateTime, w.GetProperty("last_seen").GetDateTime().ToUniversalTime());

        var stations = await GetOkAsync("/api/metrics/workstations?workstation_id=S2");
        Assert.Equal(3, stations[0].GetProperty("total_units_produced").GetInt64());
        Assert.Equal("Assembly Line B", stations[0].GetProperty("workstation_name").GetString());
    }

    [Fact]
    public async Task Lists_contain_every_registry_entry_even_without_data_and_status_is_snake_case()
    {
        var workers = await GetOkAsync("/api/metrics/workers");
        var stations = await GetOkAsync("/api/metrics/workstations");
        var factory = await GetOkAsync("/api/metrics/factory");

        Assert.Equal(["W1", "W2", "W3", "W4", "W5", "W6"], workers.EnumerateArray().Select(w => w.GetProperty("worker_id").GetString()));
        Assert.All(workers.EnumerateArray(), w => Assert.Equal("off_shift", w.GetProperty("status").GetString()));
        Assert.Equal(6, stations.GetArrayLength());
        Assert.Equal(0, factory.GetProperty("tracked_hours").GetDouble());
        Assert.Equal(6, factory.GetProperty("total_workers").GetInt32());
        Assert.Equal(Now.UtcDateTime, factory.GetProperty("end_time").GetDateTime().ToUniversalTime());
        Assert.Equal(Now.AddHours(-24).UtcDateTime, factory.GetProperty("start_time").GetDateTime().ToUniversalTime());
    }

    [Theory]
    [InlineData("/api/metrics/workers?start_time=yesterday", "start_time")]
    [InlineData("/api/metrics/workers?end_time=2026-01-21T10:00:00", "end_time")]
    [InlineData("/api/metrics/workstations?as_of=2026-13-01T00:00:00Z", "as_of")]
    [InlineData("/api/metrics/factory?start_time=2026-01-21T10:00:00Z&end_time=2026-01-21T10:00:00Z", "start_time")]
    [InlineData("/api/metrics/factory?start_time=2026-01-21T12:00:00%2B02:00&end_time=2026-01-21T09:00:00Z", "start_time")]
    [InlineData("/api/metrics/timeseries?bucket=week", "bucket")]
    [InlineData("/api/metrics/timeseries?bucket=hour&worker_id=", "worker_id")]
    public async Task Bad_query_values_are_a_400_naming_the_parameter(string url, string parameter)
    {
        var response = await _client.GetAsync(url);
        var body = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(body.GetProperty("errors").TryGetProperty(parameter, out _), body.ToString());
    }

    [Theory]
    [InlineData("/api/metrics/workers?worker_id=W99")]
    [InlineData("/api/metrics/workstations?workstation_id=S99")]
    [InlineData("/api/metrics/timeseries?worker_id=W99")]
    [InlineData("/api/metrics/timeseries?workstation_id=S99")]
    public async Task Filtering_by_an_unknown_id_is_a_404_problem(string url)
    {
        var response = await _client.GetAsync(url);
        var body = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("99", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task As_of_hides_an_event_received_later()
    {
        await PostAsync(FactoryHttp.Event(Now.AddMinutes(-10), "W1", "S1", "working"));
        _app.Time.Advance(TimeSpan.FromMinutes(10));
        await PostAsync(FactoryHttp.Event(Now.AddMinutes(-8), "W1", "S1", "idle"));

        var before = (await GetOkAsync($"/api/metrics/workers?worker_id=W1&as_of={Iso(Now.AddMinutes(5))}"))[0];
        var after = (await GetOkAsync("/api/metrics/workers?worker_id=W1"))[0];
        var factoryBefore = await GetOkAsync($"/api/metrics/factory?as_of={Iso(Now.AddMinutes(5))}");

        // As of 15:05 only 14:50 working is known: 5 working + 10 absent.
        Assert.Equal(5.0 / 60, before.GetProperty("working_hours").GetDouble(), 12);
        Assert.Equal(0, before.GetProperty("idle_hours").GetDouble());
        Assert.Equal(10.0 / 60, before.GetProperty("absent_hours").GetDouble(), 12);
        Assert.Equal(1, factoryBefore.GetProperty("events_in_window").GetInt64());
        // Now (15:10): 14:50 working 2 min, 14:52 idle 5 min, then 13 min absent.
        Assert.Equal(2.0 / 60, after.GetProperty("working_hours").GetDouble(), 12);
        Assert.Equal(5.0 / 60, after.GetProperty("idle_hours").GetDouble(), 12);
        Assert.Equal(13.0 / 60, after.GetProperty("absent_hours").GetDouble(), 12);
    }

    [Fact]
    public async Task Window_wholly_after_a_past_as_of_reports_status_and_active_workers_at_the_clipped_end()
    {
        await PostAsync(FactoryHttp.Event(Now.AddMinutes(-3), "W1", "S2", "working"));
        _app.Time.Advance(TimeSpan.FromHours(1));
        await PostAsync(FactoryHttp.Event(Now.AddMinutes(30), "W2", "S3", "idle"));

        // As of 15:00 the window [17:00, 18:00) lies wholly in the future: empty, but status describes 15:00,
        // when W1 had been working for 3 minutes (the event is older than the window's start minus OffShiftGap).
        var query = $"start_time={Iso(Now.AddHours(2))}&end_time={Iso(Now.AddHours(3))}&as_of={Iso(Now)}";
        var w1 = (await GetOkAsync($"/api/metrics/workers?worker_id=W1&{query}"))[0];
        var s2 = (await GetOkAsync($"/api/metrics/workstations?workstation_id=S2&{query}"))[0];
        var factory = await GetOkAsync($"/api/metrics/factory?{query}");

        Assert.Equal("working", w1.GetProperty("status").GetString());
        Assert.Equal(Now.AddMinutes(-3).UtcDateTime, w1.GetProperty("last_seen").GetDateTime().ToUniversalTime());
        Assert.Equal(0, w1.GetProperty("working_hours").GetDouble());
        Assert.Equal(1, s2.GetProperty("active_workers").GetInt32());
        Assert.Equal(1, factory.GetProperty("active_workers").GetInt32());
        Assert.Equal(0, factory.GetProperty("events_in_window").GetInt64());
    }

    [Fact]
    public async Task Low_confidence_events_are_stored_and_counted_but_not_in_durations()
    {
        await PostAsync(
            FactoryHttp.Event(Now.AddMinutes(-30), "W2", "S3", "working"),
            FactoryHttp.Event(Now.AddMinutes(-28), "W2", "S3", "idle", confidence: 0.4));

        var factory = await GetOkAsync($"/api/metrics/factory?start_time={Iso(Now.AddHours(-1))}");
        var w2 = (await GetOkAsync("/api/metrics/workers?worker_id=W2"))[0];

        Assert.Equal(2, factory.GetProperty("events_in_window").GetInt64());
        Assert.Equal(1, factory.GetProperty("low_confidence_events").GetInt64());
        Assert.Equal(5.0 / 60, w2.GetProperty("working_hours").GetDouble(), 12);
        Assert.Equal(0, w2.GetProperty("idle_hours").GetDouble());
    }

    [Fact]
    public async Task Excluding_a_model_version_removes_its_events_from_metrics()
    {
        await PostAsync(
            FactoryHttp.Event(Now.AddMinutes(-30), "W1", "S1", "working", model: "v1"),
            FactoryHttp.Event(Now.AddMinutes(-28), "W1", "S1", "idle", model: "v2"));
        var before = (await GetOkAsync("/api/metrics/workers?worker_id=W1"))[0];

        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
            db.ModelExclusions.Add(new ModelExclusion { ModelVersion = "v2", CreatedAt = Now.UtcDateTime });
            await db.SaveChangesAsync();
        }

        var after = (await GetOkAsync("/api/metrics/workers?worker_id=W1"))[0];

        Assert.Equal(5.0 / 60, before.GetProperty("idle_hours").GetDouble(), 12);
        Assert.Equal(0, after.GetProperty("idle_hours").GetDouble());
        Assert.Equal(5.0 / 60, after.GetProperty("working_hours").GetDouble(), 12);
        Assert.Equal(25.0 / 60, after.GetProperty("absent_hours").GetDouble(), 12);
    }

    [Fact]
    public async Task Timeseries_returns_hourly_buckets_of_the_window()
    {
        await PostAsync(
            FactoryHttp.Event(Now.AddMinutes(-70), "W1", "S1", "working"),
            FactoryHttp.Event(Now.AddMinutes(-66), "W1", "S1", "working"),
            FactoryHttp.Event(Now.AddMinutes(-62), "W1", "S1", "idle"),
            FactoryHttp.Event(Now.AddMinutes(-58), "W1", "S1", "idle"),
            FactoryHttp.Event(Now.AddMinutes(-57), "W1", "S1", "product_count", count: 2));

        var buckets = await GetOkAsync($"/api/metrics/timeseries?bucket=hour&start_time={Iso(Now.AddHours(-2))}&worker_id=W1");

        Assert.Equal(2, buckets.GetArrayLength());
        var first = buckets[0];
        var second = buckets[1];
        Assert.Equal(Now.AddHours(-2).UtcDateTime, first.GetProperty("start").GetDateTime().ToUniversalTime());
        Assert.Equal(8.0 / 60, first.GetProperty("working_hours").GetDouble(), 12);
        Assert.Equal(2.0 / 60, first.GetProperty("idle_hours").GetDouble(), 12);
        Assert.Equal(7.0 / 60, second.GetProperty("idle_hours").GetDouble(), 12);
        Assert.Equal(53.0 / 60, second.GetProperty("absent_hours").GetDouble(), 12);
        Assert.Equal(2, second.GetProperty("units").GetInt64());
        Assert.Equal(80, first.GetProperty("utilization_percentage").GetDouble(), 9);
    }

    [Fact]
    public async Task Naive_database_path_equals_the_index_after_random_batches_with_late_events()
    {
        var rng = new Random(42);
        var received = RandomEvents.Receive(rng, RandomEvents.Generate(rng, workers: 4), lateShare: 0.3);
        foreach (var chunk in received.Chunk(400))
        {
            var response = await _client.PostBatchAsync(chunk.Select(e => FactoryHttp.Event(
                e.Timestamp, e.WorkerId, e.WorkstationId, e.EventType.ToWireName(), e.Confidence, e.Count, model: e.ModelVersion)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            _app.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var service = _app.GetService<IMetricsService>();
        var registry = await _app.GetService<RegistryCache>().GetAsync();
        var options = _app.GetService<IOptions<MetricsOptions>>().Value;
        for (var i = 0; i < 5; i++)
        {
            var start = RandomEvents.Between(rng, RandomEvents.Base.AddHours(-1), Now.UtcDateTime);
            var window = service.ResolveWindow(start, null, null);
            await using var scope = _app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FactoryDbContext>();
            var naive = await NaiveStore.LoadAsync(db, new MetricRules(options), window, TestContext.Current.CancellationToken);

            Assert.Equal(MetricsCalculator.Workers(naive, registry, window, null), await service.GetWorkersAsync(window, null));
            Assert.Equal(MetricsCalculator.Workstations(naive, registry, window, null), await service.GetWorkstationsAsync(window, null));
            Assert.Equal(MetricsCalculator.Factory(naive, registry, window), await service.GetFactoryAsync(window));
            Assert.Equal(MetricsCalculator.Timeseries(naive, registry, window, BucketSize.Hour, TimeZoneInfo.Utc, null, null),
                await service.GetTimeseriesAsync(window, BucketSize.Hour, null, null));
        }
    }
}

internal static class EventTypeWire
{
    public static string ToWireName(this Factory.Core.Events.EventType type) => Factory.Core.Events.EventTypes.ToWire(type);
}
