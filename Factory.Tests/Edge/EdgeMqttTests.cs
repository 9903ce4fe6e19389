using Factory.Core.Mqtt;
using Factory.Edge.Buffer;
using Factory.Edge.Sending;
using Factory.Edge.Simulation;
using Factory.Tests.Infrastructure;
using Factory.Tests.Mqtt;

namespace Factory.Tests.Edge;

/// <summary>The edge client publishing through its buffer to a real broker, with the server ingesting from it.</summary>
public sealed class EdgeMqttTests : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "factory-edge-mqtt", Guid.NewGuid().ToString("N"));
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;
    private EventBuffer? _buffer;

    private EventBuffer OpenBuffer() => _buffer = EventBuffer.Open(new EventBufferOptions { Path = Path.Combine(_folder, "buffer.db"), Synchronous = "NORMAL" });

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_running is not null)
        {
            await _running;
        }

        _buffer?.Dispose();
        _stop.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static SenderOptions FastRetries => new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
        HealthProbeInterval = TimeSpan.FromMilliseconds(200),
        RequestTimeout = TimeSpan.FromSeconds(10),
        IdlePoll = TimeSpan.FromMilliseconds(100),
    };

    private EventSender Run(EventBuffer buffer, MosquittoBroker broker)
    {
        var transport = new MqttBatchTransport(new MqttBroker("127.0.0.1", broker.Port, null, null, false), MqttOptions.DefaultTopic, TimeSpan.FromSeconds(10));
        var sender = new EventSender(transport, buffer, FastRetries);
        _running = Task.Run(async () =>
        {
            await sender.RunAsync(_stop.Token);
            await transport.DisposeAsync();
        });
        return sender;
    }

    [Fact]
    public async Task Events_published_through_the_buffer_are_stored_once_and_leave_the_buffer_only_after_the_brokers_puback()
    {
        await using var broker = await MosquittoBroker.Start();
        await using var app = new MqttTestApp(broker);
        await app.WaitUntilSubscribedAsync();
        var buffer = OpenBuffer();
        var cameras = new SimulatedCameras(6, eventsPerSecondPerCamera: 20, DateTimeOffset.UtcNow.AddMinutes(-2), seed: 5);
        var generated = new List<string>(buffer.AddRange(cameras.Poll(DateTimeOffset.UtcNow.AddMinutes(-1))));
        var sender = Run(buffer, broker);

        await Eventually.TrueAsync(() => buffer.Count == 0, "the first events are published", Patience);
        Assert.Equal(ServerState.Up, sender.Status.State);

        // The broker goes away: new events stay buffered, the sender reports it down.
        await broker.StopAsync();
        generated.AddRange(buffer.AddRange(cameras.Poll(DateTimeOffset.UtcNow.AddSeconds(-30))));
        await Eventually.TrueAsync(() => sender.Status.State == ServerState.Down, "the sender notices the broker is gone", Patience);
        Assert.True(buffer.Count > 0, "nothing is deleted without a PUBACK");

        await broker.RestartAsync();
        generated.AddRange(buffer.AddRange(cameras.Poll(DateTimeOffset.UtcNow)));
        await Eventually.TrueAsync(() => buffer.Count == 0, "the backlog is published", Patience);
        await Eventually.TrueAsync(async () => (await app.StoredEventIdsAsync()).Count >= generated.Count, "every event is stored", Patience);

        var stored = await app.StoredEventIdsAsync();
        Assert.Equal(generated.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        Assert.Equal(generated.Count, sender.Status.Accepted);
    }

    [Fact]
    public async Task Without_a_subscriber_the_broker_takes_nothing_and_the_events_stay_buffered()
    {
        await using var broker = await MosquittoBroker.Start();
        var buffer = OpenBuffer();
        buffer.AddRange([EventBufferTests.Event(1), EventBufferTests.Event(2)]);
        var sender = Run(buffer, broker);

        await Eventually.TrueAsync(() => sender.Status.State == ServerState.Busy, "the sender backs off", Patience);

        Assert.Equal(2, buffer.Count);
        Assert.Contains("no subscriber for factory/CAM-01/events", sender.Status.LastError, StringComparison.Ordinal);
    }
}
