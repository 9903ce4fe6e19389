using System.Text.Json;
using Factory.Core.Events;
using Factory.Core.Ingestion;
using Factory.Core.Metrics;
using Factory.Core.Registry;

namespace Factory.Tests.Core.Events;

public sealed class EventParserTests
{
    private static readonly DateTime Now = new(2026, 1, 21, 15, 0, 0, DateTimeKind.Utc);

    private static readonly RegistrySnapshot Registry = new(
        [new Worker { Id = "W1", Name = "Ana" }, new Worker { Id = "W2", Name = "Ben" }],
        [new Workstation { Id = "S1", Name = "Press" }]);

    private static EventParseResult Parse(string json, double minConfidence = 0.7, int retentionDays = 90, TimeSpan? skew = null)
    {
        var parser = new EventParser(
            new IngestionOptions { MaxClockSkew = skew ?? TimeSpan.FromMinutes(5) },
            new MetricsOptions { MinConfidence = minConfidence },
            TimeSpan.FromDays(retentionDays));
        using var document = JsonDocument.Parse(json);
        return parser.Parse(document.RootElement, Registry, Now);
    }

    private static string Event(string extra = "", string timestamp = "2026-01-21T14:30:00Z", string worker = "W1", string station = "S1") =>
        $"{{\"timestamp\":\"{timestamp}\",\"worker_id\":\"{worker}\",\"workstation_id\":\"{station}\",\"event_type\":\"product_count\",\"confidence\":0.8{extra}}}";

    [Fact]
    public void Valid_event_becomes_a_new_event_in_utc()
    {
        var result = Parse(Event(",\"count\":12,\"camera_id\":\"CAM-1\",\"model_version\":\"v2\",\"event_id\":\"e-1\"", "2026-01-21T16:30:00+02:00"));
        Assert.Null(result.Errors);
        Assert.Equal(new NewEvent(new DateTime(2026, 1, 21, 14, 30, 0, DateTimeKind.Utc), "W1", "S1", EventType.ProductCount, 0.8, 12, "CAM-1", "v2", "e-1"), result.Event);
        Assert.False(result.LowConfidence);
    }

    [Fact]
    public void Count_and_optional_text_default_when_absent_or_null()
    {
        var result = Parse(Event(",\"count\":null,\"camera_id\":null,\"model_version\":\"\""));
        Assert.Equal(1, result.Event!.Count);
        Assert.Null(result.Event.CameraId);
        Assert.Null(result.Event.ModelVersion);
    }

    [Theory]
    [InlineData(0.5, false)]
    [InlineData(0.8, false)]
    [InlineData(0.81, true)]
    public void Low_confidence_follows_metrics_min_confidence(double minConfidence, bool low)
    {
        Assert.Equal(low, Parse(Event(), minConfidence).LowConfidence);
    }

    [Fact]
    public void Unknown_ids_alone_are_flagged_for_422()
    {
        var result = Parse(Event(worker: "W9", station: "S9"));
        Assert.True(result.UnknownIdsOnly);
        Assert.Contains("W9", result.Errors!["worker_id"][0]);
        Assert.Contains("S9", result.Errors!["workstation_id"][0]);
    }

    [Fact]
    public void Unknown_id_with_another_error_is_not_flagged_for_422()
    {
        var result = Parse(Event(",\"count\":0", worker: "W9"));
        Assert.False(result.UnknownIdsOnly);
        Assert.Equal(["count", "worker_id"], result.Errors!.Keys.Order());
    }

    [Fact]
    public void Ids_are_case_sensitive()
    {
        Assert.True(Parse(Event(worker: "w1")).Errors!.ContainsKey("worker_id"));
    }

    [Fact]
    public void Clock_skew_and_retention_come_from_options()
    {
        Assert.Null(Parse(Event(timestamp: "2026-01-21T15:50:00Z"), skew: TimeSpan.FromHours(1)).Errors);
        Assert.Contains("future", Parse(Event(timestamp: "2026-01-21T15:50:00Z")).Errors!["timestamp"][0]);
        Assert.Null(Parse(Event(timestamp: "2026-01-12T15:00:00Z"), retentionDays: 10).Errors);
        Assert.Contains("retention", Parse(Event(timestamp: "2026-01-10T15:00:00Z"), retentionDays: 10).Errors!["timestamp"][0]);
    }

    [Theory]
    [InlineData("camera_id")]
    [InlineData("model_version")]
    [InlineData("event_id")]
    public void Control_characters_in_optional_text_are_rejected(string field)
    {
        Assert.Contains("control", Parse(Event($",\"{field}\":\"a\\u0000b\"")).Errors![field][0]);
    }

    [Fact]
    public void Lone_surrogate_escape_is_a_field_error_not_an_exception()
    {
        var result = Parse(Event(",\"event_id\":\"\\udc00\""));
        Assert.Contains("surrogate", result.Errors!["event_id"][0]);
    }

    [Fact]
    public void Id_of_64_characters_is_looked_up_and_longer_is_rejected_by_length()
    {
        var result = Parse(Event(worker: new string('x', 64)));
        Assert.Contains(new string('x', 64), result.Errors!["worker_id"][0]);
        Assert.Contains("64", Parse(Event(worker: new string('x', 65))).Errors!["worker_id"][0]);
    }
}
