using System.Net;
using Factory.Core.Data;
using Factory.Core.Events;
using Factory.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Api;

/// <summary>The dedup key (timestamp, worker_id, event_type) and event_id: a retry is always safe and the first write wins.</summary>
public sealed class DuplicateEventTests : ApiTest
{
    private async Task<List<FactoryEvent>> StoredAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FactoryDbContext>().Events.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
    }

    private static string Json(string timestamp, double confidence = 0.9, string worker = "W1", string type = "working", string? eventId = null, string station = "S1") =>
        $"{{\"timestamp\":\"{timestamp}\",\"worker_id\":\"{worker}\",\"workstation_id\":\"{station}\",\"event_type\":\"{type}\"," +
        $"\"confidence\":{confidence.ToString(System.Globalization.CultureInfo.InvariantCulture)}" +
        (eventId is null ? "" : $",\"event_id\":\"{eventId}\"") + "}";

    private async Task<(HttpStatusCode Status, string Outcome, long Id)> PostAsync(string json)
    {
        var response = await _client.PostJsonTextAsync("/api/events", json);
        var body = await response.JsonAsync();
        return (response.StatusCode, body.GetProperty("status").GetString()!, body.GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Duplicate_event_returns_200_with_the_first_id_and_is_stored_once()
    {
        var first = await PostAsync(Json("2026-01-21T14:30:00Z"));
        var second = await PostAsync(Json("2026-01-21T14:30:00Z"));

        Assert.Equal((HttpStatusCode.Created, "accepted"), (first.Status, first.Outcome));
        Assert.Equal((HttpStatusCode.OK, "duplicate", first.Id), second);
        Assert.Single(await StoredAsync());
    }

    [Fact]
    public async Task First_write_wins_when_a_retry_carries_a_different_confidence()
    {
        var first = await PostAsync(Json("2026-01-21T14:30:00Z", confidence: 0.95, station: "S1"));
        var retry = await PostAsync(Json("2026-01-21T14:30:00Z", confidence: 0.31, station: "S2"));

        Assert.Equal(first.Id, retry.Id);
        Assert.Equal("duplicate", retry.Outcome);
        var stored = Assert.Single(await StoredAsync());
        Assert.Equal(0.95, stored.Confidence);
        Assert.Equal("S1", stored.WorkstationId);
        Assert.False(stored.LowConfidence);
    }

    [Fact]
    public async Task Same_instant_with_a_different_offset_is_a_duplicate()
    {
        var utc = await PostAsync(Json("2026-01-21T14:30:00Z"));
        var plusTwo = await PostAsync(Json("2026-01-21T16:30:00+02:00"));

        Assert.Equal((HttpStatusCode.OK, "duplicate", utc.Id), plusTwo);
        Assert.Single(await StoredAsync());
    }

    [Fact]
    public async Task Different_worker_or_type_at_the_same_instant_is_a_new_event()
    {
        var a = await PostAsync(Json("2026-01-21T14:30:00Z"));
        var b = await PostAsync(Json("2026-01-21T14:30:00Z", worker: "W2"));
        var c = await PostAsync(Json("2026-01-21T14:30:00Z", type: "idle"));

        Assert.All(new[] { a, b, c }, r => Assert.Equal(HttpStatusCode.Created, r.Status));
        Assert.Equal(3, new[] { a.Id, b.Id, c.Id }.Distinct().Count());
        Assert.Equal(3, (await StoredAsync()).Count);
    }

    [Fact]
    public async Task Same_event_id_with_a_different_timestamp_is_a_duplicate()
    {
        var first = await PostAsync(Json("2026-01-21T14:30:00Z", eventId: "edge-7"));
        var again = await PostAsync(Json("2026-01-21T14:31:00Z", eventId: "edge-7", type: "idle"));

        Assert.Equal((HttpStatusCode.OK, "duplicate", first.Id), again);
        var stored = Assert.Single(await StoredAsync());
        Assert.Equal(new DateTime(2026, 1, 21, 14, 30, 0, DateTimeKind.Utc), stored.Timestamp);
    }

    [Fact]
    public async Task Different_event_ids_do_not_override_the_dedup_key()
    {
        var first = await PostAsync(Json("2026-01-21T14:30:00Z", eventId: "edge-1"));
        var second = await PostAsync(Json("2026-01-21T14:30:00Z", eventId: "edge-2"));

        Assert.Equal((HttpStatusCode.OK, "duplicate", first.Id), second);
        Assert.Equal("edge-1", Assert.Single(await StoredAsync()).EventId);
    }

    [Fact]
    public async Task Sub_second_timestamps_are_distinct_events()
    {
        var a = await PostAsync(Json("2026-01-21T14:30:00.100Z"));
        var b = await PostAsync(Json("2026-01-21T14:30:00.200Z"));
        var c = await PostAsync(Json("2026-01-21T14:30:00.1Z"));

        Assert.Equal(HttpStatusCode.Created, b.Status);
        Assert.NotEqual(a.Id, b.Id);
        Assert.Equal((HttpStatusCode.OK, "duplicate", a.Id), c);
    }

    [Fact]
    public async Task Duplicate_in_a_batch_returns_the_existing_id_from_a_single_post()
    {
        var single = await PostAsync(Json("2026-01-21T14:30:00Z"));
        var response = await _client.PostJsonTextAsync("/api/events/batch", $"{{\"events\":[{Json("2026-01-21T16:30:00+02:00")}]}}");
        var body = await response.JsonAsync();

        Assert.Equal(0, body.GetProperty("accepted").GetInt32());
        Assert.Equal(1, body.GetProperty("duplicates").GetInt32());
        Assert.Equal(single.Id, body.GetProperty("results")[0].GetProperty("id").GetInt64());
    }
}
