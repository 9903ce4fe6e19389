using System.Net;
using System.Text.Json;
using Factory.Core.Data;
using Factory.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Factory.Tests.Api;

/// <summary>Each validation rule of <c>POST /api/events</c>, on both sides of its boundary.</summary>
public sealed class EventValidationTests : ApiTest
{
    private static string Body(string timestamp = "2026-01-21T14:30:00Z", string worker = "\"W1\"", string station = "\"S3\"",
        string type = "\"working\"", string? confidence = "0.93", string? count = null, string? extra = null)
    {
        var parts = new List<string>
        {
            $"\"timestamp\":\"{timestamp}\"", $"\"worker_id\":{worker}", $"\"workstation_id\":{station}", $"\"event_type\":{type}",
        };
        if (confidence is not null) parts.Add($"\"confidence\":{confidence}");
        if (count is not null) parts.Add($"\"count\":{count}");
        if (extra is not null) parts.Add(extra);
        return "{" + string.Join(",", parts) + "}";
    }

    private Task<HttpResponseMessage> Post(string json) => _client.PostJsonTextAsync("/api/events", json);

    private async Task<string> RejectedAsync(string json, int status, string field)
    {
        var problem = await ProblemAssert.IsProblemAsync(await Post(json), status);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"'{field}' not in errors: {errors}");
        var message = messages[0].GetString()!;
        Assert.Contains(field, problem.GetProperty("detail").GetString());
        return message;
    }

    private async Task<int> StoredCountAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FactoryDbContext>().Events.CountAsync();
    }

    [Fact]
    public async Task Valid_event_returns_201_accepted_with_id_and_low_confidence_false()
    {
        var response = await Post(Body(extra: "\"camera_id\":\"CAM-03\",\"model_version\":\"yolov8-v2.1\",\"event_id\":\"edge-1\""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("accepted", body.GetProperty("status").GetString());
        var id = body.GetProperty("id").GetInt64();
        Assert.True(id > 0);
        Assert.False(body.GetProperty("low_confidence").GetBoolean());
        Assert.Equal($"/api/events/{id}", response.Headers.Location?.OriginalString);

        var stored = await (await _client.GetAsync($"/api/events/{id}")).JsonAsync();
        Assert.Equal("2026-01-21T14:30:00Z", stored.GetProperty("timestamp").GetString());
        Assert.Equal("S3", stored.GetProperty("workstation_id").GetString());
        Assert.Equal(0.93, stored.GetProperty("confidence").GetDouble());
        Assert.Equal(1, stored.GetProperty("count").GetInt32());
        Assert.Equal("CAM-03", stored.GetProperty("camera_id").GetString());
        Assert.Equal("yolov8-v2.1", stored.GetProperty("model_version").GetString());
        Assert.Equal("edge-1", stored.GetProperty("event_id").GetString());
    }

    [Fact]
    public async Task Timestamp_is_required()
    {
        var message = await RejectedAsync("{\"worker_id\":\"W1\",\"workstation_id\":\"S1\",\"event_type\":\"idle\",\"confidence\":0.9}", 400, "timestamp");
        Assert.Contains("required", message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("2026-01-21T14:30:00")]
    [InlineData("2026-01-21 14:30:00")]
    [InlineData("2026-01-21T14:30:00.123")]
    public async Task Naive_timestamp_is_rejected_naming_the_missing_offset(string naive)
    {
        var message = await RejectedAsync(Body(naive), 400, "timestamp");
        Assert.Contains("offset", message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await StoredCountAsync());
    }

    [Theory]
    [InlineData("2026-01-21T16:30:00+02:00")]
    [InlineData("2026-01-21T09:30:00-05:00")]
    [InlineData("2026-01-21T14:30:00.000Z")]
    [InlineData("2026-01-21T14:30:00+0000")]
    public async Task Timestamp_with_any_offset_is_accepted_and_stored_in_utc(string timestamp)
    {
        var response = await Post(Body(timestamp));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.JsonAsync()).GetProperty("id").GetInt64();
        var stored = await (await _client.GetAsync($"/api/events/{id}")).JsonAsync();
        Assert.Equal("2026-01-21T14:30:00Z", stored.GetProperty("timestamp").GetString());
    }

    [Fact]
    public async Task Timestamp_up_to_max_clock_skew_in_the_future_is_accepted_beyond_it_rejected()
    {
        Assert.Equal(HttpStatusCode.Created, (await Post(Body("2026-01-21T15:05:00Z"))).StatusCode);
        var message = await RejectedAsync(Body("2026-01-21T15:05:01Z"), 400, "timestamp");
        Assert.Contains("future", message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, await StoredCountAsync());
    }

    [Fact]
    public async Task Future_limit_follows_the_server_clock()
    {
        await RejectedAsync(Body("2026-01-21T15:30:00Z"), 400, "timestamp");
        _app.Time.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(HttpStatusCode.Created, (await Post(Body("2026-01-21T15:30:00Z"))).StatusCode);
    }

    [Fact]
    public async Task Timestamp_older_than_retention_is_rejected()
    {
        // The clock is 2026-01-21T15:00Z and retention 90 days: the limit is 2025-10-23T15:00Z.
        Assert.Equal(HttpStatusCode.Created, (await Post(Body("2025-10-23T15:00:01Z"))).StatusCode);
        var message = await RejectedAsync(Body("2025-10-23T14:59:59Z"), 400, "timestamp");
        Assert.Contains("retention", message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("worker_id")]
    [InlineData("workstation_id")]
    [InlineData("event_type")]
    [InlineData("confidence")]
    public async Task Required_field_missing_is_rejected_naming_it(string field)
    {
        var json = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Body())!;
        json.Remove(field);
        var message = await RejectedAsync(JsonSerializer.Serialize(json), 400, field);
        Assert.Contains("required", message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Unknown_worker_is_422_naming_it()
    {
        var message = await RejectedAsync(Body(worker: "\"W42\""), 422, "worker_id");
        Assert.Contains("W42", message);
    }

    [Fact]
    public async Task Unknown_workstation_is_422_naming_it()
    {
        var message = await RejectedAsync(Body(station: "\"S42\""), 422, "workstation_id");
        Assert.Contains("S42", message);
    }

    [Fact]
    public async Task Unknown_id_with_another_invalid_field_is_400_listing_both()
    {
        var problem = await ProblemAssert.IsProblemAsync(await Post(Body(worker: "\"W42\"", confidence: "2")), 400);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("worker_id", out _));
        Assert.True(errors.TryGetProperty("confidence", out _));
    }

    [Theory]
    [InlineData("working")]
    [InlineData("idle")]
    [InlineData("absent")]
    [InlineData("product_count")]
    public async Task Each_event_type_is_accepted(string type)
    {
        var response = await Post(Body(type: $"\"{type}\""));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.JsonAsync()).GetProperty("id").GetInt64();
        Assert.Equal(type, (await (await _client.GetAsync($"/api/events/{id}")).JsonAsync()).GetProperty("event_type").GetString());
    }

    [Theory]
    [InlineData("\"break\"")]
    [InlineData("\"Working\"")]
    [InlineData("\"\"")]
    [InlineData("0")]
    public async Task Other_event_types_are_rejected(string type)
    {
        var message = await RejectedAsync(Body(type: type), 400, "event_type");
        Assert.NotEmpty(message);
    }

    [Fact]
    public async Task Confidence_as_a_string_is_rejected_as_not_a_number()
    {
        var message = await RejectedAsync(Body(confidence: "\"0.9\""), 400, "confidence");
        Assert.Contains("number", message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("string", message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("1", false)]
    [InlineData("1.0", false)]
    [InlineData("0.5", true)]
    [InlineData("0.69999", true)]
    [InlineData("0.7", false)]
    public async Task Confidence_in_range_is_accepted_and_flagged_below_the_threshold(string confidence, bool low)
    {
        var expectedLow = low;
        var response = await Post(Body(confidence: confidence));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(expectedLow, body.GetProperty("low_confidence").GetBoolean());
        var stored = await (await _client.GetAsync($"/api/events/{body.GetProperty("id").GetInt64()}")).JsonAsync();
        Assert.Equal(expectedLow, stored.GetProperty("low_confidence").GetBoolean());
    }

    [Theory]
    [InlineData("-0.01")]
    [InlineData("1.01")]
    [InlineData("1e400")]
    [InlineData("null")]
    public async Task Confidence_outside_zero_to_one_is_rejected(string confidence)
    {
        await RejectedAsync(Body(confidence: confidence), 400, "confidence");
        Assert.Equal(0, await StoredCountAsync());
    }

    [Fact]
    public async Task Count_defaults_to_one()
    {
        var response = await Post(Body(type: "\"product_count\""));
        var id = (await response.JsonAsync()).GetProperty("id").GetInt64();
        Assert.Equal(1, (await (await _client.GetAsync($"/api/events/{id}")).JsonAsync()).GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("1")]
    [InlineData("10000")]
    public async Task Count_from_1_to_10000_is_accepted(string count)
    {
        var response = await Post(Body(type: "\"product_count\"", count: count));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.JsonAsync()).GetProperty("id").GetInt64();
        Assert.Equal(int.Parse(count, System.Globalization.CultureInfo.InvariantCulture),
            (await (await _client.GetAsync($"/api/events/{id}")).JsonAsync()).GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("10001")]
    [InlineData("2.5")]
    [InlineData("99999999999999999999")]
    [InlineData("\"5\"")]
    public async Task Count_outside_1_to_10000_or_not_an_integer_is_rejected(string count)
    {
        await RejectedAsync(Body(type: "\"product_count\"", count: count), 400, "count");
    }

    [Theory]
    [InlineData("camera_id")]
    [InlineData("model_version")]
    [InlineData("event_id")]
    public async Task Optional_text_is_limited_to_64_characters(string field)
    {
        var ok = await Post(Body(extra: $"\"{field}\":\"{new string('a', 64)}\""));
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var message = await RejectedAsync(Body("2026-01-21T14:31:00Z", extra: $"\"{field}\":\"{new string('a', 65)}\""), 400, field);
        Assert.Contains("64", message);
    }

    [Fact]
    public async Task Low_confidence_event_is_stored_and_flagged_not_rejected()
    {
        var response = await Post(Body(confidence: "0.42"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal("accepted", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("low_confidence").GetBoolean());

        var page = await (await _client.GetAsync("/api/events")).JsonAsync();
        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.True(item.GetProperty("low_confidence").GetBoolean());
        Assert.Equal(0.42, item.GetProperty("confidence").GetDouble());
    }

    [Fact]
    public async Task Unknown_fields_are_ignored()
    {
        var response = await Post(Body(extra: "\"firmware\":\"1.2\",\"bbox\":[1,2,3,4]"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Every_invalid_field_is_listed_in_one_response()
    {
        var problem = await ProblemAssert.IsProblemAsync(
            await Post("{\"timestamp\":\"2026-01-21T14:30:00\",\"worker_id\":\"W1\",\"workstation_id\":\"S1\",\"event_type\":\"nap\",\"confidence\":\"0.9\",\"count\":0}"), 400);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(["confidence", "count", "event_type", "timestamp"], fields);
    }

    [Fact]
    public async Task Body_with_a_utf8_byte_order_mark_is_accepted()
    {
        var content = new ByteArrayContent([0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(Body())]);
        content.Headers.ContentType = new("application/json");
        var response = await _client.PostAsync("/api/events", content);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Content_type_with_charset_is_accepted()
    {
        var content = new StringContent(Body(), System.Text.Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=utf-8");
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsync("/api/events", content)).StatusCode);
    }
}
