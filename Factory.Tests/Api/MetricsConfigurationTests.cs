using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>
/// Settings that are current configuration, not history: model exclusions and the confidence threshold apply to
/// every query, including those replaying the past with <c>as_of</c>, and to events stored before they changed.
/// </summary>
public sealed class MetricsConfigurationTests
{
    private static readonly DateTimeOffset Now = FactoryApp.Start;

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task<JsonElement> GetOkAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var body = await response.JsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
        return body;
    }

    [Fact]
    public async Task An_exclusion_also_applies_to_as_of_queries_before_it_was_added_and_removing_it_counts_the_events_again()
    {
        await using var app = new FactoryApp();
        using var client = app.CreateClient();
        (await client.PostBatchAsync(
        [
            FactoryHttp.Event(Now.AddMinutes(-30), "W1", "S1", "working", model: "v1"),
            FactoryHttp.Event(Now.AddMinutes(-28), "W1", "S1", "idle", model: "v2"),
            FactoryHttp.Event(Now.AddMinutes(-27), "W1", "S1", "product_count", count: 4, model: "v2"),
        ])).EnsureSuccessStatusCode();
        var postedAt = Now;

        // Later: another event arrives (so as_of = postedAt is answered from the database, not the live index),
        // then the exclusion is configured.
        app.Time.Advance(TimeSpan.FromMinutes(10));
        (await client.PostEventAsync(FactoryHttp.Event(Now.AddMinutes(5), "W2", "S2", "working", model: "v1"))).EnsureSuccessStatusCode();
        app.Time.Advance(TimeSpan.FromMinutes(1));
        using (var excluded = await client.PostAsJsonAsync("/api/admin/model-exclusions", new { model_version = "v2", reason = "rollback" }))
        {
            excluded.EnsureSuccessStatusCode();
        }

        var window = $"start_time={Iso(Now.AddHours(-1))}&end_time={Iso(postedAt)}";
        foreach (var asOf in new[] { $"&as_of={Iso(postedAt)}", "" })
        {
            var w1 = (await GetOkAsync(client, $"/api/metrics/workers?worker_id=W1&{window}{asOf}"))[0];
            var factory = await GetOkAsync(client, $"/api/metrics/factory?{window}{asOf}");

            // v1 working at 14:30 holds 5 minutes, then 25 absent: the v2 idle and product do not count.
            Assert.Equal(5.0 / 60, w1.GetProperty("working_hours").GetDouble(), 12);
            Assert.Equal(0, w1.GetProperty("idle_hours").GetDouble());
            Assert.Equal(25.0 / 60, w1.GetProperty("absent_hours").GetDouble(), 12);
            Assert.Equal(0, w1.GetProperty("total_units_produced").GetInt64());
            Assert.Equal(Now.AddMinutes(-30).UtcDateTime, w1.GetProperty("last_seen").GetDateTime().ToUniversalTime());
            Assert.Equal(0, factory.GetProperty("total_units_produced").GetInt64());
            // Excluded events are still stored events in the window.
            Assert.Equal(3, factory.GetProperty("events_in_window").GetInt64());
        }

        using (var removed = await client.DeleteAsync("/api/admin/model-exclusions/v2"))
        {
            removed.EnsureSuccessStatusCode();
        }

        var again = (await GetOkAsync(client, $"/api/metrics/workers?worker_id=W1&{window}&as_of={Iso(postedAt)}"))[0];
        Assert.Equal(2.0 / 60, again.GetProperty("working_hours").GetDouble(), 12);
        Assert.Equal(5.0 / 60, again.GetProperty("idle_hours").GetDouble(), 12);
        Assert.Equal(4, again.GetProperty("total_units_produced").GetInt64());
    }

    [Fact]
    public async Task Low_confidence_events_and_validity_follow_the_current_MinConfidence_after_a_restart()
    {
        var database = SharedDatabase.Create();
        try
        {
            await using (var first = new FactoryApp(Settings(database, "0.7")))
            {
                using var client = first.CreateClient();
                var posted = await (await client.PostBatchAsync(
                [
                    FactoryHttp.Event(Now.AddMinutes(-40), "W1", "S1", "working", confidence: 0.5),
                    FactoryHttp.Event(Now.AddMinutes(-30), "W1", "S1", "working", confidence: 0.65),
                    FactoryHttp.Event(Now.AddMinutes(-20), "W1", "S1", "working", confidence: 0.75),
                    FactoryHttp.Event(Now.AddMinutes(-10), "W1", "S1", "working", confidence: 0.9),
                ])).JsonAsync();
                Assert.Equal(4, posted.GetProperty("accepted").GetInt32());
                var factory = await GetOkAsync(client, $"/api/metrics/factory?start_time={Iso(Now.AddHours(-1))}");
                Assert.Equal(2, factory.GetProperty("low_confidence_events").GetInt64());
            }

            foreach (var (threshold, low, workingMinutes) in new[] { ("0.8", 3, 5.0), ("0.6", 1, 15.0) })
            {
                await using var restarted = new FactoryApp(Settings(database, threshold));
                using var client = restarted.CreateClient();
                var factory = await GetOkAsync(client, $"/api/metrics/factory?start_time={Iso(Now.AddHours(-1))}");
                var w1 = (await GetOkAsync(client, $"/api/metrics/workers?worker_id=W1&start_time={Iso(Now.AddHours(-1))}"))[0];

                Assert.Equal(4, factory.GetProperty("events_in_window").GetInt64());
                Assert.Equal(low, factory.GetProperty("low_confidence_events").GetInt64());
                // Valid events re-assert "working" for 5 minutes each; the rest of the hour is absent or off-shift.
                Assert.Equal(workingMinutes / 60, w1.GetProperty("working_hours").GetDouble(), 12);
            }
        }
        finally
        {
            database.Drop();
        }
    }

    private static Dictionary<string, string?> Settings(SharedDatabase database, string minConfidence) =>
        new(database.Settings) { ["Metrics:MinConfidence"] = minConfidence };
}
