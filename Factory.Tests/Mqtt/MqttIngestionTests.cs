using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Factory.Core.DataQuality;
using Factory.Core.Events;
using Factory.Core.Mqtt;
using Factory.Tests.Edge;
using Factory.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using MQTTnet;

namespace Factory.Tests.Mqtt;

/// <summary>MQTT ingestion in the server against a real mosquitto broker on loopback.</summary>
public sealed class MqttIngestionTests : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
    }

    private async Task<T> Own<T>(Task<T> created) where T : IAsyncDisposable
    {
        var value = await created;
        _owned.Add(value);
        return value;
    }

    private T Own<T>(T value) where T : IAsyncDisposable
    {
        _owned.Add(value);
        return value;
    }

    internal static object Event(string eventId, string camera = "CAM-01", string worker = "W1", double confidence = 0.9, int secondsAgo = 60, string type = "working") =>
        FactoryHttp.Event(DateTimeOffset.UtcNow.AddSeconds(-secondsAgo).AddTicks(Random.Shared.Next(1, 1_000_000)), worker: worker,
            station: "S" + worker[1..], type: type, confidence: confidence, camera: camera, eventId: eventId);

    [Fact]
    public async Task One_event_or_an_array_of_events_is_stored_with_its_low_confidence_flag_and_acknowledged_after_commit()
    {
        var broker = await Own(MosquittoBroker.Start());
        var app = Own(new MqttTestApp(broker));
        await app.WaitUntilSubscribedAsync();
        var camera = await Own(MqttTestClient.ConnectAsync(broker.Address));

        var single = await camera.PublishAsync("factory/CAM-01/events", Event("mqtt-single", confidence: 0.5));
        var array = await camera.PublishAsync("factory/CAM-01/events", new[] { Event("mqtt-a1"), Event("mqtt-a2", type: "idle", secondsAgo: 30), Event("mqtt-a3", type: "absent", secondsAgo: 10) });

        Assert.Equal(MqttClientPublishReasonCode.Success, single.ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.Success, array.ReasonCode);
        await Eventually.TrueAsync(async () => (await app.StoredEventIdsAsync()).Count == 4, "the four events are stored", TimeSpan.FromSeconds(20));
        Assert.Equal(["mqtt-a1", "mqtt-a2", "mqtt-a3", "mqtt-single"], (await app.StoredEventIdsAsync()).Order(StringComparer.Ordinal));

        using var viewer = app.CreateClientAs("viewer");
        var page = await viewer.GetFromJsonAsync<JsonElement>("api/events?camera_id=CAM-01&limit=10");
        var flags = page.GetProperty("items").EnumerateArray().ToDictionary(e => e.GetProperty("event_id").GetString()!, e => e.GetProperty("low_confidence").GetBoolean());
        Assert.True(flags["mqtt-single"]);
        Assert.False(flags["mqtt-a1"]);

        await Eventually.TrueAsync(async () => await MetricAsync(viewer, "factory_mqtt_messages_acknowledged") >= 2, "both messages are acknowledged to the broker");
        Assert.True(await MetricAsync(viewer, "factory_mqtt_events_received") >= 4);
        var health = await viewer.GetFromJsonAsync<JsonElement>("health/ready");
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("mqtt").GetString());
        Assert.Contains("factory/+/events", health.GetProperty("details").GetProperty("mqtt").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_messages_are_acknowledged_dropped_counted_by_reason_and_reported_on_the_rejects_topic()
    {
        var broker = await Own(MosquittoBroker.Start());
        var app = Own(new MqttTestApp(broker, new Dictionary<string, string?> { ["Mqtt:PublishRejects"] = "true", ["Ingestion:MaxBatchSize"] = "5" }));
        await app.WaitUntilSubscribedAsync();
        var monitor = await Own(MqttTestClient.ConnectAsync(broker.Address));
        await monitor.SubscribeAsync("factory/+/rejects");
        var camera = await Own(MqttTestClient.ConnectAsync(broker.Address));

        await camera.PublishAsync("factory/CAM-01/events", "{ not json");
        await camera.PublishAsync("factory/CAM-01/events", "42");
        await camera.PublishAsync("factory/CAM-01/events", "[]");
        await camera.PublishAsync("factory/CAM-01/events", Enumerable.Range(0, 6).Select(i => Event($"too-many-{i}", secondsAgo: 100 + i)).ToArray());
        await camera.PublishAsync("factory/CAM-01/events", new object[]
        {
            Event("mixed-ok"),
            new { timestamp = "2026-01-21T14:30:00Z", worker_id = "W1", workstation_id = "S1", event_type = "working", confidence = "0.9", camera_id = "CAM-01" },
            Event("mixed-unknown-worker", worker: "W99"),
        });
        await camera.PublishAsync($"factory/{new string('C', 65)}/events", Event("bad-topic"));
        // Messages are handled in the order they arrive: once this one is stored, every earlier one was handled.
        await camera.PublishAsync("factory/CAM-01/events", Event("marker", secondsAgo: 5));

        await Eventually.TrueAsync(async () => (await app.StoredEventIdsAsync()).Contains("marker"), "the last message is stored", TimeSpan.FromSeconds(20));
        Assert.Equal(["marker", "mixed-ok"], (await app.StoredEventIdsAsync()).Order(StringComparer.Ordinal));

        await Eventually.TrueAsync(() => monitor.Received.Count >= 5, "a report per message with a reject on a valid camera topic");
        var reports = monitor.Received.Select(m => (m.Topic, Json: JsonDocument.Parse(m.Payload).RootElement)).ToList();
        Assert.All(reports, r => Assert.Equal("factory/CAM-01/rejects", r.Topic));
        var errors = reports.Select(r => r.Json.GetProperty("error")).Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList();
        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("The message is not valid JSON", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("not a number", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("The array is empty", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("6 events; at most 5 (Ingestion:MaxBatchSize)", StringComparison.Ordinal));
        var mixed = Assert.Single(reports, r => r.Json.GetProperty("error").ValueKind == JsonValueKind.Null).Json;
        Assert.Equal(1, mixed.GetProperty("accepted").GetInt32());
        var rejected = mixed.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([1, 2], rejected.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Contains("JSON number", rejected[0].GetProperty("errors").GetProperty("confidence")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("W99", rejected[1].GetProperty("errors").GetProperty("worker_id")[0].GetString(), StringComparison.Ordinal);

        await app.GetService<IngestionQualityCounter>().FlushAsync();
        var quality = await app.GetService<IDataQualityService>().GetReportAsync(DateTime.UtcNow.AddHours(-2), DateTime.UtcNow.AddHours(1));
        var cam1 = Assert.Single(quality.Cameras, c => c.CameraId == "CAM-01");
        Assert.Equal(5, cam1.RejectedByReason[RejectReasons.Validation]);
        Assert.Equal(1, cam1.RejectedByReason[RejectReasons.UnknownWorker]);
        Assert.Equal(1, Assert.Single(quality.Cameras, c => c.CameraId == QualityCameras.Invalid).RejectedByReason[RejectReasons.Validation]);

        using var viewer = app.CreateClientAs("viewer");
        var metrics = await viewer.GetStringAsync("metrics");
        Assert.Contains("factory_mqtt_messages_rejected{reason=\"not_json\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("factory_mqtt_messages_rejected{reason=\"too_many\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("factory_mqtt_messages_rejected{reason=\"topic\"}", metrics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("health/ready")).StatusCode);
    }

    [Fact]
    public async Task An_event_whose_camera_id_is_not_the_topics_camera_is_rejected_as_camera_mismatch()
    {
        var broker = await Own(MosquittoBroker.Start());
        var app = Own(new MqttTestApp(broker, new Dictionary<string, string?> { ["Mqtt:PublishRejects"] = "true" }));
        await app.WaitUntilSubscribedAsync();
        var monitor = await Own(MqttTestClient.ConnectAsync(broker.Address));
        await monitor.SubscribeAsync("factory/CAM-01/rejects");
        var camera = await Own(MqttTestClient.ConnectAsync(broker.Address));

        await camera.PublishAsync("factory/CAM-01/events", new[] { Event("other-camera", camera: "CAM-02"), Event("no-camera", camera: null!), Event("own-camera", secondsAgo: 5) });

        await Eventually.TrueAsync(async () => (await app.StoredEventIdsAsync()).Count == 1 && monitor.Received.Count == 1, "the message is settled and reported");
        Assert.Equal(["own-camera"], await app.StoredEventIdsAsync());
        var report = JsonDocument.Parse(Assert.Single(monitor.Received).Payload).RootElement;
        var errors = report.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("errors").GetProperty("camera_id")[0].GetString()!).ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal("Must be 'CAM-01', the camera of the topic factory/CAM-01/events: each camera publishes its own events on its own topic.", e));

        await app.GetService<IngestionQualityCounter>().FlushAsync();
        var quality = await app.GetService<IDataQualityService>().GetReportAsync(DateTime.UtcNow.AddHours(-2), DateTime.UtcNow.AddHours(1));
        Assert.Equal(2, quality.Cameras.Sum(c => c.RejectedByReason.GetValueOrDefault(RejectReasons.CameraMismatch)));
    }

    [Fact]
    public async Task Wrong_broker_credentials_show_on_health_and_the_server_keeps_taking_events_over_http()
    {
        var broker = await Own(MosquittoBroker.Start(("factory", "right-password")));
        var app = Own(new MqttTestApp(broker, new Dictionary<string, string?> { ["Mqtt:Username"] = "factory", ["Mqtt:Password"] = "wrong-password" }));
        _ = app.Services;

        await Eventually.TrueAsync(() => app.Connection is { State: MqttConnectionState.Disconnected, Connections: 0 } c && c.LastError?.Contains("not authorized", StringComparison.Ordinal) == true,
            "the refusal is reported", TimeSpan.FromSeconds(20));
        using var client = app.CreateClientAs("camera");
        var health = await client.GetAsync("health/ready");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var body = await health.JsonAsync();
        Assert.Equal("Degraded", body.GetProperty("checks").GetProperty("mqtt").GetString());
        Assert.Contains("(not authorized); check Mqtt:Username and Mqtt:Password", body.GetProperty("details").GetProperty("mqtt").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, (await client.PostEventAsync(Event("http-while-mqtt-refused"))).StatusCode);
    }

    [Fact]
    public async Task Right_broker_credentials_connect_and_messages_flow()
    {
        var broker = await Own(MosquittoBroker.Start(("factory", "right-password")));
        var app = Own(new MqttTestApp(broker, new Dictionary<string, string?> { ["Mqtt:Username"] = "factory", ["Mqtt:Password"] = "right-password" }));
        await app.WaitUntilSubscribedAsync();
        var camera = await Own(MqttTestClient.ConnectAsync(broker.Address, ("factory", "right-password")));

        await camera.PublishAsync("factory/CAM-03/events", Event("with-credentials", camera: "CAM-03", worker: "W3"));

        await Eventually.TrueAsync(async () => (await app.StoredEventIdsAsync()).Contains("with-credentials"), "the event is stored", TimeSpan.FromSeconds(20));
    }

    [Theory]
    [InlineData("Mqtt:Host", "", "Mqtt:Host is required")]
    [InlineData("Mqtt:Topic", "factory/events", "Mqtt:Topic 'factory/events' must have exactly one '+' level")]
    [InlineData("Mqtt:Topic", "factory/#", "must have exactly one '+' level")]
    [InlineData("Mqtt:RejectsTopic", "factory/+/events", "Mqtt:RejectsTopic must not match Mqtt:Topic")]
    [InlineData("Mqtt:SharedGroup", "a/b", "Mqtt:SharedGroup must be a non-empty name")]
    public void Invalid_settings_stop_the_server_at_start_with_a_message_naming_them(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?> { ["Mqtt:Enabled"] = "true", ["Mqtt:Host"] = "127.0.0.1", [key] = value };
        using var app = new FactoryApp(settings);

        var error = Assert.Throws<OptionsValidationException>(() => app.Services);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    internal static async Task<double> MetricAsync(HttpClient client, string name)
    {
        var text = await client.GetStringAsync("metrics");
        var match = System.Text.RegularExpressions.Regex.Match(text, $@"(?m)^{name}(?:_total)?(?:\{{[^}}]*\}})? ([0-9.eE+-]+)$");
        return match.Success ? double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
