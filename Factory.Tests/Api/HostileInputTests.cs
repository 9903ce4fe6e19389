using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>
/// A real server process (Kestrel limits included) under a corpus of malformed and malicious requests:
/// every answer is a 4xx, the server stays healthy, and the stored data does not change.
/// </summary>
public sealed class HostileInputTests
{
    private static readonly string[] SqlPayloads =
    [
        "'; DROP TABLE events; --", "W1' OR '1'='1", "\" OR 1=1 --", "1; DELETE FROM workers", "W1'); INSERT INTO events VALUES (1); --",
        "' UNION SELECT * FROM workers --", "W1' AND sleep(5) --", "%27%20OR%201%3D1", "admin'--", "'); PRAGMA writable_schema=1; --",
    ];

    private static readonly string[] MarkupPayloads =
    [
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "{{7*7}}", "${jndi:ldap://127.0.0.1/a}",
        "<svg/onload=alert(1)>", "\"><iframe src=//127.0.0.1>", "@{1+1}", "=cmd|' /C calc'!A0", "<!--#exec cmd=\"ls\"-->",
    ];

    private sealed record Probe(string Name, Func<HttpClient, Task<HttpResponseMessage>> Send);

    private static object Valid(string? worker = null, string? type = null, string? timestamp = null, string? station = null) => new Dictionary<string, object?>
    {
        ["timestamp"] = timestamp ?? DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"),
        ["worker_id"] = worker ?? "W1",
        ["workstation_id"] = station ?? "S1",
        ["event_type"] = type ?? "working",
        ["confidence"] = 0.9,
    };

    private static HttpContent Raw(byte[] body, string contentType = "application/json")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    private static HttpContent Raw(string body, string contentType = "application/json") => Raw(Encoding.UTF8.GetBytes(body), contentType);

    private static IEnumerable<Probe> Corpus()
    {
        foreach (var payload in SqlPayloads.Concat(MarkupPayloads))
        {
            yield return new($"worker_id {payload}", c => c.PostAsJsonAsync("api/events", Valid(worker: payload)));
            yield return new($"workstation_id {payload}", c => c.PostAsJsonAsync("api/events", Valid(station: payload)));
            yield return new($"event_type {payload}", c => c.PostAsJsonAsync("api/events", Valid(type: payload)));
            yield return new($"timestamp {payload}", c => c.PostAsJsonAsync("api/events", Valid(timestamp: payload)));
            yield return new($"query start_time {payload}", c => c.GetAsync("api/events?start_time=" + Uri.EscapeDataString(payload)));
            yield return new($"query cursor {payload}", c => c.GetAsync("api/events?cursor=" + Uri.EscapeDataString(payload)));
            yield return new($"metrics worker_id {payload}", c => c.GetAsync("api/metrics/workers?worker_id=" + Uri.EscapeDataString(payload)));
        }

        foreach (var depth in new[] { 33, 100, 1_000, 100_000 })
        {
            yield return new($"deep array {depth}", c => c.PostAsync("api/events", Raw(new string('[', depth) + new string(']', depth))));
            yield return new($"deep object {depth}", c => c.PostAsync("api/events/batch",
                Raw("{\"events\":[" + string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth) + "]}")));
        }

        yield return new("10 MB body with length", c => c.PostAsync("api/events/batch", Raw(new byte[10 * 1024 * 1024])));
        yield return new("10 MB JSON string", c => c.PostAsync("api/events", Raw("{\"worker_id\":\"" + new string('A', 10 * 1024 * 1024) + "\"}")));
        yield return new("2 MB batch", c => c.PostAsync("api/events/batch", Raw("{\"events\":[" + string.Join(",", Enumerable.Repeat(JsonSerializer.Serialize(Valid()), 12_000)) + "]}")));
        yield return new("10 MB chunked", c =>
        {
            var content = new StreamContent(new MemoryStream(new byte[10 * 1024 * 1024]));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var request = new HttpRequestMessage(HttpMethod.Post, "api/events/batch") { Content = content };
            request.Headers.TransferEncodingChunked = true;
            return c.SendAsync(request);
        });

        byte[][] badUtf8 = [[0xC3, 0x28], [0xA0, 0xA1], [0xE2, 0x28, 0xA1], [0xF0, 0x28, 0x8C, 0xBC], [0xFF, 0xFE], [0xC0, 0xAF], [0xED, 0xA0, 0x80]];
        foreach (var bytes in badUtf8)
        {
            var body = Encoding.UTF8.GetBytes("{\"worker_id\":\"W").Concat(bytes).Concat(Encoding.UTF8.GetBytes("\",\"confidence\":0.9}")).ToArray();
            yield return new($"invalid UTF-8 {Convert.ToHexString(bytes)}", c => c.PostAsync("api/events", Raw(body)));
        }

        yield return new("header flood", c =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "api/events");
            for (var i = 0; i < 300; i++)
            {
                request.Headers.TryAddWithoutValidation($"X-Flood-{i}", "x");
            }

