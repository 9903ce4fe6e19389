using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>
/// Hostile text where the API takes free text: stored as given and returned verbatim (or refused with a 400 naming
/// the field), matched literally by the filters that answer 200 (no SQL, no LIKE wildcards), and never a 500.
/// Runs on the suite's engine, so on PostgreSQL in CI's second pass.
/// </summary>
public sealed class HostileTextTests : ApiTest
{
    private static readonly DateTimeOffset Now = FactoryApp.Start;

    /// <summary>Texts a camera may legitimately send (at most 64 characters, no control characters).</summary>
    public static readonly string[] Stored =
    [
        "'; DROP TABLE events; --",
        "\" OR 1=1 --",
        "x' OR '1'='1",
        "'); DELETE FROM workers; --",
        "%",
        "_",
        "CAM_%",
        "%CAM%",
        "\\",
        "\\%\\_",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "\"><svg/onload=alert(1)>",
        "{{7*7}}",
        "${jndi:ldap://127.0.0.1/a}",
        "\u202Eevil\u202C.exe",
        "CAM\u200B01",
        "\u200F\u200E\uFEFF",
        "📷 kamera-ü-ß-日本",
        "e\u0301\u0301\u0301",
        "NULL",
        "=cmd|' /C calc'!A0",
        new string('A', 64),
    ];

    private static async Task<JsonElement> OkAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task Hostile_camera_ids_model_versions_and_event_ids_are_stored_verbatim_and_filters_match_them_literally()
    {
        var events = Stored.Select((text, i) => FactoryHttp.Event(Now.AddMinutes(-60).AddSeconds(i), worker: $"W{i % 6 + 1}",
            camera: text, model: text, eventId: (i.ToString("00", System.Globalization.CultureInfo.InvariantCulture) + text)[..Math.Min(64, text.Length + 2)]));
        var plain = FactoryHttp.Event(Now.AddMinutes(-5), camera: "CAM-01", model: "m1", eventId: "plain");
        var batch = await (await _client.PostBatchAsync(events.Append(plain))).JsonAsync();
        Assert.True(batch.GetProperty("accepted").GetInt32() == Stored.Length + 1, batch.ToString());

        var ids = batch.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("index").GetInt32(), r => r.GetProperty("id").GetInt64());
        for (var i = 0; i < Stored.Length; i++)
        {
            var text = Stored[i];
            var one = await OkAsync(_client, $"/api/events/{ids[i]}");
            Assert.Equal(text, one.GetProperty("camera_id").GetString());
            Assert.Equal(text, one.GetProperty("model_version").GetString());

            // The filter matches the text itself, and only it: '%' and '_' are not wildcards, quotes end nothing.
            var escaped = Uri.EscapeDataString(text);
            var page = await OkAsync(_client, $"/api/events?camera_id={escaped}&limit=1000");
            var found = Assert.Single(page.GetProperty("items").EnumerateArray());
            Assert.Equal(ids[i], found.GetProperty("id").GetInt64());

            using var csv = await _client.GetAsync($"/api/export/events.csv?camera_id={escaped}");
            Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
            var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            Assert.StartsWith(ids[i].ToString(System.Globalization.CultureInfo.InvariantCulture) + ",", lines[1], StringComparison.Ordinal);

            // Filters on registry ids and the page size are not free text, but hostile values still get a 200 (nothing matches) or a clear 400.
            foreach (var filter in new[] { "worker_id", "workstation_id" })
            {
                var none = await OkAsync(_client, $"/api/events?{filter}={escaped}");
                Assert.Empty(none.GetProperty("items").EnumerateArray());
                using var noneCsv = await _client.GetAsync($"/api/export/events.csv?{filter}={escaped}");
                Assert.Equal(HttpStatusCode.OK, noneCsv.StatusCode);
            }
        }

