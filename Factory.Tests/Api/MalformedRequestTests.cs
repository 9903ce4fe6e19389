using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Factory.Tests.Infrastructure;

namespace Factory.Tests.Api;

/// <summary>
/// A corpus of broken requests a camera integrator could send. Each must get the right 4xx as a
/// ProblemDetails that names what is wrong; none may produce a 500 or store anything.
/// </summary>
public sealed class MalformedRequestTests(MalformedRequestTests.Host host) : IClassFixture<MalformedRequestTests.Host>
{
    /// <summary>One server for the whole corpus, so that its health and emptiness are checked after every case.</summary>
    public sealed class Host : IAsyncLifetime
    {
        public FactoryApp App { get; } = new();

        public ValueTask InitializeAsync() => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    private const string Events = "/api/events";
    private const string Batch = "/api/events/batch";
    private const string Json = "application/json";

    private sealed record Case(string Path, string? ContentType, byte[] Body, HttpStatusCode Status, string Names);

    private static string Valid(string? replace = null, string? with = null, string? drop = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["timestamp"] = "\"2026-01-21T14:59:00Z\"",
            ["worker_id"] = "\"W1\"",
            ["workstation_id"] = "\"S1\"",
            ["event_type"] = "\"working\"",
            ["confidence"] = "0.9",
            ["count"] = "1",
        };
        if (replace is not null)
        {
            fields[replace] = with!;
        }

        if (drop is not null)
        {
            fields.Remove(drop);
        }

