using System.Net.Http.Json;
using System.Text.Json;
using Factory.Core.Mqtt;
using Factory.Tests.Edge;
using Factory.Tests.Infrastructure;
using MQTTnet;

namespace Factory.Tests.Mqtt;

/// <summary>Nothing acknowledged is lost and nothing is stored twice when the server or the broker goes away mid-stream.</summary>
public sealed class MqttReliabilityTests
{
    private const int EventsPerMessage = 5;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    /// <summary>Message <paramref name="n"/>: five events with ids m{n}-{i} and distinct timestamps (so none shares the dedup key).</summary>
    private static (string Json, string[] Ids) Message(int n, DateTimeOffset origin)
    {
        var events = Enumerable.Range(0, EventsPerMessage).Select(i => FactoryHttp.Event(
            origin.AddMilliseconds(n * EventsPerMessage + i), worker: $"W{i + 1}", station: $"S{i + 1}", camera: "CAM-01", eventId: $"m{n}-{i}")).ToArray();
        return (JsonSerializer.Serialize(events), [.. Enumerable.Range(0, EventsPerMessage).Select(i => $"m{n}-{i}")]);
    }

    [Fact]
    public async Task Every_message_the_broker_acknowledged_is_stored_exactly_once_though_the_server_is_killed_mid_stream()
    {
        const int messages = 400;
        await using var broker = await MosquittoBroker.Start();
        await using var server = new ServerProcess(settings: new Dictionary<string, string>
        {
            ["Mqtt:Enabled"] = "true",
            ["Mqtt:Host"] = "127.0.0.1",
            ["Mqtt:Port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mqtt:ClientId"] = "factory-crash-" + Guid.NewGuid().ToString("N")[..8],
            ["Mqtt:ReconnectDelay"] = "00:00:00.100",
        });
        await server.StartAsync(TimeSpan.FromSeconds(180));
        using var viewer = server.CreateClient("viewer");
        await Eventually.TrueAsync(async () => await MqttState(viewer) == "Healthy", "the server is subscribed", Patience);
        await using var camera = await MqttTestClient.ConnectAsync(broker.Address);

        var origin = DateTimeOffset.UtcNow.AddMinutes(-30);
        var acknowledged = new List<string>();
        var publisher = Task.Run(async () =>
        {
            for (var n = 0; n < messages; n++)
            {
                var (json, ids) = Message(n, origin);
                var ack = await camera.PublishAsync("factory/CAM-01/events", json);
                Assert.Equal(MqttClientPublishReasonCode.Success, ack.ReasonCode);
                lock (acknowledged)
                {
                    acknowledged.AddRange(ids);
                }

                // A steady stream, so that the kill below lands in the middle of it.
                await Task.Delay(3);
            }
        });

        // Mid-stream: the server has stored some messages and has others queued, in flight or still on the broker.
        await Eventually.TrueAsync(async () => (await StoredEvents.IdsAsync(viewer)).Count >= 100, "the server is ingesting", Patience);
        var storedBeforeKill = (await StoredEvents.IdsAsync(viewer)).Count;
        await server.KillAsync();
        await publisher;

        await server.StartAsync(TimeSpan.FromSeconds(180));
        await Eventually.TrueAsync(async () => (await StoredEvents.IdsAsync(viewer)).Count >= acknowledged.Count, "every acknowledged event is stored", Patience);

        var stored = await StoredEvents.IdsAsync(viewer);
        TestContext.Current.TestOutputHelper?.WriteLine($"acknowledged by the broker {acknowledged.Count}, stored before the kill {storedBeforeKill}, stored {stored.Count}");
        Assert.True(storedBeforeKill < acknowledged.Count, "the server was killed while messages were still coming");
        Assert.Equal(acknowledged.Count, stored.Count);
        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_message_the_broker_acknowledged_is_stored_once_though_the_broker_restarts_mid_stream()
    {
        const int messages = 300;
        await using var broker = await MosquittoBroker.Start();
        await using var app = new MqttTestApp(broker);
        await app.WaitUntilSubscribedAsync();
        await using var camera = await MqttTestClient.ConnectAsync(broker.Address);

        var origin = DateTimeOffset.UtcNow.AddMinutes(-30);
        var acknowledged = new List<string>();
        var sawDisconnected = false;
        for (var n = 0; n < messages; n++)
        {
            var (json, ids) = Message(n, origin);
            // A camera retries what the broker has not acknowledged; a repeat is absorbed by dedup.
            for (var attempt = 0; ; attempt++)
            {
                Assert.True(attempt < 500, "the broker came back within the test's patience");
                try
                {
                    if (!camera.IsConnected)
                    {
                        await camera.ReconnectAsync();
                    }

                    var ack = await camera.PublishAsync("factory/CAM-01/events", json);
                    if (ack.ReasonCode == MqttClientPublishReasonCode.Success)
                    {
                        acknowledged.AddRange(ids);
                        break;
                    }
                }
                catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
                {
                    sawDisconnected |= app.Connection.State != MqttConnectionState.Connected;
                    await Task.Delay(50);
                }
            }

            if (n == messages / 3)
            {
                await broker.StopAsync();
                await Eventually.TrueAsync(() => app.Connection.State == MqttConnectionState.Disconnected, "the server notices the broker is gone", Patience);
                using var client = app.CreateClientAs("viewer");
                var health = await client.GetFromJsonAsync<JsonElement>("health/ready");
                Assert.Equal("Degraded", health.GetProperty("checks").GetProperty("mqtt").GetString());
                sawDisconnected = true;
                await broker.RestartAsync();
            }
        }

        await Eventually.TrueAsync(async () => (await app.StoredEventIdsAsync()).Count >= acknowledged.Count, "every acknowledged event is stored", Patience);

        var stored = await app.StoredEventIdsAsync();
        Assert.True(sawDisconnected);
        Assert.Equal(acknowledged.Count, stored.Count);
        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        Assert.True(app.Connection.Connections >= 2, "the server reconnected after the restart");
    }

    private static async Task<string?> MqttState(HttpClient client)
    {
        try
        {
            var health = await client.GetFromJsonAsync<JsonElement>("health/ready");
            return health.GetProperty("checks").TryGetProperty("mqtt", out var state) ? state.GetString() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
