using System.Diagnostics.Metrics;

namespace Factory.Core.Mqtt;

/// <summary>Counters of MQTT ingestion, exported by <c>/metrics</c> (as <c>factory_mqtt_*</c>).</summary>
public sealed class MqttMetrics : IDisposable
{
    public const string MeterName = "Factory.Mqtt";

    private readonly Meter _meter;
    private readonly Counter<long> _messagesReceived;
    private readonly Counter<long> _messagesRejected;
    private readonly Counter<long> _messagesAcknowledged;
    private readonly Counter<long> _eventsReceived;
    private readonly Counter<long> _eventsRejected;
    private int _connected;

    public MqttMetrics()
    {
        _meter = new Meter(MeterName);
        _messagesReceived = _meter.CreateCounter<long>("messages_received", "messages", "MQTT messages received");
        _messagesRejected = _meter.CreateCounter<long>("messages_rejected", "messages", "MQTT messages dropped whole (not JSON, wrong shape, too many events, bad topic), by reason");
        _messagesAcknowledged = _meter.CreateCounter<long>("messages_acknowledged", "messages", "MQTT messages acknowledged (PUBACK) after their events were committed");
        _eventsReceived = _meter.CreateCounter<long>("events_received", "events", "Events received in MQTT messages");
        _eventsRejected = _meter.CreateCounter<long>("events_rejected", "events", "Events of MQTT messages rejected by validation");
        _meter.CreateObservableGauge("connected", () => Volatile.Read(ref _connected), "connections", "1 while connected and subscribed to the broker");
    }

    public void MessageReceived() => _messagesReceived.Add(1);

    public void MessageRejected(string reason) => _messagesRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void MessageAcknowledged() => _messagesAcknowledged.Add(1);

    public void EventsReceived(int count, int rejected)
    {
        _eventsReceived.Add(count);
        _eventsRejected.Add(rejected);
    }

    public void Connected(bool connected) => Volatile.Write(ref _connected, connected ? 1 : 0);

    public void Dispose() => _meter.Dispose();
}
