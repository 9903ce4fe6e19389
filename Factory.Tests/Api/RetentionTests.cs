using System.Net.Http.Json;
using System.Text.Json;
using Factory.Core.Data;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

public sealed class RetentionTests() : ApiTest(new Dictionary<string, string?>
{
    ["Retention:HotDays"] = "1",
    ["Retention:RunEvery"] = "1.00:00:00",
})
{
    [Fact]
    public async Task Events_older_than_the_hot_period_are_deleted_and_metrics_follow()
    {
        var client = _app.CreateClient();
        var old = FactoryHttp.Event(FactoryApp.Start.AddHours(-20), type: "product_count", count: 5);
        var recent = FactoryHttp.Event(FactoryApp.Start.AddHours(-1), type: "product_count", count: 3);
        (await client.PostBatchAsync([old, recent])).EnsureSuccessStatusCode();
        // Within the one-day read limit that a one-day retention implies (Limits:MaxWindow defaults to Retention:HotDays).
        var window = $"start_time={Uri.EscapeDataString(FactoryApp.Start.AddHours(-22).ToString("O"))}&end_time={Uri.EscapeDataString(FactoryApp.Start.AddHours(1).ToString("O"))}";
        var beforeFactory = await client.GetFromJsonAsync<JsonElement>($"/api/metrics/factory?{window}");
        Assert.Equal(2, beforeFactory.GetProperty("events_in_window").GetInt64());

        _app.Time.Advance(TimeSpan.FromHours(10));
        var deleted = await _app.GetService<RetentionService>().PurgeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, deleted);
        var events = await client.GetFromJsonAsync<JsonElement>("/api/events");
        Assert.Equal(1, events.GetProperty("items").GetArrayLength());
        var factory = await client.GetFromJsonAsync<JsonElement>($"/api/metrics/factory?{window}");
        Assert.Equal(1, factory.GetProperty("events_in_window").GetInt64());
        Assert.Equal(3, factory.GetProperty("total_units_produced").GetInt64());
    }

    [Fact]
    public async Task Purging_nothing_deletes_nothing()
    {
        (await _app.CreateClient().PostEventAsync(FactoryHttp.Event(FactoryApp.Start.AddMinutes(-5)))).EnsureSuccessStatusCode();
        Assert.Equal(0, await _app.GetService<RetentionService>().PurgeAsync(TestContext.Current.CancellationToken));
    }
}