        return "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Value}")) + "}";
    }

    private static Case Bad(string body, HttpStatusCode status, string names, string path = Events, string? contentType = Json) =>
        new(path, contentType, Encoding.UTF8.GetBytes(body), status, names);

    private static readonly string Long = "\"" + new string('x', 65) + "\"";

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["missing timestamp"] = Bad(Valid(drop: "timestamp"), HttpStatusCode.BadRequest, "timestamp"),
        ["missing worker_id"] = Bad(Valid(drop: "worker_id"), HttpStatusCode.BadRequest, "worker_id"),
        ["missing workstation_id"] = Bad(Valid(drop: "workstation_id"), HttpStatusCode.BadRequest, "workstation_id"),
        ["missing event_type"] = Bad(Valid(drop: "event_type"), HttpStatusCode.BadRequest, "event_type"),
        ["missing confidence"] = Bad(Valid(drop: "confidence"), HttpStatusCode.BadRequest, "confidence"),
        ["null timestamp"] = Bad(Valid("timestamp", "null"), HttpStatusCode.BadRequest, "timestamp"),
        ["naive timestamp"] = Bad(Valid("timestamp", "\"2026-01-21T14:59:00\""), HttpStatusCode.BadRequest, "timestamp offset"),
        ["timestamp as epoch number"] = Bad(Valid("timestamp", "1768921140"), HttpStatusCode.BadRequest, "timestamp string"),
        ["timestamp as words"] = Bad(Valid("timestamp", "\"yesterday\""), HttpStatusCode.BadRequest, "timestamp yesterday"),
        ["timestamp on February 30"] = Bad(Valid("timestamp", "\"2026-02-30T10:00:00Z\""), HttpStatusCode.BadRequest, "timestamp"),
        ["timestamp with offset +25:00"] = Bad(Valid("timestamp", "\"2026-01-21T10:00:00+25:00\""), HttpStatusCode.BadRequest, "timestamp"),
        ["far-future timestamp"] = Bad(Valid("timestamp", "\"2030-01-01T00:00:00Z\""), HttpStatusCode.BadRequest, "timestamp future"),
        ["timestamp older than retention"] = Bad(Valid("timestamp", "\"2025-06-01T00:00:00Z\""), HttpStatusCode.BadRequest, "timestamp retention"),
        ["worker_id as number"] = Bad(Valid("worker_id", "1"), HttpStatusCode.BadRequest, "worker_id string"),
        ["worker_id empty"] = Bad(Valid("worker_id", "\"\""), HttpStatusCode.BadRequest, "worker_id empty"),
        ["unknown worker"] = Bad(Valid("worker_id", "\"W99\""), HttpStatusCode.UnprocessableEntity, "worker_id W99"),
        ["unknown workstation"] = Bad(Valid("workstation_id", "\"S99\""), HttpStatusCode.UnprocessableEntity, "workstation_id S99"),
        ["workstation_id as array"] = Bad(Valid("workstation_id", "[\"S1\"]"), HttpStatusCode.BadRequest, "workstation_id array"),
        ["event_type unknown"] = Bad(Valid("event_type", "\"sleeping\""), HttpStatusCode.BadRequest, "event_type sleeping"),
        ["event_type in capitals"] = Bad(Valid("event_type", "\"WORKING\""), HttpStatusCode.BadRequest, "event_type"),
        ["confidence as string"] = Bad(Valid("confidence", "\"0.9\""), HttpStatusCode.BadRequest, "confidence number"),
        ["confidence above 1"] = Bad(Valid("confidence", "1.5"), HttpStatusCode.BadRequest, "confidence"),
        ["confidence negative"] = Bad(Valid("confidence", "-0.1"), HttpStatusCode.BadRequest, "confidence"),
        ["confidence 1e400"] = Bad(Valid("confidence", "1e400"), HttpStatusCode.BadRequest, "confidence"),
        ["confidence NaN literal"] = Bad(Valid("confidence", "NaN"), HttpStatusCode.BadRequest, "JSON"),
        ["confidence Infinity literal"] = Bad(Valid("confidence", "Infinity"), HttpStatusCode.BadRequest, "JSON"),
        ["confidence boolean"] = Bad(Valid("confidence", "true"), HttpStatusCode.BadRequest, "confidence boolean"),
        ["count 99999999999999999999"] = Bad(Valid("count", "99999999999999999999"), HttpStatusCode.BadRequest, "count"),
        ["count zero"] = Bad(Valid("count", "0"), HttpStatusCode.BadRequest, "count"),
        ["count 10001"] = Bad(Valid("count", "10001"), HttpStatusCode.BadRequest, "count 10000"),
        ["count fractional"] = Bad(Valid("count", "1.5"), HttpStatusCode.BadRequest, "count integer"),
        ["count as string"] = Bad(Valid("count", "\"3\""), HttpStatusCode.BadRequest, "count"),
        ["camera_id too long"] = Bad(Valid("camera_id", Long), HttpStatusCode.BadRequest, "camera_id 64"),
        ["model_version too long"] = Bad(Valid("model_version", Long), HttpStatusCode.BadRequest, "model_version 64"),
        ["event_id too long"] = Bad(Valid("event_id", Long), HttpStatusCode.BadRequest, "event_id 64"),
        ["camera_id as object"] = Bad(Valid("camera_id", "{\"id\":3}"), HttpStatusCode.BadRequest, "camera_id object"),
        ["every field wrong at once"] = Bad("{\"timestamp\":1,\"worker_id\":2,\"workstation_id\":3,\"event_type\":4,\"confidence\":\"x\"}",
            HttpStatusCode.BadRequest, "timestamp worker_id workstation_id event_type confidence"),
        ["truncated JSON"] = Bad("{\"timestamp\":", HttpStatusCode.BadRequest, "JSON"),
        ["single quotes"] = Bad("{'timestamp':'2026-01-21T14:59:00Z'}", HttpStatusCode.BadRequest, "JSON"),
        ["trailing garbage"] = Bad(Valid() + " xyz", HttpStatusCode.BadRequest, "JSON"),
        ["two objects"] = Bad(Valid() + Valid(), HttpStatusCode.BadRequest, "JSON"),
        ["trailing comma"] = Bad(Valid()[..^1] + ",}", HttpStatusCode.BadRequest, "JSON"),
        ["comment"] = Bad("/* hi */" + Valid(), HttpStatusCode.BadRequest, "JSON"),
        ["duplicate keys"] = Bad(Valid()[..^1] + ",\"worker_id\":\"W2\"}", HttpStatusCode.BadRequest, "worker_id"),
        ["deep nesting (100 levels)"] = Bad(Valid("camera_id", new string('[', 100) + new string(']', 100)), HttpStatusCode.BadRequest, "deep"),
        ["array instead of object"] = Bad("[" + Valid() + "]", HttpStatusCode.BadRequest, "object array"),
        ["string instead of object"] = Bad("\"hello\"", HttpStatusCode.BadRequest, "object string"),
        ["number instead of object"] = Bad("42", HttpStatusCode.BadRequest, "object number"),
        ["null body"] = Bad("null", HttpStatusCode.BadRequest, "object null"),
        ["empty body"] = Bad("", HttpStatusCode.BadRequest, "empty"),
        ["whitespace body"] = Bad("  \r\n ", HttpStatusCode.BadRequest, "empty"),
        ["invalid UTF-8 inside a string"] = new(Events, Json,
            [.. Encoding.UTF8.GetBytes(Valid()[..^1] + ",\"camera_id\":\"CAM"), 0xC3, 0x28, 0xFF, .. "\"}"u8], HttpStatusCode.BadRequest, "UTF-8"),
        ["lone surrogate escape"] = Bad(Valid("camera_id", "\"\\ud800\""), HttpStatusCode.BadRequest, "camera_id"),
        ["lone surrogate in a property name"] = Bad("{\"\\ud800\":1," + Valid()[1..], HttpStatusCode.BadRequest, "JSON"),
        ["invalid UTF-8 outside strings"] = new(Events, Json, [0xFF, 0xFE, .. Encoding.UTF8.GetBytes(Valid())], HttpStatusCode.BadRequest, "JSON"),
        ["text/plain content type"] = Bad(Valid(), HttpStatusCode.UnsupportedMediaType, "Content-Type text/plain", contentType: "text/plain"),
        ["form content type"] = Bad("a=b", HttpStatusCode.UnsupportedMediaType, "Content-Type", contentType: "application/x-www-form-urlencoded"),
        ["no content type"] = Bad(Valid(), HttpStatusCode.UnsupportedMediaType, "Content-Type none", contentType: null),
        ["batch: text/plain"] = Bad("{\"events\":[" + Valid() + "]}", HttpStatusCode.UnsupportedMediaType, "Content-Type", Batch, "text/plain"),
        ["batch: empty events"] = Bad("{\"events\":[]}", HttpStatusCode.BadRequest, "events empty", Batch),
        ["batch: array body"] = Bad("[" + Valid() + "]", HttpStatusCode.BadRequest, "events object", Batch),
        ["batch: events is a string"] = Bad("{\"events\":\"x\"}", HttpStatusCode.BadRequest, "events", Batch),
        ["batch: no events property"] = Bad("{\"items\":[" + Valid() + "]}", HttpStatusCode.BadRequest, "events", Batch),
        ["batch: invalid JSON"] = Bad("{\"events\":[" + Valid(), HttpStatusCode.BadRequest, "JSON", Batch),
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Malformed_request_is_a_named_4xx_problem_and_stores_nothing(string name)
    {
        var c = Cases[name];
        var client = host.App.CreateClient();
        var content = new ByteArrayContent(c.Body);
        if (c.ContentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(c.ContentType);
        }

        var response = await client.PostAsync(c.Path, content);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(c.Status == response.StatusCode, $"{name}: expected {(int)c.Status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)c.Status, problem.GetProperty("status").GetInt32());
        var explanation = problem.GetProperty("detail").GetString()
            + (problem.TryGetProperty("errors", out var errors) ? errors.GetRawText() : "");
        foreach (var word in c.Names.Split(' '))
        {
            Assert.True(explanation.Contains(word, StringComparison.OrdinalIgnoreCase), $"{name}: '{word}' is not named in: {explanation}");
        }

        ProblemAssert.HasNoInternals(text);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        var stored = await (await client.GetAsync("/api/events")).JsonAsync();
        Assert.Equal(0, stored.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public void Corpus_has_at_least_thirty_cases() => Assert.True(Cases.Count >= 30, $"only {Cases.Count} cases");
}
