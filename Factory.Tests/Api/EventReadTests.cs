using System.Net;
using System.Text.Json;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary><c>GET /api/events</c> (filters, order, cursor paging, bad queries) and the registry reads.</summary>
public sealed class EventReadTests : ApiTest
{
    public override async ValueTask InitializeAsync()
    {
        // 30 events: pairs share a timestamp so paging must break ties by id.
        var events = new List<object>();
        for (var i = 0; i < 30; i++)
        {
            var worker = $"W{(i % 3) + 1}";
            var station = i % 2 == 0 ? "S1" : "S2";
            var type = i % 5 == 0 ? "product_count" : i % 4 == 0 ? "idle" : "working";
            var camera = i < 10 ? "CAM-A" : "CAM-B";
            events.Add(FactoryHttp.Event(FactoryApp.Start.AddMinutes(-60 + (i / 2)), worker, station, type, i == 7 ? 0.5 : 0.9, camera: camera));
        }

        var response = await _client.PostBatchAsync(events);
        Assert.Equal(30, (await response.JsonAsync()).GetProperty("accepted").GetInt32());
    }

    private async Task<List<JsonElement>> ItemsAsync(string query)
    {
        var response = await _client.GetAsync("/api/events?" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("items").EnumerateArray().ToList();
    }

    private static DateTime Time(JsonElement item, string field = "timestamp") => item.GetProperty(field).GetDateTime();

    [Fact]
    public async Task Events_are_newest_first_with_received_at_and_low_confidence()
    {
        var items = await ItemsAsync("limit=1000");
        Assert.Equal(30, items.Count);
        for (var i = 1; i < items.Count; i++)
        {
            var (prev, cur) = (items[i - 1], items[i]);
            Assert.True(Time(prev) > Time(cur) || (Time(prev) == Time(cur) && prev.GetProperty("id").GetInt64() > cur.GetProperty("id").GetInt64()));
        }

        Assert.All(items, e => Assert.Equal(FactoryApp.Start.UtcDateTime, Time(e, "received_at")));
        Assert.Equal(DateTimeKind.Utc, Time(items[0], "received_at").Kind);
        Assert.Single(items, e => e.GetProperty("low_confidence").GetBoolean());
    }

    [Fact]
    public async Task Default_page_has_100_items_at_most_and_limit_caps_it()
    {
        Assert.Equal(30, (await ItemsAsync("")).Count);
        Assert.Equal(5, (await ItemsAsync("limit=5")).Count);
    }

    [Theory]
    [InlineData("worker_id=W2", 10)]
    [InlineData("workstation_id=S1", 15)]
    [InlineData("camera_id=CAM-A", 10)]
    [InlineData("event_type=product_count", 6)]
    [InlineData("worker_id=W1&workstation_id=S1", 5)]
    [InlineData("worker_id=W9", 0)]
    [InlineData("start_time=2026-01-21T14:10:00Z", 10)]
    [InlineData("end_time=2026-01-21T14:05:00Z", 10)]
    [InlineData("start_time=2026-01-21T16:05:00%2B02:00&end_time=2026-01-21T14:10:00Z", 10)]
    public async Task Filters_select_matching_events(string query, int expected)
    {
        var items = await ItemsAsync(query + "&limit=1000");
        Assert.Equal(expected, items.Count);
        var filters = query.Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        foreach (var item in items)
        {
            foreach (var (name, value) in filters)
            {
                switch (name)
                {
                    case "start_time": Assert.True(Time(item) >= DateTimeOffset.Parse(value).UtcDateTime); break;
                    case "end_time": Assert.True(Time(item) < DateTimeOffset.Parse(value).UtcDateTime); break;
                    default: Assert.Equal(value, item.GetProperty(name).GetString()); break;
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(29)]
    public async Task Cursor_pagination_walks_every_event_exactly_once(int limit)
    {
        var all = (await ItemsAsync("limit=1000")).Select(e => e.GetProperty("id").GetInt64()).ToList();
        var walked = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var response = await _client.GetAsync($"/api/events?limit={limit}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            var page = await response.JsonAsync();
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, limit);
            walked.AddRange(items.Select(e => e.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("next_cursor").GetString();
            Assert.True(++pages <= 30, "paging does not end");
        }
        while (cursor is not null);

        Assert.Equal(all, walked);
        Assert.Equal((30 + limit - 1) / limit, pages);
    }

    [Fact]
    public async Task Cursor_pagination_keeps_the_filters()
    {
        var walked = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await (await _client.GetAsync("/api/events?worker_id=W3&limit=3" + (cursor is null ? "" : "&cursor=" + cursor))).JsonAsync();
            walked.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(10, walked.Count);
        Assert.All(walked, e => Assert.Equal("W3", e.GetProperty("worker_id").GetString()));
    }

    [Theory]
    [InlineData("start_time=yesterday", "start_time")]
    [InlineData("end_time=2026-01-21T14:00:00", "end_time")]
    [InlineData("start_time=2026-01-21T14:00:00Z&end_time=2026-01-21T14:00:00Z", "start_time")]
    [InlineData("start_time=2026-01-21T15:00:00Z&end_time=2026-01-21T14:00:00Z", "start_time")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=-5", "limit")]
    [InlineData("cursor=notacursor", "cursor")]
    [InlineData("cursor=!!!", "cursor")]
    [InlineData("cursor=MTIzNDU", "cursor")]
    [InlineData("event_type=sleeping", "event_type")]
    public async Task Bad_query_value_is_400_naming_the_parameter(string query, string parameter)
    {
        var problem = await ProblemAssert.IsProblemAsync(await _client.GetAsync("/api/events?" + query), 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
        Assert.Contains(parameter, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Event_by_id_returns_it_and_unknown_id_is_404_problem()
    {
        var first = (await ItemsAsync("limit=1"))[0];
        var id = first.GetProperty("id").GetInt64();
        var one = await (await _client.GetAsync($"/api/events/{id}")).JsonAsync();
        Assert.Equal(first.GetRawText(), one.GetRawText());

        var problem = await ProblemAssert.IsProblemAsync(await _client.GetAsync("/api/events/999999"), 404);
        Assert.Contains("999999", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Workers_are_W1_to_W6_with_name_shift_and_department()
    {
        var workers = (await (await _client.GetAsync("/api/workers")).JsonAsync()).EnumerateArray().ToList();
        Assert.Equal(["W1", "W2", "W3", "W4", "W5", "W6"], workers.Select(w => w.GetProperty("id").GetString()));
        Assert.All(workers, w =>
        {
            Assert.Equal(["department", "id", "name", "shift"], w.EnumerateObject().Select(p => p.Name).Order());
            Assert.False(string.IsNullOrWhiteSpace(w.GetProperty("name").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(w.GetProperty("shift").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(w.GetProperty("department").GetString()));
        });
    }

    [Fact]
    public async Task Workstations_are_S1_to_S6_with_name_location_type_and_cameras()
    {
        var stations = (await (await _client.GetAsync("/api/workstations")).JsonAsync()).EnumerateArray().ToList();
        Assert.Equal(["S1", "S2", "S3", "S4", "S5", "S6"], stations.Select(s => s.GetProperty("id").GetString()));
        Assert.All(stations, s =>
        {
            Assert.Equal(["cameras", "id", "location", "name", "type"], s.EnumerateObject().Select(p => p.Name).Order());
            Assert.Equal(JsonValueKind.Array, s.GetProperty("cameras").ValueKind);
            Assert.False(string.IsNullOrWhiteSpace(s.GetProperty("name").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(s.GetProperty("location").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(s.GetProperty("type").GetString()));
        });
    }
}
