using System.Net;
using System.Text;
using Factory.Core.Data;
using Factory.Core.Events;
using Factory.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Api;

/// <summary><c>POST /api/events/batch</c>: partial acceptance, array order, limits.</summary>
public sealed class EventBatchTests() : ApiTest(new Dictionary<string, string?>
{
    ["Ingestion:MaxBatchSize"] = "10",
    ["Ingestion:MaxBodyBytes"] = "4096",
})
{
    private async Task<List<FactoryEvent>> StoredAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FactoryDbContext>().Events.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
    }

    private static object At(int minutesBefore, string worker = "W1", double confidence = 0.9, string type = "working") =>
        FactoryHttp.Event(FactoryApp.Start.AddMinutes(-minutesBefore), worker: worker, confidence: confidence, type: type);

    [Fact]
    public async Task Valid_items_are_stored_and_invalid_ones_listed_by_index_with_errors_per_field()
    {
        var response = await _client.PostBatchAsync(
        [
            At(10),
            new { timestamp = "2026-01-21T14:00:00", worker_id = "W1", workstation_id = "S1", event_type = "working", confidence = 0.9 },
            At(9, worker: "W2"),
            new { timestamp = "2026-01-21T14:00:00Z", worker_id = "W77", workstation_id = "S1", event_type = "nap", confidence = 2.0 },
            At(8, worker: "W3", confidence: 0.5),
        ]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(3, body.GetProperty("accepted").GetInt32());
        Assert.Equal(0, body.GetProperty("duplicates").GetInt32());
        var rejected = body.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([1, 3], rejected.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Contains("offset", rejected[0].GetProperty("errors").GetProperty("timestamp")[0].GetString(), StringComparison.OrdinalIgnoreCase);
        var errors3 = rejected[1].GetProperty("errors");
        Assert.Equal(["confidence", "event_type", "worker_id"], errors3.EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains("W77", errors3.GetProperty("worker_id")[0].GetString());

        var stored = await StoredAsync();
        Assert.Equal(["W1", "W2", "W3"], stored.Select(e => e.WorkerId));
        Assert.Equal([false, false, true], stored.Select(e => e.LowConfidence));
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([0, 2, 4], results.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal(stored.Select(e => e.Id), results.Select(r => r.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task Batch_where_every_item_is_rejected_is_still_200()
    {
        var response = await _client.PostBatchAsync([new { timestamp = "nope" }, "a string", 42]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(0, body.GetProperty("accepted").GetInt32());
        Assert.Equal([0, 1, 2], body.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("index").GetInt32()));
        Assert.True(body.GetProperty("rejected")[1].GetProperty("errors").TryGetProperty("event", out _));
        Assert.Empty(await StoredAsync());
    }

    [Fact]
    public async Task Items_are_stored_in_array_order_and_the_first_of_duplicates_wins()
    {
        var response = await _client.PostBatchAsync(
        [
            At(1, worker: "W4"),
            At(30, worker: "W1", confidence: 0.91),
            At(20, worker: "W2"),
            At(30, worker: "W1", confidence: 0.55),
        ]);

        var body = await response.JsonAsync();
        Assert.Equal(3, body.GetProperty("accepted").GetInt32());
        Assert.Equal(1, body.GetProperty("duplicates").GetInt32());
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal("duplicate", results[3].GetProperty("status").GetString());
        Assert.Equal(results[1].GetProperty("id").GetInt64(), results[3].GetProperty("id").GetInt64());

        var stored = await StoredAsync();
        Assert.Equal(["W4", "W1", "W2"], stored.Select(e => e.WorkerId));
        Assert.Equal(0.91, stored.Single(e => e.WorkerId == "W1").Confidence);
    }

    [Fact]
    public async Task Batch_of_max_size_is_accepted_one_more_is_413()
    {
        var ok = await _client.PostBatchAsync(Enumerable.Range(0, 10).Select(i => At(i, worker: "W5")));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(10, (await ok.JsonAsync()).GetProperty("accepted").GetInt32());

        var problem = await ProblemAssert.IsProblemAsync(await _client.PostBatchAsync(Enumerable.Range(20, 11).Select(i => At(i))), 413);
        Assert.Contains("MaxBatchSize", problem.GetProperty("detail").GetString());
        Assert.Equal(10, (await StoredAsync()).Count);
    }

    [Fact]
    public async Task Body_larger_than_max_body_bytes_is_413()
    {
        var padding = new string(' ', 5000);
        var json = "{\"events\":[" + padding + "]}";
        var problem = await ProblemAssert.IsProblemAsync(await _client.PostJsonTextAsync("/api/events/batch", json), 413);
        Assert.Contains("MaxBodyBytes", problem.GetProperty("detail").GetString());

        var single = await ProblemAssert.IsProblemAsync(await _client.PostJsonTextAsync("/api/events", "{" + padding + "}"), 413);
        Assert.Contains("4,096", single.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Empty_events_is_400()
    {
        var problem = await ProblemAssert.IsProblemAsync(await _client.PostJsonTextAsync("/api/events/batch", "{\"events\":[]}"), 400);
        Assert.Contains("empty", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"events\":{}}")]
    [InlineData("{\"events\":null}")]
    [InlineData("\"events\"")]
    public async Task Body_that_is_not_an_object_with_events_is_400(string json)
    {
        var problem = await ProblemAssert.IsProblemAsync(await _client.PostJsonTextAsync("/api/events/batch", json), 400);
        Assert.Contains("'events'", problem.GetProperty("detail").GetString());
    }
}