            return c.SendAsync(request);
        });
        yield return new("one huge header", c =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "api/events");
            request.Headers.TryAddWithoutValidation("X-Huge", new string('x', 64 * 1024));
            return c.SendAsync(request);
        });
        yield return new("NaN literal", c => c.PostAsync("api/events", Raw("{\"confidence\":NaN}")));
        yield return new("Infinity literal", c => c.PostAsync("api/events", Raw("{\"confidence\":Infinity}")));
        yield return new("huge exponent", c => c.PostAsync("api/events", Raw(JsonSerializer.Serialize(Valid()).Replace("0.9", "1e400", StringComparison.Ordinal))));
        yield return new("negative count", c => c.PostAsync("api/events", Raw(JsonSerializer.Serialize(Valid()).TrimEnd('}') + ",\"count\":-5}")));
        yield return new("null byte camera", c => c.PostAsync("api/events", Raw(JsonSerializer.Serialize(Valid()).TrimEnd('}') + ",\"camera_id\":\"CAM\\u0000\"}")));
        yield return new("XML body", c => c.PostAsync("api/events", Raw("<event><worker>W1</worker></event>", "application/xml")));
        yield return new("form body", c => c.PostAsync("api/events", new FormUrlEncodedContent([new("worker_id", "W1")])));
        yield return new("path traversal", c => c.GetAsync("api/events/..%2f..%2fetc%2fpasswd"));
        yield return new("overlong id", c => c.GetAsync("api/events/99999999999999999999999"));
        yield return new("unknown admin path", c => c.DeleteAsync("api/admin/events"));
        // Reads whose cost the caller chooses: refused beyond their limits before any work (Limits:*).
        foreach (var path in new[] { "api/metrics/workers", "api/metrics/workstations", "api/metrics/factory", "api/metrics/timeseries", "api/data-quality",
                     "api/events", "api/export/events.csv", "api/export/workers.csv", "api/export/workstations.csv", "api/export/factory.csv" })
        {
            yield return new($"{path} from year one", c => c.GetAsync(path + "?start_time=0001-01-01T00:00:00Z"));
        }

        yield return new("hourly timeseries of 90 days", c => c.GetAsync($"api/metrics/timeseries?bucket=hour&start_time={DateTimeOffset.UtcNow.AddDays(-89):yyyy-MM-dd}T00:00:00Z"));
        yield return new("huge event page", c => c.GetAsync("api/events?limit=2147483647"));
        yield return new("huge model trend", c => c.GetAsync("api/metrics/model-health/trend?days=36500&bucket=hour"));
        yield return new("huge model distribution", c => c.GetAsync("api/metrics/model-distribution?days=99999999999"));
        yield return new("huge heatmap", c => c.GetAsync("api/metrics/model-health/heatmap?hours=100000"));
        yield return new("per-shift export of years", c => c.GetAsync("api/export/factory.csv?per_shift=true&start_time=1990-01-01T00:00:00Z"));
        yield return new("returnUrl with CRLF", c => c.GetAsync("login?returnUrl=%2Fadmin%0D%0ASet-Cookie:%20x=1"));
        yield return new("sign-in returnUrl with CRLF", async c =>
        {
            var html = await c.GetStringAsync("login");
            var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"(__RequestVerificationToken[^\"]*)\" value=\"([^\"]+)\"");
            return await c.PostAsync("login", new FormUrlEncodedContent(
            [
                new(token.Groups[1].Value, System.Net.WebUtility.HtmlDecode(token.Groups[2].Value)),
                new("key", FactoryApp.KeyFor("admin")),
                new("returnUrl", "/admin\r\nSet-Cookie: x=1"),
            ]));
        });
        yield return new("far future", c => c.PostAsJsonAsync("api/events", Valid(timestamp: "9999-12-31T23:59:59Z")));
        yield return new("year zero", c => c.PostAsJsonAsync("api/events", Valid(timestamp: "0000-01-01T00:00:00Z")));
    }

    [Fact]
    public async Task A_hundred_hostile_requests_all_get_4xx_and_change_nothing()
    {
        await using var server = new ServerProcess();
        await server.StartAsync();
        using var admin = server.CreateClient("admin");

        var seed = Enumerable.Range(1, 20).Select(i => FactoryHttp.Event(DateTimeOffset.UtcNow.AddMinutes(-30).AddSeconds(i), worker: $"W{i % 6 + 1}", camera: "CAM-0" + (i % 6 + 1))).ToList();
        (await admin.PostBatchAsync(seed)).EnsureSuccessStatusCode();
        var before = await admin.GetStringAsync("api/events?limit=1000");
        var workersBefore = await admin.GetStringAsync("api/workers");

        var corpus = Corpus().ToList();
        Assert.True(corpus.Count >= 100, $"the corpus has only {corpus.Count} requests");
        var failures = new List<string>();
        foreach (var probe in corpus)
        {
            try
            {
                using var response = await probe.Send(admin);
                var status = (int)response.StatusCode;
                if (status is < 400 or >= 500)
                {
                    failures.Add($"{probe.Name}: {status} {await response.Content.ReadAsStringAsync()}");
                }
            }
            catch (HttpRequestException ex)
            {
                // Kestrel may close the connection on a flood it refuses before reading; that is a refusal, not a crash.
                if (!probe.Name.Contains("header", StringComparison.Ordinal) && !probe.Name.Contains("10 MB", StringComparison.Ordinal))
                {
                    failures.Add($"{probe.Name}: {ex.Message}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(server.IsRunning, "the server process exited");
        using var health = await admin.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(before, await admin.GetStringAsync("api/events?limit=1000"));
        Assert.Equal(workersBefore, await admin.GetStringAsync("api/workers"));
    }
}