        // Nothing was executed: every row and the registry are still there.
        var all = await OkAsync(_client, "/api/events?limit=1000");
        Assert.Equal(Stored.Length + 1, all.GetProperty("items").GetArrayLength());
        Assert.Equal(6, (await OkAsync(_client, "/api/workers")).GetArrayLength());
    }

    [Fact]
    public async Task A_hostile_model_exclusion_is_kept_verbatim_and_excludes_only_that_exact_version()
    {
        (await _client.PostBatchAsync(
        [
            FactoryHttp.Event(Now.AddMinutes(-30), "W1", "S1", "working", model: "m1"),
            FactoryHttp.Event(Now.AddMinutes(-29), "W1", "S1", "product_count", count: 2, model: "m1"),
            FactoryHttp.Event(Now.AddMinutes(-28), "W1", "S1", "product_count", count: 5, model: "%"),
        ])).EnsureSuccessStatusCode();

        foreach (var text in new[] { "%", "m_", "' OR '1'='1", "<b>m1</b>" })
        {
            using var added = await _client.PostAsJsonAsync("/api/admin/model-exclusions", new { model_version = text });
            Assert.True(added.IsSuccessStatusCode, $"{text}: {(int)added.StatusCode}");
        }

        var listed = (await OkAsync(_client, "/api/admin/model-exclusions")).EnumerateArray().Select(e => e.GetProperty("model_version").GetString()).ToList();
        Assert.Equal(["%", "' OR '1'='1", "<b>m1</b>", "m_"], listed.Order(StringComparer.Ordinal));
        var w1 = (await OkAsync(_client, "/api/metrics/workers?worker_id=W1"))[0];
        Assert.Equal(2, w1.GetProperty("total_units_produced").GetInt64()); // only the "%" product is excluded

        using var removed = await _client.DeleteAsync("/api/admin/model-exclusions/" + Uri.EscapeDataString("%"));
        Assert.True(removed.IsSuccessStatusCode, $"{(int)removed.StatusCode}");
        Assert.Equal(7, (await OkAsync(_client, "/api/metrics/workers?worker_id=W1"))[0].GetProperty("total_units_produced").GetInt64());
    }

    [Theory]
    [InlineData("camera_id", "CAM\u0000")]
    [InlineData("camera_id", "line\nbreak")]
    [InlineData("model_version", "v\u001b[31mred")]
    [InlineData("event_id", "tab\there")]
    [InlineData("camera_id", "65 characters")]
    [InlineData("model_version", "65 characters")]
    [InlineData("event_id", "65 characters")]
    public async Task Control_characters_and_over_long_free_text_are_a_400_naming_the_field(string field, string text)
    {
        var body = new Dictionary<string, object?>
        {
            ["timestamp"] = Now.AddMinutes(-1).ToString("O"),
            ["worker_id"] = "W1",
            ["workstation_id"] = "S1",
            ["event_type"] = "working",
            ["confidence"] = 0.9,
            [field] = text == "65 characters" ? new string('x', 65) : text,
        };

        var problem = await ProblemAssert.IsProblemAsync(await _client.PostAsJsonAsync("/api/events", body), 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Empty((await OkAsync(_client, "/api/events")).GetProperty("items").EnumerateArray());
    }

    [Theory]
    [InlineData("/api/events", "camera_id")]
    [InlineData("/api/events", "worker_id")]
    [InlineData("/api/events", "workstation_id")]
    [InlineData("/api/export/events.csv", "camera_id")]
    [InlineData("/api/export/events.csv", "worker_id")]
    [InlineData("/api/export/events.csv", "workstation_id")]
    public async Task A_control_character_in_an_event_filter_is_a_400_naming_it(string path, string filter)
    {
        // No stored id has control characters (ingestion refuses them), and PostgreSQL refuses a NUL in a query.
        foreach (var text in new[] { "CAM\u000001", "a\r\nb", "\u001b[31m" })
        {
            var problem = await ProblemAssert.IsProblemAsync(await _client.GetAsync($"{path}?{filter}={Uri.EscapeDataString(text)}"), 400);
            Assert.True(problem.GetProperty("errors").TryGetProperty(filter, out _), problem.ToString());
        }
    }

    [Fact]
    public async Task Very_long_and_control_character_filters_answer_200_or_a_clear_400_never_a_500()
    {
        (await _client.PostEventAsync(FactoryHttp.Event(Now.AddMinutes(-1)))).EnsureSuccessStatusCode();

        foreach (var text in new[] { new string('%', 4000), new string('x', 20_000), "a\u0000b", "\r\n\t", "\uD800" })
        {
            foreach (var url in new[] { "/api/events?camera_id=", "/api/events?worker_id=", "/api/export/events.csv?camera_id=", "/api/export/events.csv?workstation_id=" })
            {
                using var response = await _client.GetAsync(url + Uri.EscapeDataString(text.Replace("\uD800", "\uFFFD", StringComparison.Ordinal)));
                var status = (int)response.StatusCode;
                Assert.True(status is 200 or 400 or 414 or 431, $"{url}…({text.Length} chars): {status}");
                if (status == 200 && url.StartsWith("/api/events?", StringComparison.Ordinal))
                {
                    Assert.Empty((await response.JsonAsync()).GetProperty("items").EnumerateArray());
                }
            }
        }

        Assert.Single((await OkAsync(_client, "/api/events")).GetProperty("items").EnumerateArray());
    }
}
